import Foundation
import MoteFloat
import MoteImage
import MoteModel
import MoteTrain

/// `mote train --data ROOT --arch seed|micro --size S --epochs E --out DIR`: trains a built-in
/// architecture on ROOT/train, validates on ROOT/val each epoch, and exports the float model.
enum TrainCommand: Command {
    static let spec = CommandSpec(
        name: "train",
        summary: "train a built-in architecture (seed, micro) on labeled image folders and export a float .tflite",
        positionals: [],
        options: [
            OptionSpec(name: "data", valueName: "ROOT", required: true, help: "folder with train/CLASS/*.jpg and val/CLASS/*.jpg"),
            OptionSpec(name: "arch", valueName: "seed|micro", required: true,
                       help: "'seed': the Keras tutorial CNN; 'micro': depthwise-separable, BatchNorm, ReLU6, for microcontrollers"),
            OptionSpec(name: "size", valueName: "S", required: true, help: "square input size in pixels (e.g. 64 for seed, 96 for micro)"),
            OptionSpec(name: "epochs", valueName: "E", required: true, help: "epochs to train (a resumed run counts those already done)"),
            OptionSpec(name: "out", valueName: "DIR", required: true, help: "output folder: DIR/model.tflite, DIR/history.json, DIR/checkpoints/"),
            OptionSpec(name: "resize", valueName: "nearest|bilinear|area", help: "resize filter when decoding (default nearest, as Keras' load_img)"),
            OptionSpec(name: "gray", help: "train on grayscale (1 channel) instead of RGB"),
            OptionSpec(name: "batch", valueName: "B", help: "batch size (default 32)"),
            OptionSpec(name: "seed", valueName: "N", help: "seed of weights, data order, augmentation and dropout (default 1)"),
            OptionSpec(name: "lr", valueName: "RATE", help: "learning rate (default 1e-3 for adam, 1e-2 for sgd)"),
            OptionSpec(name: "optimizer", valueName: "adam|sgd", help: "optimizer (default adam: Keras' defaults)"),
            OptionSpec(name: "momentum", valueName: "M", help: "SGD momentum (default 0.9)"),
            OptionSpec(name: "augment", valueName: "keras|none", help: "augmentation (default keras: the tutorial's ImageDataGenerator settings)"),
            OptionSpec(name: "checkpoint-every", valueName: "N", help: "also write DIR/checkpoints/last.ckpt every N steps (default: at epoch ends only)"),
            OptionSpec(name: "resume", help: "continue from DIR/checkpoints/last.ckpt (same options and seed)"),
            OptionSpec(name: "early-stop", valueName: "P", help: "stop when the validation loss has not improved for P epochs"),
            OptionSpec(name: "threads", valueName: "T", help: "training threads (default 2)"),
            OptionSpec(name: "strict", help: "fail on the first corrupt or non-image file instead of skipping it"),
            .json,
        ],
        discussion: """
            Images are decoded once into memory (RGB or --gray, resized to S×S with --resize, pixels
            scaled by 1/255); augmentation runs on the fly on a background thread. Files that do not
            decode are listed on standard error and skipped (--strict: the command fails instead).
            Two classes train one sigmoid output with binary cross-entropy, more a softmax with
            categorical cross-entropy. Each epoch ends with validation on ROOT/val and a checkpoint
            (DIR/checkpoints/last.ckpt; best.ckpt keeps the lowest validation loss). A seed fixes the
            run: the same options give the same weights. The exported model (final weights, BatchNorm
            folded, activations fused) carries the 'mote' metadata: input size, channels, resize,
            scale 1/255, offset 0 and the class names.
            """)

    static func run(_ args: ParsedArguments) throws {
        let json = args.flag("json")
        let root = args.value("data")!
        guard let arch = Architecture(rawValue: args.value("arch")!) else {
            throw args.usage("option '--arch' takes 'seed' or 'micro', got '\(args.value("arch")!)'")
        }
        let size = try args.integer("size", default: 64, in: 8...1024)
        let epochs = try args.integer("epochs", default: 1, in: 1...100_000)
        let batch = try args.integer("batch", default: 32, in: 1...4096)
        let seed = try args.integer("seed", default: 1, in: 0...Int.max)
        let threads = try args.integer("threads", default: 2, in: 1...64)
        let checkpointEvery = try args.integer("checkpoint-every", default: 0, in: 0...Int.max)
        let earlyStop: Int? = args.value("early-stop") == nil ? nil : try args.integer("early-stop", default: 0, in: 1...100_000)
        let resizeName = args.value("resize") ?? "nearest"
        guard let resize = ResizeMethod(rawValue: resizeName) else {
            throw args.usage("option '--resize' takes 'nearest', 'bilinear' or 'area', got '\(resizeName)'")
        }
        let augmentation: Augmentation
        switch args.value("augment") ?? "keras" {
        case "keras": augmentation = .kerasTutorial
        case "none": augmentation = .none
        case let other: throw args.usage("option '--augment' takes 'keras' or 'none', got '\(other)'")
        }
        let optimizerName = args.value("optimizer") ?? "adam"
        guard optimizerName == "adam" || optimizerName == "sgd" else {
            throw args.usage("option '--optimizer' takes 'adam' or 'sgd', got '\(optimizerName)'")
        }
        let lr = try number(args, "lr", default: optimizerName == "adam" ? 1e-3 : 1e-2, in: 0...10)
        let momentum = try number(args, "momentum", default: 0.9, in: 0...0.9999)
        let channels = args.flag("gray") ? 1 : 3
        let out = URL(fileURLWithPath: args.value("out")!)
        let checkpoints = out.appendingPathComponent("checkpoints")

        do { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) } catch {
            throw CLIError.input("cannot create the output folder \(out.path): \(error.localizedDescription)")
        }

