import Foundation
import MoteImage
import MoteModel
import MoteSim

/// `mote eval MODEL --data DIR`: accuracy on a labeled folder, float or int8, optionally against a second model.
enum EvalCommand: Command {
    static let spec = CommandSpec(
        name: "eval",
        summary: "accuracy of a float or int8 model on a labeled image folder, and what changed against another model",
        positionals: [("MODEL.tflite", "a float32 or full-integer int8 model with one image input")],
        options: [
            OptionSpec(name: "data", valueName: "DIR", required: true, help: "labeled folder DIR/CLASS/*.jpg (classes in sorted order)"),
            OptionSpec(name: "compare", valueName: "OTHER.tflite",
                       help: "also evaluate OTHER on the same images: both accuracies, the drop and the predictions that differ"),
            OptionSpec(name: "dump", valueName: "FILE.jsonl", help: "write one JSON line per image: file, label, prediction, scores"),
            OptionSpec(name: "strict", help: "fail on the first unreadable image instead of skipping it"),
        ] + PreprocessingOptions.specs + [.json],
        discussion: """
            Images are decoded once and given to every model with the same preprocessing. A model with one
            output is a sigmoid: score > 0.5 is class 1 (exactly 0.5 is class 0, as Keras and TFLite's tools
            decide); otherwise the first largest score wins. Int8 models take the float input quantized as
            TFLite's tools do (round half to even, clamp) and their outputs are dequantized before deciding.
            With --compare, the drop is MODEL's accuracy minus OTHER's, in percentage points (so put the
            float model first and the int8 one in --compare).
            """)

    static func run(_ args: ParsedArguments) throws {
        let json = args.flag("json")
        let root = args.value("data")!
        let paths = [args.positional(0)] + (args.value("compare").map { [$0] } ?? [])
        var runners: [ModelRunner] = []
        var preprocessing: Preprocessing?
        for path in paths {
            let (runner, model): (ModelRunner, TFLiteModel)
            do {
                (runner, model) = try ModelRunners.open(path: path)
            } catch {
                throw CLIError.input("\(error)")
            }
            let p = try PreprocessingOptions.resolve(args, model: model, path: path)
            if let first = preprocessing, first != p {
                throw CLIError.input("'\(paths[0])' and '\(path)' want different preprocessing (\(describe(first)) vs "
                    + "\(describe(p))): give --size/--resize/--scale/--offset to compare them on the same inputs")
            }
            preprocessing = p
            runners.append(runner)
        }
        let dataset: ImageDataset
        do {
            dataset = try ImageDataset.labeledFolder(root)
        } catch {
            throw CLIError.input("\(error)")
        }
        let start = Date()
        let results: [Evaluation]
        do {
            results = try Evaluator.evaluate(runners, names: paths, dataset: dataset, root: root,
                                             preprocessing: preprocessing!, strict: args.flag("strict")) { done, total in
                if done % 50 == 0 || done == total {
                    let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-9)
                    Console.progress("eval \(done)/\(total) images, \(Int(rate)) img/s")
                }
            }
        } catch {
            Console.endProgress()
            throw CLIError.input("\(error)")
        }
        Console.endProgress()
        for s in results[0].skipped { Console.err("mote eval: skipped \(s.path): \(s.reason)") }
        if let dump = args.value("dump") {
            try writeDump(results, to: dump)
        }
        let changed = results.count == 2 ? results[0].predictionsChanged(versus: results[1]) : nil
        if json {
            Console.out(jsonReport(results, preprocessing: preprocessing!, root: root, changed: changed).rendered())
            return
        }
        var table = TextTable([("model", .left), ("accuracy", .right), ("correct", .right)]
            + results[0].classes.map { ($0, .right) })
        for r in results {
            table.add([r.model, percent(r.accuracy), "\(r.correct)/\(r.predictions.count)"] + r.perClassAccuracy.map(percent))
        }
        Console.out(table.render())
        let skippedNote = results[0].skipped.isEmpty ? "" : ", \(Format.count(results[0].skipped.count, "image")) skipped"
        if let changed {
            let drop = (results[0].accuracy - results[1].accuracy) * 100
            Console.out("\(paths[1]) vs \(paths[0]): drop \(String(format: "%.2f", drop)) pp, "
                + "\(changed) of \(results[0].predictions.count) predictions changed (\(describe(preprocessing!))\(skippedNote))")
        } else {
            Console.out("accuracy \(percent(results[0].accuracy)) on \(Format.count(results[0].predictions.count, "image")) "
                + "of \(root) (\(describe(preprocessing!))\(skippedNote))")
        }
    }

    private static func percent(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }

    private static func describe(_ p: Preprocessing) -> String {
        "\(p.height)×\(p.width)×\(p.channels), \(p.resize.rawValue), × \(p.scale) + \(p.offset)"
    }

    private static func jsonReport(_ results: [Evaluation], preprocessing p: Preprocessing, root: String, changed: Int?) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("data", .string(root)),
            ("preprocessing", .object([("height", .int(p.height)), ("width", .int(p.width)), ("channels", .int(p.channels)),
                                       ("resize", .string(p.resize.rawValue)), ("scale", .double(Double(p.scale))),
                                       ("offset", .double(Double(p.offset)))])),
            ("classes", .array(results[0].classes.map { .string($0) })),
            ("models", .array(results.map { r in
                .object([("model", .string(r.model)), ("images", .int(r.predictions.count)), ("correct", .int(r.correct)),
                         ("accuracy", .double(r.accuracy)),
                         ("per_class", .array(r.perClassAccuracy.map { .double($0) })),
                         ("confusion", .array(r.confusion.map { .array($0.map { .int($0) }) }))])
            })),
            ("skipped", .array(results[0].skipped.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
        ]
        if let changed, results.count == 2 {
            fields.append(("drop_pp", .double((results[0].accuracy - results[1].accuracy) * 100)))
            fields.append(("predictions_changed", .int(changed)))
        }
        return .object(fields)
    }

    private static func writeDump(_ results: [Evaluation], to path: String) throws {
        var text = ""
        for (i, p) in results[0].predictions.enumerated() {
            var line: [String: Any] = ["file": p.file, "label": p.label, "prediction": p.predicted, "scores": p.scores.map(Double.init)]
            if results.count == 2, i < results[1].predictions.count {
                line["compare_prediction"] = results[1].predictions[i].predicted
                line["compare_scores"] = results[1].predictions[i].scores.map(Double.init)
            }
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        let bytes = [UInt8](text.utf8)
        var failure: CLIError?
        bytes.withUnsafeBytes { raw in
            do { try AtomicFile.write(raw, to: path) } catch let e as CLIError { failure = e } catch { failure = .input("cannot write '\(path)': \(error)") }
        }
        if let failure { throw failure }
    }
}
