import Foundation
import MoteCore
import MoteImage
import MoteModel
import MoteReport
import MoteSim

/// `mote report --float F --int8 Q --data DIR --out DIR`: what quantization cost, per image and
/// per layer, and whether the int8 model fits its budget; writes report.json, report.md, report.html.
enum ReportCommand: Command {
    /// Exit code when the drop is larger than `--max-drop` (the report is still written).
    static let dropExitCode: Int32 = 3
    /// Exit code when the int8 model is over `--ram` or `--flash` (the report is still written).
    static let overBudgetExitCode: Int32 = 4

    static let spec = CommandSpec(
        name: "report",
        summary: "accuracy-drop report of an int8 model against its float model: per image, per layer, memory vs budget",
        positionals: [],
        options: [
            OptionSpec(name: "float", valueName: "F.tflite", required: true, help: "the float32 model"),
            OptionSpec(name: "int8", valueName: "Q.tflite", required: true, help: "the full-integer int8 model quantized from it"),
            OptionSpec(name: "data", valueName: "DIR", required: true, help: "labeled folder DIR/CLASS/*.jpg (classes in sorted order)"),
            OptionSpec(name: "out", valueName: "DIR", required: true, help: "where to write report.json, report.md and report.html (created if missing)"),
            OptionSpec(name: "max-drop", valueName: "PP", help: "fail (exit 3) when the accuracy drop exceeds PP percentage points"),
            OptionSpec(name: "ram", valueName: "BYTES", help: "RAM budget for the int8 model's arena (256K; K = 1024); over it: exit 4"),
            OptionSpec(name: "flash", valueName: "BYTES", help: "flash budget for the int8 model file (1M = 1,048,576); over it: exit 4"),
            OptionSpec(name: "samples", valueName: "N", help: "use N images, drawn seeded and class-balanced (default: every image)"),
            OptionSpec(name: "memory", valueName: "compact|fast", help: "the core's kernels for the arena figure (default compact, as on firmware)"),
            OptionSpec(name: "target", valueName: "host|cortex-m4|aarch64-linux",
                       help: "where the memory figures come from (default host: the arena and the file); a firmware target runs one inference under QEMU and takes the linker's RAM and flash"),
        ] + PreprocessingOptions.specs + [.json],
        discussion: """
            Every image is decoded once, preprocessed as the float model's metadata says (or the options), and run
            through both models: the float one on MoteFloat, the int8 one on MoteCore (input quantized as TFLite's
            tools do). A one-output model is a sigmoid (score > 0.5 is class 1), otherwise the largest score wins.
            Per layer, each int8 operator output is compared, dequantized, with the float output it approximates;
            operators are matched by order (QUANTIZE/DEQUANTIZE left out, operator names aligned; tensor names are a
            cross-check) and the layers that could not be matched are listed. SQNR = 10 log10(sum f^2 / sum (q-f)^2)
            over all elements of all images; saturation counts raw int8 values at -128 and 127.
            Memory: RAM is the arena MoteCore plans for the int8 model (planned + persistent), flash the model file;
            with --target cortex-m4|aarch64-linux, the firmware's from the linker (firmware-sim/run.sh, needs QEMU),
            after one inference on seeded input bytes whose outputs must equal the host's (exit 2 otherwise).
            The report opens with a verdict line, also printed here. Files are written atomically.
            Exit codes: 0 done, 1 usage, 2 unreadable model/data, 3 drop above --max-drop, 4 over --ram/--flash
            (3 wins when both apply; the report is written in every case but 1 and 2).
            """)