        // Data: decoded once into memory.
        let sets: (train: ImageDataset, val: ImageDataset)
        do { sets = try ImageDataset.trainVal(root: root) } catch { throw CLIError.input("\(error)") }
        guard sets.train.classes == sets.val.classes else {
            throw CLIError.input("\(root): train has classes \(sets.train.classes), val has \(sets.val.classes)")
        }
        func decode(_ d: ImageDataset, _ name: String) throws -> DecodedImages {
            let images: DecodedImages
            do {
                images = try DecodedImages.decode(d, height: size, width: size, channels: channels, resize: resize, strict: args.flag("strict"),
                                                  threads: threads) { done, total in Console.progress("decoding \(name): \(done)/\(total)") }
            } catch { Console.endProgress(); throw CLIError.input("\(error)") }
            Console.endProgress()
            for s in images.skipped { Console.err("skipped \(s.path): \(s.reason)") }
            return images
        }
        let start = Date()
        let train = try decode(sets.train, "train"), val = try decode(sets.val, "val")
        let decodeSeconds = Date().timeIntervalSince(start)
        Console.err("decoded \(train.count) train and \(val.count) val images (\(train.skipped.count + val.skipped.count) skipped) "
                    + "at \(size)×\(size)×\(channels), \(resize.rawValue), in \(String(format: "%.1f", decodeSeconds)) s")

        // Model and training.
        let classes = train.classes
        let loss = Architecture.loss(classes: classes.count)
        let model: Sequential
        let trainer: Trainer
        let trainBatches: ImageBatches, valBatches: ImageBatches
        do {
            model = try Sequential(inputShape: [size, size, channels], layers: arch.layers(classes: classes.count), seed: UInt64(seed),
                                   maxBatch: batch, threads: threads)
            let optimizer: Optimizer = optimizerName == "adam" ? Adam(learningRate: Float(lr)) : SGD(learningRate: Float(lr), momentum: Float(momentum))
            trainer = Trainer(model: model, loss: loss, optimizer: optimizer)
            trainBatches = try ImageBatches(images: train, batchSize: batch, augmentation: augmentation, seed: UInt64(seed), shuffle: true)
            valBatches = try ImageBatches(images: val, batchSize: batch, augmentation: .none, seed: 0, shuffle: false)
        } catch { throw CLIError.input("\(error)") }
        Console.err("\(arch.rawValue): \(Format.grouped(model.parameterCount)) parameters, \(classes.count) classes \(classes), "
                    + "\(optimizerName) lr \(lr), batch \(batch), \(threads) threads, augmentation \(augmentation.isNone ? "none" : "keras")")

