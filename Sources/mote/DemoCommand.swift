import Foundation
import MoteImage
import MoteModel
import MoteSim

/// `mote demo`: the whole path — data, float training, int8 quantization, host and firmware
/// simulation, the accuracy-drop report — as the commands a user would type, run in order.
enum DemoCommand: Command {
    static let spec = CommandSpec(
        name: "demo",
        summary: "train, quantize, simulate and report end to end, on a built-in synthetic dataset or on --data ROOT",
        positionals: [],
        options: [
            OptionSpec(name: "data", valueName: "ROOT",
                       help: "a real dataset, ROOT/train/CLASS/*.jpg and ROOT/val/CLASS/*.jpg (default: generate the built-in one)"),
            OptionSpec(name: "out", short: "o", valueName: "DIR", help: "where everything goes (default mote-demo)"),
            OptionSpec(name: "epochs", valueName: "E", help: "training epochs (default 12)"),
            OptionSpec(name: "size", valueName: "S", help: "input size of the micro network (default 96)"),
            OptionSpec(name: "images", valueName: "N", help: "built-in dataset: training images (default 2400; a quarter as many for val)"),
            OptionSpec(name: "seed", valueName: "N", help: "seed of the dataset and of training (default 1)"),
        ],
        discussion: """
            Without --data, a deterministic two-class dataset is generated first (OUT/data): synthetic pictures of
            a ring-textured blob ('rings') or a stripe-textured one ('stripes'), under random pose, colour,
            lighting, clutter, occlusion and noise, some deliberately ambiguous. It is synthetic: it shows the
            pipeline, not what a network achieves on photographs.
            Then, printing each equivalent command before running it: mote train (the micro network), mote
            quantize (calibrated on the training images), mote simulate on the host and on a Cortex-M4 under
            QEMU (skipped, with a message, when qemu-system-arm is not installed), and mote report against a
            256 KB RAM / 1 MB flash budget. The last lines say where the files are.
            """)

    static func run(_ args: ParsedArguments) throws {
        let out = args.value("out") ?? "mote-demo"
        let epochs = try args.integer("epochs", default: 12, in: 1...1000)
        let size = try args.integer("size", default: 96, in: 16...512)
        let images = try args.integer("images", default: 2400, in: 20...1_000_000)
        let seed = try args.integer("seed", default: 1, in: 0...Int(UInt32.max))
        let started = Date()
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw CLIError.input("cannot create '\(out)': \(CLIError.reason(error))")
        }

        let root: String
        if let data = args.value("data") {
            root = data
            step("1/6", "dataset: \(root) (given)")
        } else {
            root = out + "/data"
            let generator = SyntheticShapes(width: size, height: size, seed: UInt64(seed))
            let val = max(images / 4, 10)
            step("1/6", "dataset: generating \(images) + \(val) synthetic \(size)×\(size) images of "
                + SyntheticShapes.classes.joined(separator: " / ") + " into \(root)")
            do {
                _ = try generator.writeDataset(root: root, train: images, val: val) { done, total in
                    if done % 100 == 0 || done == total { Console.progress("writing images \(done)/\(total)") }
                }
                Console.endProgress()
            } catch {
                Console.endProgress()
                throw CLIError.input("cannot write the dataset to '\(root)': \(CLIError.reason(error))")
            }
        }

        let floatModel = out + "/train/model.tflite"
        let int8Model = out + "/model_int8.tflite"
        let reportDir = out + "/report"
        try invoke(TrainCommand.self, "2/6", ["--data", root, "--arch", "micro", "--size", "\(size)", "--resize", "bilinear",
                                             "--epochs", "\(epochs)", "--seed", "\(seed)", "--out", out + "/train"])
        try invoke(QuantizeCommand.self, "3/6", [floatModel, "--calib", root + "/train", "--out", int8Model])

        // A real validation image as the simulation input, quantized as the int8 model expects.
        let sampleInput = out + "/sample_input.bin"
        try writeSampleInput(model: int8Model, data: root + "/val", to: sampleInput)
        try invoke(SimulateCommand.self, "4/6", [int8Model, "--target", "host", "--input", sampleInput,
                                                 "--output", out + "/sample_output_host.bin", "--ram", "256K", "--flash", "1M"])
        var firmware = "ran"
        do {
            try invoke(SimulateCommand.self, "5/6", [int8Model, "--target", "cortex-m4", "--input", sampleInput,
                                                     "--output", out + "/sample_output_cortex_m4.bin", "--ram", "256K", "--flash", "1M"])
        } catch let error as CLIError {
            // Only a missing emulator is tolerated here; a firmware that disagrees with the host is a failure.
            guard !FirmwareSimulator.onPath("qemu-system-arm") else { throw error }
            firmware = "skipped: qemu-system-arm is not installed (apt-get install qemu-system-arm, then run again)"
            Console.out("   Cortex-M4 skipped: qemu-system-arm is not installed (apt-get install qemu-system-arm).")
        }
        try invoke(ReportCommand.self, "6/6", ["--float", floatModel, "--int8", int8Model, "--data", root + "/val",
                                               "--out", reportDir, "--ram", "256K", "--flash", "1M"])

        let minutes = Date().timeIntervalSince(started) / 60
        Console.out("")
        Console.out("demo finished in \(String(format: "%.1f", minutes)) min:")
        var table = TextTable([("", .left), ("", .left)])
        table.add(["dataset", root])
        table.add(["float model", floatModel])
        table.add(["int8 model", int8Model])
        table.add(["Cortex-M4 run", firmware])
        table.add(["report", "\(reportDir)/report.html (also report.md, report.json)"])
        Console.out(table.render(header: false))
    }

    /// Prints the command line a user would type for this step, then runs it in this process.
    private static func invoke(_ command: any Command.Type, _ label: String, _ words: [String]) throws {
        step(label, "mote \(command.spec.name) " + words.map(quoted).joined(separator: " "))
        let parsed = try ParsedArguments(words, spec: command.spec)
        do {
            try command.run(parsed)
        } catch let status as ExitStatus where status.code != 0 {
            throw CLIError.input("step '\(command.spec.name)' ended with exit code \(status.code)")
        }
    }

    private static func step(_ label: String, _ text: String) {
        Console.out("")
        Console.out("[\(label)] \(text)")
    }

    private static func quoted(_ word: String) -> String {
        word.contains(" ") ? "'\(word)'" : word
    }

    /// The first validation image (sorted order), preprocessed with the model's metadata and
    /// quantized to the int8 model's input bytes.
    private static func writeSampleInput(model path: String, data: String, to output: String) throws {
        do {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let host = try HostInt8Model(bytes: bytes)
            guard let json = host.ir.moteMetadataJSON, let preprocessing = try Preprocessing(metadataJSON: json) else {
                throw CLIError.input("'\(path)' has no mote metadata input entry")
            }
            let dataset = try ImageDataset.labeledFolder(data)
            guard let first = dataset.items.first else { throw CLIError.input("'\(data)' holds no images") }
            try host.setInput(0, try preprocessing.load(path: first.path))
            let raw = Array(host.interpreter.tensorBytes(host.interpreter.inputTensorIndex(0)))
            try Data(raw).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.input("cannot prepare the simulation input: \(error)")
        }
    }
}
