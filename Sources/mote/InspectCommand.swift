import Foundation
import MoteCore

/// `mote inspect MODEL`: what is in a model and what running it takes.
enum InspectCommand: Command {
    static let spec = CommandSpec(
        name: "inspect",
        summary: "list a model's operators, shapes, quantization, MACs, arena size and memory layout",
        positionals: [("MODEL.tflite", "a TFLite model")],
        options: [
            OptionSpec(name: "arena", valueName: "BYTES", help: "prepare in an arena of this size (default: exactly what the model needs)"),
            .memory,
            .json,
        ],
        discussion: """
            Operators are listed in execution order with their input and output tensors (type, shape,
            quantization scale and zero point; per-channel tensors show their channel count and scale range)
            and their multiply-accumulates as MoteModel's ModelSummary counts them (convolutions and
            FULLY_CONNECTED per multiply-add, pools per window tap, reductions per input and element-wise
            arithmetic per output element; data movement and activations count 0).
            The arena figures come from preparing the model with MoteCore: planned (activations and scratch),
            persistent (records and per-operator parameters), lower bound (the most bytes live at once: no
            plan can do better without in place) and required (what the caller's arena must hold). The
            layout lists each planned buffer's offset, size and lifetime (first..last operator index).
            Under --memory compact some operators write their output over their input (in place): the two
            tensors then share one buffer, the layout says which and where each sits in it (in the JSON
            layout: alias and offset_in_shared), and the in-place saving is the planned bytes this saves.
            When the core cannot prepare the model, everything else is still listed and the exit code is 2.
            """)

    /// One buffer of the arena's planned part.
    struct Placement {
        enum Kind { case tensor, scratch }
        let kind: Kind
        /// The tensor index, or the operator index of a scratch buffer.
        let index: Int
        /// Offset in the planned part, -1 for a tensor that shares another's buffer.
        let offset: Int
        let bytes: Int
        let firstUse: Int
        let lastUse: Int
        /// The tensor whose buffer a tensor shares, or -1.
        let alias: Int
    }

    /// The arena's planned buffers in order of first use.
    static func placements(_ it: Interpreter) -> [Placement] {
        var out: [Placement] = []
        for t in 0..<it.tensorCount {
            let p = it.placement(t)
            guard !p.isConstant, p.firstUse >= 0 else { continue }
            out.append(Placement(kind: .tensor, index: t, offset: p.offset, bytes: p.bytes, firstUse: p.firstUse, lastUse: p.lastUse, alias: p.alias))
        }
        for i in 0..<it.operatorCount {
            let s = it.scratch(ofOperator: i)
            guard s.bytes > 0 else { continue }
            out.append(Placement(kind: .scratch, index: i, offset: s.offset, bytes: s.bytes, firstUse: i, lastUse: i, alias: -1))
        }
        return out.sorted { ($0.firstUse, $0.kind == .scratch ? 1 : 0, $0.index) < ($1.firstUse, $1.kind == .scratch ? 1 : 0, $1.index) }
    }

    static func run(_ args: ParsedArguments) throws {
        let json = args.flag("json")
        let arenaBytes = try args.byteCount("arena")
        let model = try ModelFile(path: args.positional(0), summarize: true)
        var prepared: PreparedModel? = nil
        var failure: CLIError? = nil
        let memory = try args.memoryPolicy()
        do throws(CLIError) { prepared = try PreparedModel(model, arenaBytes: arenaBytes, memory: memory) } catch { failure = error }

        if json {
            var fields = document(model, prepared?.interpreter)
            fields.append(("error", failure?.json ?? .null))
            Console.out(JSONValue.object(fields).rendered())
        } else {
            printReport(model, prepared?.interpreter)
        }
        if let failure {
            Console.err("mote inspect: error: the core cannot prepare \(model.path): \(failure.message)")
            throw ExitStatus(code: CLIError.exitCode)
        }
    }

    // MARK: JSON

    static func json(_ u: Interpreter.ArenaUsage) -> JSONValue {
        .object([("planned", .int(u.planned)), ("persistent", .int(u.persistent)), ("lower_bound", .int(u.lowerBound)), ("required", .int(u.required)),
                 ("in_place_saving", .int(u.inPlaceSaving))])
    }

    static func json(_ t: TensorFacts) -> JSONValue {
        var q: JSONValue = .null
        if !t.scales.isEmpty || !t.zeroPoints.isEmpty {
            q = .object([
                ("scale", JSONValue.optional(t.scales.first) { .double(Double($0)) }),
                ("zero_point", JSONValue.optional(t.zeroPoints.first) { .int(Int($0)) }),
                ("channels", .int(t.scales.count)),
                ("quantized_dimension", .int(t.quantizedDimension)),
                ("scales", .array(t.scales.map { .double(Double($0)) })),
                ("zero_points", .array(t.zeroPoints.map { .int(Int($0)) })),
            ])
        }
        return .object([
            ("tensor", .int(t.index)),
            ("name", .string(t.name)),
            ("type", .string(t.typeName)),
            ("shape", .array(t.shape.map { .int($0) })),
            ("shape_signature", JSONValue.optional(t.shapeSignature) { .array($0.map { .int($0) }) }),
            ("constant", .bool(t.isConstant)),
            ("bytes", JSONValue.optional(t.byteCount) { .int($0) }),
            ("quantization", q),
        ])
    }