        var options = FitOptions(epochs: epochs)
        options.batchSize = batch
        options.seed = UInt64(seed)
        options.checkpointDirectory = checkpoints
        options.checkpointEvery = checkpointEvery
        options.resume = args.flag("resume")
        options.earlyStopPatience = earlyStop
        if options.resume && !FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("last.ckpt").path) {
            throw CLIError.input("--resume: no checkpoint at \(checkpoints.appendingPathComponent("last.ckpt").path)")
        }
        var lastDraw: UInt64 = 0
        let result: FitResult
        do {
            result = try trainer.fit(trainBatches, validation: valBatches, options: options) { event in
                switch event {
                case let .step(epoch, epochs, b, batches, l, acc, ips, eta):
                    let now = Clock.nanoseconds()
                    // A redrawn bar on a terminal; in a log, one line a minute.
                    let interval: UInt64 = Console.errorIsTerminal ? 200_000_000 : 60_000_000_000
                    guard now - lastDraw > interval || (b == batches && Console.errorIsTerminal) else { return }
                    lastDraw = now
                    if !Console.errorIsTerminal {
                        Console.err("epoch \(epoch + 1)/\(epochs) batch \(b)/\(batches) loss \(String(format: "%.4f", l)) "
                                    + "acc \(String(format: "%.4f", acc)) \(Int(ips)) img/s ETA \(Int(eta)) s")
                        return
                    }
                    let width = 24, filled = width * b / batches
                    let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
                    Console.progress("epoch \(epoch + 1)/\(epochs) [\(bar)] \(b)/\(batches) loss \(String(format: "%.4f", l)) "
                                     + "acc \(String(format: "%.4f", acc)) \(Int(ips)) img/s ETA \(Int(eta)) s")
                case .validating(let epoch):
                    Console.progress("epoch \(epoch + 1): validating")
                case .epoch(let m):
                    Console.endProgress()
                    Console.err("epoch \(m.epoch + 1)/\(epochs): loss \(String(format: "%.4f", m.loss)) acc \(String(format: "%.4f", m.accuracy)) "
                                + "val_loss \(String(format: "%.4f", m.valLoss ?? .nan)) val_acc \(String(format: "%.4f", m.valAccuracy ?? .nan)) "
                                + "\(String(format: "%.1f", m.trainSeconds)) s \(Int(m.imagesPerSecond)) img/s")
                case let .resumed(epoch, b, step):
                    Console.err("resumed from \(checkpoints.appendingPathComponent("last.ckpt").path): epoch \(epoch + 1), batch \(b), step \(step)")
                case let .earlyStop(epoch, best):
                    Console.err("early stop after epoch \(epoch + 1): no validation-loss improvement since epoch \(best + 1)")
                case .checkpoint:
                    break
                }
            }
        } catch { Console.endProgress(); throw CLIError.input("\(error)") }

        // Export.
        let modelURL = out.appendingPathComponent("model.tflite")
        let metadata = ExportMetadata(input: .init(height: size, width: size, channels: channels, resize: resize.rawValue), classes: classes)
        do {
            let exported = try TFLiteExporter.export(model, metadata: metadata)
            try exported.write(to: modelURL)
        } catch { throw CLIError.input("export to \(modelURL.path) failed: \(error)") }
        let history = result.history
        let steady = history.count > 1 ? Array(history.dropFirst()) : history
        let medianIPS = median(steady.map(\.imagesPerSecond))
        let final = history.last
        let historyJSON = JSONValue.array(history.map { m in
            .object([("epoch", .int(m.epoch + 1)), ("loss", .double(m.loss)), ("accuracy", .double(m.accuracy)),
                     ("val_loss", JSONValue.optional(m.valLoss) { .double($0) }), ("val_accuracy", JSONValue.optional(m.valAccuracy) { .double($0) }),
                     ("train_seconds", .double(m.trainSeconds)), ("images_per_second", .double(m.imagesPerSecond))])
        })
        let report = JSONValue.object([
            ("data", .string(root)), ("arch", .string(arch.rawValue)), ("size", .int(size)), ("channels", .int(channels)),
            ("resize", .string(resize.rawValue)), ("augment", .string(augmentation.isNone ? "none" : "keras")),
            ("optimizer", .string(optimizerName)), ("learning_rate", .double(lr)), ("batch", .int(batch)), ("seed", .int(seed)),
            ("threads", .int(threads)), ("parameters", .int(model.parameterCount)), ("classes", .array(classes.map { .string($0) })),
            ("train_images", .int(train.count)), ("val_images", .int(val.count)),
            ("skipped", .array((train.skipped + val.skipped).map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
            ("decode_seconds", .double(decodeSeconds)),
            ("epochs", .int(history.count)), ("early_stopped", .bool(result.earlyStopped)),
            ("final_val_accuracy", JSONValue.optional(final?.valAccuracy) { .double($0) }),
            ("final_val_loss", JSONValue.optional(final?.valLoss) { .double($0) }),
            ("median_images_per_second_after_first", .double(medianIPS)),
            ("history", historyJSON),
            ("model", .string(modelURL.path)), ("checkpoints", .string(checkpoints.path)),
        ])
        let historyURL = out.appendingPathComponent("history.json")
        let text = report.rendered()
        try text.utf8CString.withUnsafeBytes { raw in
            try AtomicFile.write(UnsafeRawBufferPointer(rebasing: raw.dropLast()), to: historyURL.path)
        }
        if json { Console.out(text) }
        let acc = final?.valAccuracy.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a"
        let line = "trained \(arch.rawValue)-\(size) for \(history.count) epochs: final val accuracy \(acc), median \(Int(medianIPS)) img/s; "
            + "model \(modelURL.path), history \(historyURL.path), checkpoints \(checkpoints.path)/"
        if json { Console.err(line) } else { Console.out(line) }
    }

    private static func number(_ args: ParsedArguments, _ name: String, default d: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = args.value(name) else { return d }
        guard let v = Double(text), range.contains(v) else {
            throw args.usage("option '--\(name)' takes a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return v
    }

    private static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
