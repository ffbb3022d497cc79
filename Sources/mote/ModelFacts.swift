import MoteCore
import MoteModel

/// What a model declares about one tensor, read from the flatbuffer (nothing is validated
/// beyond what `ModelView`'s verifier checked: a field the core would reject shows as is).
struct TensorFacts {
    let index: Int
    let name: String
    /// The type's name (`int8`), or `type<N>` for a value the schema does not define.
    let typeName: String
    let shape: [Int]
    /// -1 marks a dynamic dimension; nil when the model has no signature.
    let shapeSignature: [Int]?
    /// True when the tensor has constant data in the model.
    let isConstant: Bool
    /// Bytes of the declared shape, or nil when the type has no fixed size or the shape is invalid.
    let byteCount: Int?
    let scales: [Float]
    let zeroPoints: [Int64]
    let quantizedDimension: Int

    init(_ index: Int, _ t: TensorView, _ model: ModelView) {
        self.index = index
        name = t.name.map(ModelFacts.string) ?? ""
        typeName = t.type.map { String(describing: $0) } ?? "type\(t.typeRaw)"
        shape = (0..<t.shape.count).map { Int(t.shape.i32($0)) }
        shapeSignature = t.shapeSignature.map { s in (0..<s.count).map { Int(s.i32($0)) } }
        isConstant = t.buffer != 0 && t.buffer < model.bufferCount && model.bufferData(t.buffer).count > 0
        if let type = t.type, type.byteSize > 0, shape.allSatisfy({ $0 >= 0 }) {
            var n = type.byteSize
            var overflow = false
            for d in shape {
                let (p, o) = n.multipliedReportingOverflow(by: d)
                n = p
                overflow = overflow || o
            }
            byteCount = overflow ? nil : n
        } else {
            byteCount = nil
        }
        let q = t.quantization
        scales = q.map { q in (0..<q.scale.count).map { q.scale.f32($0) } } ?? []
        zeroPoints = q.map { q in (0..<q.zeroPoint.count).map { q.zeroPoint.i64($0) } } ?? []
        quantizedDimension = Int(q?.quantizedDimension ?? 0)
    }

    /// `int8 1x32x32x3`.
    var typeAndShape: String { "\(typeName) \(Format.shape(shape))" }

    /// Per-channel quantization: more than one scale.
    var isPerChannel: Bool { scales.count > 1 }

    /// For people: `0.00392157 zp -128`, `8 ch (axis 0) 0.00102..0.00431 zp 0`, or `-`.
    var quantizationSummary: String {
        guard let first = scales.first else { return "-" }
        let zp = zeroPoints.first.map { " zp \($0)" } ?? ""
        if scales.count == 1 { return "\(Format.scale(first))\(zp)" }
        let lo = scales.min()!, hi = scales.max()!
        let zeros = Set(zeroPoints).count == 1 ? zp : " zp mixed"
        return "\(scales.count) ch (axis \(quantizedDimension)) \(Format.scale(lo))..\(Format.scale(hi))\(zeros)"
    }
}

/// What a model declares about one operator.
struct OperatorFacts {
    let index: Int
    /// The builtin code, or -1 when the opcode index is out of range.
    let builtinCode: Int32
    let version: Int32
    let isCustom: Bool
    /// `CONV_2D`, `CUSTOM`, or `?` for an invalid opcode index.
    let name: String
    /// Input tensor indices, -1 for an omitted optional input.
    let inputs: [Int]
    let outputs: [Int]
    /// The options in a few words (`s2 SAME RELU6`), from MoteModel's summary; empty without.
    let options: String
    /// Multiply-accumulates of one inference, as `MoteModel.ModelSummary` counts them.
    let macs: Int
}