    static func run(_ args: ParsedArguments) throws {
        let json = args.flag("json")
        let floatPath = args.value("float")!, int8Path = args.value("int8")!, root = args.value("data")!, outDir = args.value("out")!
        let budget = MemoryBudget(ram: try args.byteCount("ram"), flash: try args.byteCount("flash"))
        let memory: Interpreter.MemoryPolicy = args.value("memory") == nil ? .compact : try args.memoryPolicy()
        var maxDrop: Double? = nil
        if let text = args.value("max-drop") {
            guard let v = Double(text), v.isFinite, v >= 0 else { throw args.usage("option '--max-drop' needs a number of percentage points >= 0, got '\(text)'") }
            maxDrop = v
        }
        let samples = args.value("samples") == nil ? nil : try args.integer("samples", default: 0, in: 1...10_000_000)

        let floatBytes = try read(floatPath, "float model"), int8Bytes = try read(int8Path, "int8 model")
        let floatIR: TFLiteModel
        do { floatIR = try TFLiteModel(bytes: floatBytes) } catch { throw CLIError.input("'\(floatPath)' is not a readable .tflite model: \(error)") }
        guard let fg = floatIR.subgraphs.first, fg.inputs.count == 1, fg.tensors[fg.inputs[0]].type == .float32 else {
            throw CLIError.input("'\(floatPath)' must be a float model with one float32 input")
        }
        let host: HostInt8Model
        do { host = try HostInt8Model(bytes: int8Bytes, memoryPolicy: memory) } catch { throw CLIError.input("'\(int8Path)': \(error)") }
        guard host.interpreter.inputCount == 1, host.tensor(host.interpreter.inputTensorIndex(0))?.type == .int8 else {
            throw CLIError.input("'\(int8Path)' must be a full-integer model with one int8 input")
        }
        let preprocessing = try PreprocessingOptions.resolve(args, model: floatIR, path: floatPath)
        let intShape = host.tensor(host.interpreter.inputTensorIndex(0))!.shape
        guard intShape.dropFirst().reduce(1, *) == preprocessing.elementCount else {
            throw CLIError.input("'\(int8Path)' takes input \(intShape), the float model \(fg.tensors[fg.inputs[0]].shape): not the same network")
        }
        var dataset: ImageDataset
        do { dataset = try ImageDataset.labeledFolder(root) } catch { throw CLIError.input("\(error)") }
        if let samples, samples < dataset.count { dataset = dataset.balancedSample(count: samples, seed: 1) }
        guard dataset.count > 0 else { throw CLIError.input("no images found in '\(root)' (expected \(root)/CLASS/*.jpg)") }

        guard let target = SimulationTarget(rawValue: args.value("target") ?? "host") else {
            throw args.usage("option '--target' takes host, cortex-m4 or aarch64-linux, got '\(args.value("target")!)'")
        }
        var footprint: MemoryFootprint? = nil
        var firmware: FirmwareCheck? = nil
        if target != .host {
            (footprint, firmware) = try runFirmware(target, int8Path: int8Path, host: host, budget: budget)
            if !firmware!.outputsMatchHost {
                throw CLIError.input("\(target.rawValue): the firmware's outputs differ from the host's for the same input; no report written")
            }
        }

        let start = Date()
        let outcome: ReportGenerator.Outcome
        do {
            outcome = try ReportGenerator.generate(
                floatModel: floatIR, floatPath: floatPath, floatBytes: floatBytes.count, host: host, int8Path: int8Path,
                dataset: dataset, root: root, preprocessing: preprocessing, budget: budget, maxDropPP: maxDrop,
                dataNote: samples != nil ? ", \(dataset.count) images sampled (seed 1, class-balanced)" : "",
                footprint: footprint, firmware: firmware) { done, total in
                if done % 20 == 0 || done == total {
                    let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-9)
                    Console.progress("report: \(done)/\(total) images, \(Int(rate)) img/s")
                }
            }
        } catch {
            Console.endProgress()
            throw CLIError.input("\(error); no report written")
        }
        Console.endProgress()
        let skipped = outcome.skipped
        for s in skipped.prefix(20) { Console.err("mote report: skipped \(s.path): \(s.reason)") }
        if skipped.count > 20 { Console.err("mote report: ... and \(skipped.count - 20) more skipped images") }
        let report = outcome.report
        let files: [URL]
        do { files = try ReportWriter.write(report, to: URL(fileURLWithPath: outDir)) } catch {
            throw CLIError.input("cannot write the report into '\(outDir)': \(CLIError.reason(error))")
        }