    static func document(_ model: ModelFile, _ it: Interpreter?) -> [(String, JSONValue)] {
        let facts = model.facts
        func tensorRef(_ i: Int) -> JSONValue { facts.tensor(i).map(json) ?? .null }
        let ops: [JSONValue] = facts.operators.map { op in
            var scratch: JSONValue = .null
            if let it {
                let s = it.scratch(ofOperator: op.index)
                if s.bytes > 0 { scratch = .object([("bytes", .int(s.bytes)), ("offset", .int(s.offset))]) }
            }
            return .object([
                ("index", .int(op.index)),
                ("op_name", .string(op.name)),
                ("builtin_code", .int(Int(op.builtinCode))),
                ("version", .int(Int(op.version))),
                ("options", .string(op.options)),
                ("inputs", .array(op.inputs.map(tensorRef))),
                ("outputs", .array(op.outputs.map(tensorRef))),
                ("macs", .int(op.macs)),
                ("scratch", scratch),
                ("in_place", .bool(it?.runsInPlace(operator: op.index) ?? false)),
            ])
        }
        var layout: JSONValue = .null, arena: JSONValue = .null
        if let it {
            arena = json(it.usage)
            layout = .array(placements(it).map { p in
                .object([
                    ("kind", .string(p.kind == .tensor ? "tensor" : "scratch")),
                    (p.kind == .tensor ? "tensor" : "operator", .int(p.index)),
                    ("offset", .int(p.offset)),
                    ("bytes", .int(p.bytes)),
                    ("first_op", .int(p.firstUse)),
                    ("last_op", .int(p.lastUse)),
                    ("alias", p.alias >= 0 ? .int(p.alias) : .null),
                    ("offset_in_shared", p.alias >= 0 ? .int(it.sharedOffset(p.index)) : .null),
                ])
            })
        }
        return [
            ("model", .object([
                ("path", .string(model.path)),
                ("bytes", .int(facts.byteCount)),
                ("schema_version", .int(facts.schemaVersion)),
                ("subgraphs", .int(facts.subgraphCount)),
                ("tensors", .int(facts.tensors.count)),
                ("constant_bytes", .int(facts.constantBytes)),
                ("summary_error", JSONValue.optional(facts.summaryError) { .string($0) }),
            ])),
            ("inputs", .array(facts.inputs.map(tensorRef))),
            ("outputs", .array(facts.outputs.map(tensorRef))),
            ("operator_count", .int(facts.operators.count)),
            ("operators", .array(ops)),
            ("total_macs", .int(facts.totalMACs)),
            ("arena", arena),
            ("layout", layout),
        ]
    }

    // MARK: text

