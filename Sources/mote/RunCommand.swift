import Foundation
import MoteCore

/// `mote run MODEL --input IN.bin --output OUT.bin`: one inference on raw tensor bytes.
enum RunCommand: Command {
    static let spec = CommandSpec(
        name: "run",
        summary: "run one inference on raw tensor bytes: read the inputs, write the outputs",
        positionals: [("MODEL.tflite", "a full-integer TFLite model")],
        options: [
            OptionSpec(name: "input", short: "i", valueName: "IN.bin", required: true, repeatable: true,
                       help: "raw bytes of a model input (row-major, little-endian); one per model input, in order"),
            OptionSpec(name: "output", short: "o", valueName: "OUT.bin", required: true, repeatable: true,
                       help: "where to write a model output's raw bytes; one per model output, in order"),
            OptionSpec(name: "arena", valueName: "BYTES", help: "arena size (65536, 64K, 2M); default: exactly what the model needs"),
            .memory,
            .json,
        ],
        discussion: """
            Each input file must hold exactly the input tensor's bytes (elements x element size, no header);
            'mote inspect MODEL' lists the inputs and outputs with their shapes and byte counts.
            Outputs are written atomically (a temporary file renamed over the destination).
            """)

    static func run(_ args: ParsedArguments) throws {
        let json = args.flag("json")
        let arenaBytes = try args.byteCount("arena")
        let inputPaths = args.values("input"), outputPaths = args.values("output")
        if let duplicate = Dictionary(grouping: outputPaths, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw args.usage("output '\(duplicate)' given more than once")
        }
        // Fail before the work when an output cannot be written at all.
        for path in outputPaths {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError.input("cannot write '\(path)': directory '\(directory)' does not exist")
            }
        }
        let model = try ModelFile(path: args.positional(0))
        let facts = model.facts
        guard inputPaths.count == facts.inputs.count else {
            throw args.usage("the model has \(Format.count(facts.inputs.count, "input")), got \(Format.count(inputPaths.count, "--input", "--input options"))")
        }
        guard outputPaths.count == facts.outputs.count else {
            throw args.usage("the model has \(Format.count(facts.outputs.count, "output")), got \(Format.count(outputPaths.count, "--output", "--output options"))")
        }

        // Check every input file against the model before preparing it: the mistake is the
        // user's, and the message should say what the model expects.
        var inputs: [Data] = []
        for (k, path) in inputPaths.enumerated() {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw CLIError.input("cannot read input \(k) '\(path)': \(CLIError.reason(error))")
            }
            if let t = facts.tensor(facts.inputs[k]), let expected = t.byteCount, data.count != expected {
                throw CLIError.input("input \(k) '\(path)' has \(Format.bytes(data.count)), but model input \(k) (tensor \(t.index), \(t.typeAndShape)) takes \(Format.bytes(expected))")
            }
            inputs.append(data)
        }

        let prepared = try PreparedModel(model, arenaBytes: arenaBytes, memory: args.memoryPolicy())
        let interpreter = prepared.interpreter
        for (k, data) in inputs.enumerated() {
            let failure: MoteError? = data.withUnsafeBytes { raw in
                do throws(MoteError) { try interpreter.setInput(k, raw) } catch { return error }
                return nil
            }
            if let failure { throw CLIError.core(failure, model.context(arenaBytes: prepared.arena.count)) }
        }
        let start = Clock.nanoseconds()
        interpreter.invoke()
        let elapsed = Double(Clock.nanoseconds() - start) / 1e6
        for (k, path) in outputPaths.enumerated() {
            try AtomicFile.write(interpreter.output(k), to: path)
        }

        let rows = inputPaths.enumerated().map { ("input", $0.offset, facts.inputs[$0.offset], $0.element) }
            + outputPaths.enumerated().map { ("output", $0.offset, facts.outputs[$0.offset], $0.element) }
        let usage = interpreter.usage
        if json {
            func entry(_ r: (String, Int, Int, String)) -> JSONValue {
                let t = facts.tensor(r.2)
                return .object([
                    ("index", .int(r.1)), ("tensor", .int(r.2)),
                    ("type", .string(t?.typeName ?? "?")), ("shape", .array((t?.shape ?? []).map { .int($0) })),
                    ("bytes", JSONValue.optional(t?.byteCount) { .int($0) }), ("file", .string(r.3)),
                ])
            }
            Console.out(JSONValue.object([
                ("model", .string(model.path)),
                ("operators", .int(facts.operators.count)),
                ("arena_bytes", .int(prepared.arena.count)),
                ("arena", InspectCommand.json(usage)),
                ("inputs", .array(rows.filter { $0.0 == "input" }.map(entry))),
                ("outputs", .array(rows.filter { $0.0 == "output" }.map(entry))),
                ("milliseconds", .double(elapsed)),
            ]).rendered())
            return
        }
        var table = TextTable([("", .left), ("#", .right), ("tensor", .right), ("type", .left), ("shape", .left), ("bytes", .right), ("file", .left)])
        for r in rows {
            let t = facts.tensor(r.2)
            table.add([r.0, "\(r.1)", "\(r.2)", t?.typeName ?? "?", t.map { Format.shape($0.shape) } ?? "?",
                       t?.byteCount.map(Format.grouped) ?? "?", r.3])
        }
        Console.out(table.render())
        let wrote = outputPaths.count == 1 ? outputPaths[0] : "\(outputPaths.count) outputs (\(outputPaths.joined(separator: ", ")))"
        Console.out("ran \(model.path) (\(Format.count(facts.operators.count, "operator"))) in \(Format.ms(elapsed)) with a \(Format.grouped(prepared.arena.count))-byte arena; wrote \(wrote)")
    }
}

/// A monotonic clock in nanoseconds.
enum Clock {
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