        if json {
            Console.out(JSONValue.object([
                ("verdict", .string(report.verdict)),
                ("float_accuracy", .double(report.accuracy.floatAccuracy)), ("int8_accuracy", .double(report.accuracy.int8Accuracy)),
                ("drop_pp", .double(report.accuracy.dropPP)), ("predictions_changed", .int(report.accuracy.changedPredictions)),
                ("images", .int(report.accuracy.images)),
                ("worst_layer", JSONValue.optional(report.worstLayer) { .string($0.name) }),
                ("worst_layer_sqnr_db", JSONValue.optional(report.worstLayer?.sqnrDB) { .double($0) }),
                ("ram", .int(report.memory.ram.used)), ("ram_budget", JSONValue.optional(report.memory.ram.limit) { .int($0) }),
                ("flash", .int(report.memory.flash.used)), ("flash_budget", JSONValue.optional(report.memory.flash.limit) { .int($0) }),
                ("memory", .string(report.memory.line)), ("fits", .bool(report.memory.fits)),
                ("gate_passed", JSONValue.optional(report.gate) { .bool($0.passed) }),
                ("target", .string(report.memory.footprint.target)),
                ("instructions", JSONValue.optional(report.firmware?.instructions) { .int($0) }),
                ("files", .array(files.map { .string($0.path) })),
            ]).rendered())
        } else {
            Console.out(report.verdict)
            Console.out("memory: " + report.memory.line)
            if let f = report.firmwareLine { Console.out(f) }
            if let g = report.gate {
                Console.out("gate: drop \(String(format: "%.2f", report.accuracy.dropPP)) pp " + (g.passed ? "<=" : ">") + " --max-drop \(String(format: "%.2f", g.maxDropPP)) pp: " + (g.passed ? "passed" : "FAILED"))
            }
            if !report.unmatched.isEmpty { Console.out("layers not compared: \(report.unmatched.count) (listed in the report)") }
            Console.out("wrote \(files.map(\.path).joined(separator: ", ")) (\(report.accuracy.images) images, \(report.layers.count) layers compared, \(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
        }
        if let g = report.gate, !g.passed { throw ExitStatus(code: dropExitCode) }
        if !report.memory.fits { throw ExitStatus(code: overBudgetExitCode) }
    }

    /// One inference of `int8Path` on `target` with seeded input bytes, checked against `host`
    /// on the same bytes; the firmware's memory figures.
    static func runFirmware(_ target: SimulationTarget, int8Path: String, host: HostInt8Model,
                            budget: MemoryBudget) throws -> (MemoryFootprint, FirmwareCheck) {
        let it = host.interpreter
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mote-report-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try? FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var files: [String] = []
        for k in 0..<it.inputCount {
            let bytes = SimulateCommand.seededBytes(count: it.input(k).count, seed: UInt64(k))
            try host.setInput(k, raw: bytes)
            let url = work.appendingPathComponent("input\(k).bin")
            try Data(bytes).write(to: url)
            files.append(url.path)
        }
        host.invoke()
        let expected = (0..<it.outputCount).map { host.rawOutput($0) }
        Console.progress("report: running \(int8Path) on \(target.rawValue) ...")
        defer { Console.endProgress() }
        let run: FirmwareRun
        do {
            run = try FirmwareSimulator.locate().run(target: target, model: int8Path, inputs: files, outputCount: it.outputCount,
                                                     outputDirectory: work, ram: budget.ram, flash: budget.flash)
        } catch {
            throw CLIError.input("\(target.rawValue): \(error)")
        }
        guard let ram = run.ram, let flash = run.flash else {
            throw CLIError.input("\(target.rawValue): firmware-sim/run.sh reported no RAM or flash figure")
        }
        return (MemoryFootprint(target: target.rawValue, ram: ram, flash: flash),
                FirmwareCheck(target: target.rawValue, instructions: run.instructions, outputsMatchHost: run.outputs == expected))
    }

    static func read(_ path: String, _ what: String) throws -> [UInt8] {
        do { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw CLIError.input("cannot read \(what) '\(path)': \(CLIError.reason(error))")
        }
    }
}
