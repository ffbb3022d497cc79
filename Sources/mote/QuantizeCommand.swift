import Foundation
import MoteCore
import MoteImage
import MoteModel
import MoteQuant

/// `mote quantize FLOAT.tflite --calib DIR --out INT8.tflite`: post-training int8 quantization.
enum QuantizeCommand: Command {
    static let spec = CommandSpec(
        name: "quantize",
        summary: "quantize a float .tflite to full-integer int8, calibrated on images of a labeled folder",
        positionals: [("FLOAT.tflite", "a float32 TFLite model (Mote's, or one TensorFlow's converter wrote)")],
        options: [
            OptionSpec(name: "calib", valueName: "DIR", required: true,
                       help: "labeled calibration folder DIR/CLASS/*.jpg (training data, never the evaluation data)"),
            OptionSpec(name: "out", short: "o", valueName: "INT8.tflite", required: true, help: "where to write the int8 model"),
            OptionSpec(name: "recipe", valueName: "FILE", help: "calibration recipe JSON (default: the built-in default, calibration/default.json)"),
            OptionSpec(name: "samples", valueName: "N", help: "calibration images, class-balanced (overrides the recipe's samples)"),
            OptionSpec(name: "seed", valueName: "S", help: "seed of the calibration draw (overrides the recipe's seed)"),
        ] + PreprocessingOptions.specs + [.json],
        discussion: """
            Calibration images are drawn seeded and class-balanced from --calib and preprocessed as the
            model's 'mote' metadata says (input = pixel x scale + offset); a model without metadata (e.g. a
            Keras model converted by TensorFlow) takes --size/--resize/--scale/--offset, and the int8 model
            then records them. The int8 model has int8 input and output tensors, per-channel int8 weights,
            int32 biases, and a 'calibration' summary in its 'mote' metadata. calibration/README.md
            documents the recipe fields.
            """)

    static func run(_ args: ParsedArguments) throws {
        let json = args.flag("json")
        let floatPath = args.positional(0)
        let outPath = args.value("out")!
        let calibDir = args.value("calib")!
        var recipe = CalibrationRecipe()
        if let path = args.value("recipe") {
            do { recipe = try CalibrationRecipe(contentsOf: path) } catch { throw CLIError.input("recipe '\(path)': \(error)") }
        }
        if args.value("samples") != nil { recipe.samples = try args.integer("samples", default: recipe.samples, in: 1...100_000) }
        if let s = args.value("seed") {
            guard let seed = UInt64(s) else { throw args.usage("--seed takes a non-negative integer, not '\(s)'") }
            recipe.seed = seed
        }
        let directory = URL(fileURLWithPath: outPath).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.input("cannot write '\(outPath)': directory '\(directory)' does not exist")
        }

        let float: TFLiteModel
        do { float = try TFLiteModel(contentsOf: URL(fileURLWithPath: floatPath)) } catch {
            throw CLIError.input("cannot read float model '\(floatPath)': \(error)")
        }
        do { try PostTrainingQuantizer.validate(float) } catch { throw CLIError.input("\(floatPath): \(error)") }
        let (preprocessing, fromMetadata) = try self.preprocessing(float, args, path: floatPath)

        let data: ImageCalibrationData
        do {
            data = try ImageCalibrationData(folder: calibDir, samples: recipe.samples, seed: recipe.seed, preprocessing: preprocessing)
        } catch { throw CLIError.input("\(error)") }