    static func printReport(_ model: ModelFile, _ it: Interpreter?) {
        let facts = model.facts
        let constants = facts.tensors.filter(\.isConstant)
        Console.out("model      \(model.path): \(Format.bytesApprox(facts.byteCount)), schema v\(facts.schemaVersion), \(Format.count(facts.subgraphCount, "subgraph"))")
        Console.out("tensors    \(facts.tensors.count), of which \(constants.count) constant: \(Format.bytesApprox(facts.constantBytes))")
        for (label, list) in [("inputs", facts.inputs), ("outputs", facts.outputs)] {
            for (k, t) in list.enumerated() {
                let head = k == 0 ? label.padding(toLength: 11, withPad: " ", startingAt: 0) : String(repeating: " ", count: 11)
                if let f = facts.tensor(t) {
                    Console.out("\(head)\(k): tensor \(t), \(f.typeAndShape), \(f.byteCount.map(Format.bytes) ?? "? bytes"), quantization \(f.quantizationSummary)")
                } else {
                    Console.out("\(head)\(k): tensor \(t) (out of range)")
                }
            }
        }

        Console.out("")
        Console.out("operators (execution order)")
        var table = TextTable([("#", .right), ("operator", .left), ("v", .right), ("options", .left), ("", .left), ("tensor", .right),
                               ("type", .left), ("shape", .left), ("quantization", .left), ("MACs", .right)])
        for op in facts.operators {
            let rows = op.inputs.map { (facts.tensor($0)?.isConstant == true ? "const" : "in", $0) } + op.outputs.map { ("out", $0) }
            for (r, (role, t)) in rows.enumerated() {
                let f = facts.tensor(t)
                let cells = [role, t < 0 ? "-" : "\(t)", f?.typeName ?? (t < 0 ? "(omitted)" : "?"), f.map { Format.shape($0.shape) } ?? "",
                             f?.quantizationSummary ?? ""]
                if r == 0 {
                    table.add(["\(op.index)", op.name, "\(op.version)", op.options] + cells + [op.macs > 0 ? Format.grouped(op.macs) : ""])
                } else {
                    table.add(["", "", "", ""] + cells)
                }
            }
            if rows.isEmpty { table.add(["\(op.index)", op.name, "\(op.version)", op.options]) }
        }
        Console.out(table.render())
        Console.out("  total: \(Format.macs(facts.totalMACs)) MACs")
        if let why = facts.summaryError {
            Console.out("  (MoteModel could not read the model, so options are not shown and pools count 0 MACs: \(why))")
        }

        guard let it else {
            Console.out("")
            Console.out("arena      not available: the core cannot prepare this model (the error follows on standard error)")
            return
        }
        let u = it.usage
        Console.out("")
        Console.out("arena (bytes)")
        var arena = TextTable([("", .left), ("", .right), ("", .left)])
        arena.add(["planned", Format.grouped(u.planned), "activations and scratch, as the planner placed them"])
        arena.add(["persistent", Format.grouped(u.persistent), "tensor and operator records, operator parameters, per-channel data"])
        let excess = u.lowerBound <= 0 ? ""
            : u.planned >= u.lowerBound ? String(format: "; the plan is %.1f%% above it", 100 * Double(u.planned - u.lowerBound) / Double(u.lowerBound))
            : String(format: "; in place puts the plan %.1f%% below it", 100 * Double(u.lowerBound - u.planned) / Double(u.lowerBound))
        arena.add(["lower bound", Format.grouped(u.lowerBound), "most planned bytes live at once: no plan without in place needs less\(excess)"])
        if u.inPlaceSaving != 0 {
            arena.add(["in-place saving", Format.grouped(u.inPlaceSaving), "planned bytes saved by operators writing over their input"])
        }
        arena.add(["required", Format.grouped(u.required), "what the arena must hold (planned + persistent + alignment)"])
        Console.out(arena.render(header: false))

        Console.out("")
        Console.out("layout of the planned part (lifetimes in operator indices)")
        var layout = TextTable([("buffer", .left), ("offset", .right), ("end", .right), ("bytes", .right), ("live", .left), ("", .left)])
        let inputs = Set(facts.inputs), outputs = Set(facts.outputs)
        // Tensors that an operator running in place writes (its output) or overwrites (its input).
        var inPlace: [Int: String] = [:]
        for op in facts.operators where it.runsInPlace(operator: op.index) && !op.inputs.isEmpty && !op.outputs.isEmpty {
            inPlace[op.outputs[0]] = "written in place over tensor \(op.inputs[0]) by op \(op.index)"
            inPlace[op.inputs[0]] = (inPlace[op.inputs[0]].map { $0 + "; " } ?? "") + "overwritten in place by op \(op.index)"
        }
        for p in placements(it) {
            let life = p.firstUse == p.lastUse ? "\(p.firstUse)" : "\(p.firstUse)..\(p.lastUse)"
            switch p.kind {
            case .scratch:
                let name = p.index < facts.operators.count ? facts.operators[p.index].name : "?"
                layout.add(["scratch of op \(p.index)", Format.grouped(p.offset), Format.grouped(p.offset + p.bytes), Format.grouped(p.bytes), life, name])
            case .tensor:
                var note = facts.tensor(p.index)?.typeAndShape ?? ""
                if inputs.contains(p.index) { note += " (model input)" }
                if outputs.contains(p.index) { note += " (model output)" }
                if let why = inPlace[p.index] { note += " (\(why))" }
                if p.alias >= 0, it.placement(p.alias).offset >= 0 {
                    // Where the tensor sits inside the shared buffer (in place: not always its start).
                    let at = it.placement(p.alias).offset + it.sharedOffset(p.index)
                    layout.add(["tensor \(p.index)", Format.grouped(at), Format.grouped(at + p.bytes), Format.grouped(p.bytes), life,
                                "\(note), shares tensor \(p.alias)'s buffer"])
                } else if p.alias >= 0 {
                    layout.add(["tensor \(p.index)", "-", "-", Format.grouped(p.bytes), life, "\(note), shares tensor \(p.alias)'s buffer"])
                } else if p.offset < 0 {
                    layout.add(["tensor \(p.index)", "-", "-", Format.grouped(p.bytes), life, note])
                } else {
                    layout.add(["tensor \(p.index)", Format.grouped(p.offset), Format.grouped(p.offset + p.bytes), Format.grouped(p.bytes), life, note])
                }
            }
        }
        Console.out(layout.render())
        Console.out("inspected \(model.path): \(Format.count(facts.operators.count, "operator")), \(Format.macs(facts.totalMACs)) MACs, arena \(Format.bytes(u.required)) required (planned \(Format.grouped(u.planned)), persistent \(Format.grouped(u.persistent)))")
    }
}