/// Subgraph 0 of a model as declared: tensors and operators in execution order as MoteCore's
/// `ModelView` sees them, so that `mote inspect` can show what is in a model even when the core
/// cannot prepare it; operator options and multiply-accumulates come from MoteModel's
/// `ModelSummary` (when MoteModel cannot read the model, options are empty and MACs are
/// counted from the shapes alone, so pools count 0).
struct ModelFacts {
    let byteCount: Int
    let schemaVersion: Int
    let subgraphCount: Int
    let tensors: [TensorFacts]
    let operators: [OperatorFacts]
    let inputs: [Int]
    let outputs: [Int]
    /// Bytes of constant data referenced by subgraph 0's tensors, each buffer counted once.
    let constantBytes: Int
    /// Why MoteModel could not read the model (nil when it could, or was not asked).
    let summaryError: String?

    /// Reads subgraph 0 of `model`; with `summarize`, also asks MoteModel for operator options
    /// and MACs (it copies the model into its value-type IR: worth it for `inspect` and
    /// `bench`, not for a single `run`).
    init(_ model: ModelView, summarize: Bool) {
        byteCount = model.buffer.count
        schemaVersion = Int(model.version)
        subgraphCount = model.subgraphCount
        guard let sg = model.subgraph(0) else {
            tensors = []; operators = []; inputs = []; outputs = []; constantBytes = 0; summaryError = nil
            return
        }
        let tensors = (0..<sg.tensorCount).compactMap { i in sg.tensor(i).map { TensorFacts(i, $0, model) } }
        self.tensors = tensors
        inputs = (0..<sg.inputs.count).map { Int(sg.inputs.i32($0)) }
        outputs = (0..<sg.outputs.count).map { Int(sg.outputs.i32($0)) }
        var buffers = Set<Int>()
        for i in 0..<sg.tensorCount {
            if let t = sg.tensor(i), t.buffer != 0, t.buffer < model.bufferCount { buffers.insert(t.buffer) }
        }
        constantBytes = buffers.reduce(0) { $0 + model.bufferData($1).count }

        var summary: ModelSummary? = nil
        var summaryError: String? = nil
        if summarize {
            do {
                summary = try TFLiteModel(bytes: [UInt8](model.buffer.bytes)).summary()
            } catch {
                summaryError = "\(error)"
            }
        }
        self.summaryError = summaryError
        var ops: [OperatorFacts] = []
        for i in 0..<sg.operatorCount {
            guard let op = sg.op(i) else { continue }
            let ins = (0..<op.inputs.count).map { Int(op.inputs.i32($0)) }
            let outs = (0..<op.outputs.count).map { Int(op.outputs.i32($0)) }
            let code = op.opcodeIndex < model.operatorCodeCount ? model.operatorCode(op.opcodeIndex) : nil
            let builtin = code?.builtin ?? -1
            let summarized = summary.flatMap { i < $0.operators.count ? $0.operators[i] : nil }
            let name = summarized?.opName ?? (code == nil ? "?" : BuiltinOperatorNames.name(of: builtin))
            func shape(_ k: Int) -> [Int] { k >= 0 && k < tensors.count ? tensors[k].shape : [] }
            ops.append(OperatorFacts(
                index: i, builtinCode: builtin, version: code?.version ?? 0, isCustom: code?.isCustom ?? false,
                name: name, inputs: ins, outputs: outs, options: summarized?.options ?? "",
                macs: summarized?.macs ?? ModelSummary.macs(builtin: builtin, options: .none, inputs: ins.map(shape), outputs: outs.map(shape))))
        }
        operators = ops
    }

    /// Tensor `i`, nil when out of range (or -1).
    func tensor(_ i: Int) -> TensorFacts? { i >= 0 && i < tensors.count ? tensors[i] : nil }

    /// The total multiply-accumulates of one inference.
    var totalMACs: Int { operators.reduce(0) { $0 + $1.macs } }

    /// A flatbuffer string (name bytes) as Swift text; invalid UTF-8 is repaired.
    static func string(_ v: FBVector) -> String {
        String(decoding: (0..<v.count).map { v.u8($0) }, as: UTF8.self)
    }
}