        var quantizer = PostTrainingQuantizer(recipe: recipe, inputRange: PostTrainingQuantizer.pixelRange(scale: preprocessing.scale, offset: preprocessing.offset))
        let start = Clock.nanoseconds()
        quantizer.progress = { stage, done, total in
            guard done == total || done % 5 == 0 else { return }
            Console.progress("\(stage) \(bar(done, total)) \(done)/\(total)")
        }
        var result: (model: TFLiteModel, report: QuantizationReport)
        do {
            result = try quantizer.quantize(float, calibration: data) { try FloatExecutorRunner(model: $0) }
        } catch let e as QuantError {
            Console.endProgress()
            throw CLIError.input("\(floatPath): \(e)")
        } catch {
            Console.endProgress()
            throw CLIError.input("\(floatPath): \(error)")
        }
        Console.endProgress()
        if !fromMetadata { try record(preprocessing, in: &result.model) }
        // The core must accept the model before it is written.
        do { _ = try MoteCoreRunner(result.model) } catch {
            throw CLIError.input("MoteCore rejects the quantized model (nothing written to '\(outPath)'): \(error)")
        }
        let bytes = result.model.serialized()
        try bytes.withUnsafeBytes { try AtomicFile.write($0, to: outPath) }
        let seconds = Double(Clock.nanoseconds() - start) / 1e9
        let report = result.report
        if json {
            Console.out(self.json(report, float: floatPath, out: outPath, bytes: bytes.count, calib: calibDir, seconds: seconds).rendered())
            return
        }
        Console.out(table(report))
        let pre = "\(preprocessing.height)x\(preprocessing.width)x\(preprocessing.channels) \(preprocessing.resize.rawValue), scale \(Format.scale(preprocessing.scale)), offset \(Format.scale(preprocessing.offset))"
        Console.out("preprocessing (\(fromMetadata ? "the model's metadata" : "options and the input shape; recorded in the int8 model's metadata")): \(pre)")
        for line in recoveryLines(report) { Console.out(line) }
        Console.out("quantized \(floatPath) with \(Format.count(report.samples, "calibration image")) from \(calibDir) (observer \(report.recipe.observer.rawValue), seed \(report.recipe.seed)) in \(String(format: "%.1f", seconds)) s; wrote \(outPath) (\(Format.bytes(bytes.count)))")
    }

    static func bar(_ done: Int, _ total: Int) -> String {
        let width = 30
        let filled = total > 0 ? done * width / total : width
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    /// The preprocessing (`PreprocessingOptions`) and whether it is exactly the model's metadata.
    static func preprocessing(_ model: TFLiteModel, _ args: ParsedArguments, path: String) throws -> (Preprocessing, Bool) {
        let p = try PreprocessingOptions.resolve(args, model: model, path: path)
        let meta = model.moteMetadataJSON.flatMap { try? Preprocessing(metadataJSON: $0) }
        return (p, meta == p)
    }

    /// Records the preprocessing used in the int8 model's `mote` metadata (`input`).
    static func record(_ p: Preprocessing, in model: inout TFLiteModel) throws {
        var root: [String: Any] = [:]
        if let json = model.moteMetadataJSON, let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] { root = object }
        root["input"] = p.metadataInput
        model.moteMetadataJSON = [UInt8](try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]))
    }

    static func short(_ name: String) -> String {
        let first = name.split(separator: ";").first.map(String.init) ?? name
        return first.count > 40 ? "…" + first.suffix(39) : first
    }

    static func percent(_ f: Double) -> String { f == 0 ? "0" : String(format: "%.4f%%", f * 100) }

    static func table(_ r: QuantizationReport) -> String {
        var t = TextTable([("tensor", .right), ("written by", .left), ("name", .left), ("observed", .left),
                           ("int8 range", .left), ("scale", .right), ("zp", .right), ("clipped", .right), ("range from", .left)])
        for x in r.tensors {
            let observed = x.observedMin.map { "[\(Format.scale($0)), \(Format.scale(x.observedMax ?? 0))]" } ?? "-"
            t.add(["\(x.tensor)", x.producer, short(x.name), observed, "[\(Format.scale(x.representableMin)), \(Format.scale(x.representableMax))]",
                   Format.scale(x.scale), "\(x.zeroPoint)", percent(x.clippedFraction), x.reason])
        }
        var w = TextTable([("op", .right), ("operator", .left), ("output", .left), ("weight scales", .left), ("zero channels", .right), ("saturated bias", .right)])
        for x in r.weights {
            w.add(["\(x.op)", x.opName, short(x.output), "\(Format.scale(x.minScale)) … \(Format.scale(x.maxScale))", "\(x.zeroChannels)", "\(x.saturatedBias)"])
        }
        return "activations:\n" + t.render() + "\nweights:\n" + w.render()
    }

    static func recoveryLines(_ r: QuantizationReport) -> [String] {
        var lines: [String] = []
        lines.append("batch-norm folding: " + (r.recipe.foldBatchNorm ? (r.batchNormFolds.isEmpty ? "nothing to fold" :
            r.batchNormFolds.map { "\($0.op) into \(short($0.into))" }.joined(separator: ", ")) : "off"))
        lines.append("cross-layer equalization: " + (r.recipe.crossLayerEqualization ? (r.equalization.isEmpty ? "no depthwise-separable pair" :
            r.equalization.map { "\(short($0.depthwise)) spread \(String(format: "%.1f", $0.depthwiseSpreadBefore)) -> \(String(format: "%.1f", $0.depthwiseSpreadAfter))" }.joined(separator: "; ")) : "off"))
        if r.recipe.biasCorrection {
            lines.append("bias correction:")
            for c in r.biasCorrection {
                lines.append("  op \(c.op) \(short(c.output)): mean error max \(Format.scale(Float(c.maxMeanError))), mean |error| \(Format.scale(Float(c.meanAbsError))), bias change up to \(c.maxBiasDelta) codes")
            }
        } else {
            lines.append("bias correction: off")
        }
        if r.recipe.thresholdRounding {
            lines.append("threshold rounding: " + (r.thresholdRounding.isEmpty ? "no sigmoid output" :
                r.thresholdRounding.map { "op \($0.op) \(short($0.output)) bias +\($0.biasDelta) codes" }.joined(separator: "; ")))
        }
        if r.requantizeInserted > 0 { lines.append("QUANTIZE inserted before \(Format.count(r.requantizeInserted, "concatenation input"))") }
        return lines
    }

    static func json(_ r: QuantizationReport, float: String, out: String, bytes: Int, calib: String, seconds: Double) -> JSONValue {
        .object([
            ("model", .string(float)), ("output", .string(out)), ("bytes", .int(bytes)), ("calibration_folder", .string(calib)),
            ("samples", .int(r.samples)), ("seed", .int(Int(r.recipe.seed))), ("observer", .string(r.recipe.observer.rawValue)),
            ("seconds", .double(seconds)),
            ("tensors", .array(r.tensors.map { x in
                .object([("tensor", .int(x.tensor)), ("producer", .string(x.producer)), ("name", .string(x.name)),
                         ("observed_min", JSONValue.optional(x.observedMin) { .double(Double($0)) }),
                         ("observed_max", JSONValue.optional(x.observedMax) { .double(Double($0)) }),
                         ("scale", .double(Double(x.scale))), ("zero_point", .int(Int(x.zeroPoint))),
                         ("min", .double(Double(x.representableMin))), ("max", .double(Double(x.representableMax))),
                         ("clipped_fraction", .double(x.clippedFraction)), ("reason", .string(x.reason))])
            })),
            ("weights", .array(r.weights.map { x in
                .object([("op", .int(x.op)), ("operator", .string(x.opName)), ("output", .string(x.output)),
                         ("min_scale", .double(Double(x.minScale))), ("max_scale", .double(Double(x.maxScale))),
                         ("zero_channels", .int(x.zeroChannels)), ("saturated_bias", .int(x.saturatedBias))])
            })),
            ("batch_norm_folds", .array(r.batchNormFolds.map { .object([("op", .string($0.op)), ("into", .string($0.into))]) })),
            ("cross_layer_equalization", .array(r.equalization.map {
                .object([("depthwise", .string($0.depthwise)), ("pointwise", .string($0.pointwise)),
                         ("spread_before", .double($0.depthwiseSpreadBefore)), ("spread_after", .double($0.depthwiseSpreadAfter)),
                         ("min_scale", .double($0.minScale)), ("max_scale", .double($0.maxScale))])
            })),
            ("bias_correction", .array(r.biasCorrection.map {
                .object([("op", .int($0.op)), ("output", .string($0.output)), ("max_mean_error", .double($0.maxMeanError)),
                         ("mean_abs_error", .double($0.meanAbsError)), ("max_bias_delta", .int($0.maxBiasDelta))])
            })),
            ("threshold_rounding", .array(r.thresholdRounding.map {
                .object([("op", .int($0.op)), ("output", .string($0.output)), ("bias_delta", .int($0.biasDelta))])
            })),
            ("quantize_inserted", .int(r.requantizeInserted)),
        ])
    }
}
