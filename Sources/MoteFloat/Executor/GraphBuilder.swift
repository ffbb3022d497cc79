import MoteCore
import MoteModel

/// Prepares a float graph for `FloatExecutor`: resolves shapes at the requested batch,
/// decodes constants, allocates every tensor, and turns each operator into an eval closure.
struct GraphBuilder {
    /// The operator being prepared, for error messages.
    struct Context {
        let index: Int
        let op: Operator
        let name: String
        let version: Int

        func unsupported(_ reason: String) -> FloatExecutorError {
            .unsupportedOperator(index: index, opName: name, version: version, reason: reason)
        }

        func invalid(_ reason: String) -> FloatExecutorError {
            .invalidOperator(index: index, opName: name, reason: reason)
        }
    }

    /// The largest im2col matrix any operator needs, allocated once after preparation.
    final class Scratch {
        var pointer: UnsafeMutablePointer<Float>?
        var count = 0
    }

    let model: TFLiteModel
    let graph: Subgraph
    let batch: Int
    var shapes: [[Int]?]
    var floats: [UnsafeMutablePointer<Float>?]
    var ints: [[Int32]?]
    var constantTensors: Set<Int> = []
    var steps: [Step] = []
    let allocations = Allocations()
    let scratch = Scratch()

    init(model: TFLiteModel, batch: Int) throws {
        guard let graph = model.subgraphs.first else { throw FloatExecutorError.invalidModel("the model has no subgraph") }
        self.model = model
        self.graph = graph
        self.batch = batch
        shapes = Array(repeating: nil, count: graph.tensors.count)
        floats = Array(repeating: nil, count: graph.tensors.count)
        ints = Array(repeating: nil, count: graph.tensors.count)
        for (i, t) in graph.tensors.enumerated() where t.buffer > 0 {
            guard t.buffer < model.buffers.count else {
                throw FloatExecutorError.invalidModel("tensor \(i) refers to buffer \(t.buffer) of \(model.buffers.count)")
            }
            if !model.buffers[t.buffer].data.isEmpty { constantTensors.insert(i) }
        }
        for (position, t) in graph.inputs.enumerated() {
            guard t >= 0, t < graph.tensors.count else {
                throw FloatExecutorError.invalidModel("graph input \(position) is tensor \(t) of \(graph.tensors.count)")
            }
            let tensor = graph.tensors[t]
            guard tensor.type == .float32 else {
                throw FloatExecutorError.invalidModel("graph input \(position) (tensor \(t)) is \(tensor.type), the float executor needs float32")
            }
            guard tensor.shape.allSatisfy({ $0 >= 1 }) else {
                throw FloatExecutorError.invalidModel("graph input \(position) (tensor \(t)) has shape \(tensor.shape)")
            }
            var shape = tensor.shape
            if batch != 1 {
                let signature = tensor.shapeSignature ?? tensor.shape
                guard !shape.isEmpty, shape[0] == 1 || signature.first == -1 else {
                    throw FloatExecutorError.invalidBatch(
                        "graph input \(position) (tensor \(t)) has shape \(tensor.shape) with signature \(signature): no batch dimension to set to \(batch)")
                }
                shape[0] = batch
            }
            guard let count = Self.elementCount(shape) else {
                throw FloatExecutorError.invalidModel("graph input \(position) (tensor \(t)) with shape \(shape) exceeds \(Self.maxElements) elements")
            }
            shapes[t] = shape
            floats[t] = allocations.floats(count)
        }
    }

    /// Prepares every operator in execution order, then allocates the shared scratch.
    mutating func prepareAll() throws {
        for (i, op) in graph.operators.enumerated() {
            guard op.opcodeIndex >= 0, op.opcodeIndex < model.operatorCodes.count else {
                throw FloatExecutorError.invalidModel("operator \(i) uses operator code \(op.opcodeIndex) of \(model.operatorCodes.count)")
            }
            for t in op.inputs + op.outputs where t < -1 || t >= graph.tensors.count {
                throw FloatExecutorError.invalidModel("operator \(i) refers to tensor \(t) of \(graph.tensors.count)")
            }
            let code = model.operatorCodes[op.opcodeIndex]
            let ctx = Context(index: i, op: op, name: code.name, version: Int(code.version))
            let run = try prepare(ctx, builtin: code.builtinOperator)
            var observed: [Step.Observed] = []
            for (position, t) in op.outputs.enumerated() where t >= 0 {
                guard let p = floats[t], let shape = shapes[t] else { continue }
                observed.append(Step.Observed(position: position, tensor: t, shape: shape, values: UnsafePointer(p),
                                              count: shape.reduce(1, *)))
            }
            // Operators computed at prepare (reshapes, folded constants) still report their float outputs.
            if run != nil || !observed.isEmpty {
                steps.append(Step(operatorIndex: i, opName: ctx.name, run: run ?? {}, observed: observed))
            }
        }
        for (position, t) in graph.outputs.enumerated() {
            guard t >= 0, t < graph.tensors.count, floats[t] != nil else {
                throw FloatExecutorError.invalidModel("graph output \(position) (tensor \(t)) is not a float32 tensor the graph computes")
            }
        }
        if scratch.count > 0 { scratch.pointer = allocations.floats(scratch.count) }
    }

    /// The eval closure of one operator, or nil when everything was computed at prepare
    /// (int32 shape arithmetic, constant folding).
    private mutating func prepare(_ ctx: Context, builtin: Int32) throws -> (() -> Void)? {
        switch builtin {
        case BuiltinOperator.conv2D: return try prepareConv2D(ctx)
        case BuiltinOperator.depthwiseConv2D: return try prepareDepthwiseConv2D(ctx)
        case BuiltinOperator.maxPool2D: return try preparePool2D(ctx, average: false)
        case BuiltinOperator.averagePool2D: return try preparePool2D(ctx, average: true)
        case BuiltinOperator.fullyConnected: return try prepareFullyConnected(ctx)
        case BuiltinOperator.softmax: return try prepareSoftmax(ctx)
        case BuiltinOperator.logistic, BuiltinOperator.tanh, BuiltinOperator.hardSwish, BuiltinOperator.relu,
             BuiltinOperator.relu6, BuiltinOperator.reluN1To1, BuiltinOperator.leakyRelu, Self.relu0To1:
            return try prepareUnary(ctx, builtin: builtin)
        case BuiltinOperator.add, BuiltinOperator.sub, BuiltinOperator.mul, Self.div, Self.maximum, Self.minimum, Self.prelu:
            return try prepareBinary(ctx, builtin: builtin)
        case BuiltinOperator.mean: return try prepareReduce(ctx, .mean)
        case Self.sum: return try prepareReduce(ctx, .sum)
        case Self.reduceMax: return try prepareReduce(ctx, .maximum)
        case Self.reduceMin: return try prepareReduce(ctx, .minimum)
        case BuiltinOperator.pad, BuiltinOperator.padV2: return try preparePad(ctx, v2: builtin == BuiltinOperator.padV2)
        case BuiltinOperator.concatenation: return try prepareConcatenation(ctx)
        case BuiltinOperator.reshape, BuiltinOperator.squeeze, BuiltinOperator.expandDims:
            return try prepareReshape(ctx, builtin: builtin)
        case BuiltinOperator.shape: return try prepareShape(ctx)
        case BuiltinOperator.stridedSlice: return try prepareStridedSlice(ctx)
        case BuiltinOperator.pack: return try preparePack(ctx)
        case BuiltinOperator.dequantize: return try prepareDequantize(ctx)
        case BuiltinOperator.quantize:
            throw ctx.unsupported("QUANTIZE produces an integer tensor; the float executor runs float32 graphs only")
        default:
            throw ctx.unsupported("no float kernel for this operator")
        }
    }

    // Builtin codes the core does not name.
    static let div: Int32 = 42
    static let maximum: Int32 = 55
    static let minimum: Int32 = 57
    static let relu0To1: Int32 = 152
    static let prelu: Int32 = 54
    static let sum: Int32 = 74
    static let reduceMax: Int32 = 82
    static let reduceMin: Int32 = 89

    // MARK: - Tensors

    /// The most elements one buffer may hold (1 GiB of floats): hostile shapes become errors,
    /// never overflowing products or failed allocations.
    static let maxElements = 1 << 28

    /// The product of `shape`, or nil when a dimension is negative or the product exceeds `maxElements`.
    static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0, d <= maxElements else { return nil }
            n *= d
            guard n <= maxElements else { return nil }
        }
        return n
    }

    /// The tensor at input `position`, or nil when it is omitted (-1 or past the end).
    func optionalInput(_ ctx: Context, _ position: Int) -> Int? {
        position < ctx.op.inputs.count && ctx.op.inputs[position] >= 0 ? ctx.op.inputs[position] : nil
    }

    /// The tensor at input `position`; throws when it is omitted.
    func input(_ ctx: Context, _ position: Int) throws -> Int {
        guard let t = optionalInput(ctx, position) else { throw ctx.invalid("input \(position) is missing") }
        return t
    }

    /// Checks the operator has at least `count` inputs and exactly `outputs` outputs.
    func expect(_ ctx: Context, inputs count: Int, outputs: Int = 1) throws {
        guard ctx.op.inputs.count >= count else { throw ctx.invalid("needs \(count) inputs, has \(ctx.op.inputs.count)") }
        guard ctx.op.outputs.count == outputs, ctx.op.outputs.allSatisfy({ $0 >= 0 }) else {
            throw ctx.invalid("needs \(outputs) output(s), has \(ctx.op.outputs.count)")
        }
    }

    /// The data and shape of the float32 tensor at input `position`: a decoded constant or
    /// the output of an earlier operator.
    mutating func floatInput(_ ctx: Context, _ position: Int) throws -> (pointer: UnsafePointer<Float>, shape: [Int]) {
        let t = try input(ctx, position)
        let tensor = graph.tensors[t]
        guard tensor.type == .float32 else {
            if constantTensors.contains(t), [.int8, .uint8, .int16, .int4].contains(tensor.type) {
                throw ctx.unsupported("input \(position) (tensor \(t)) holds \(tensor.type) weights: hybrid models "
                                      + "(integer weights with float32 activations) are not supported; use a pure float32 model")
            }
            throw ctx.unsupported("input \(position) (tensor \(t)) is \(tensor.type), this operator needs float32")
        }
        if let p = floats[t], let s = shapes[t] { return (UnsafePointer(p), s) }
        guard constantTensors.contains(t) else { throw ctx.invalid("input \(position) (tensor \(t)) is read before any operator writes it") }
        let data = model.buffers[tensor.buffer].data
        guard let count = Self.elementCount(tensor.shape), data.count == count * 4 else {
            throw FloatExecutorError.invalidModel("tensor \(t) has shape \(tensor.shape) but \(data.count) bytes of float32 data")
        }
        let p = allocations.floats(count)
        data.withUnsafeBytes { raw in
            for i in 0..<count { p[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        }
        floats[t] = p
        shapes[t] = tensor.shape
        return (UnsafePointer(p), tensor.shape)
    }

    /// The values of the int32 (or int64) tensor at input `position`, known at prepare time:
    /// a constant or the result of earlier shape arithmetic.
    mutating func intInput(_ ctx: Context, _ position: Int) throws -> (values: [Int], shape: [Int]) {
        let t = try input(ctx, position)
        if let v = ints[t], let s = shapes[t] { return (v.map(Int.init), s) }
        let tensor = graph.tensors[t]
        guard constantTensors.contains(t) else {
            throw ctx.unsupported("input \(position) (tensor \(t)) must be a constant or computed from shapes at prepare time")
        }
        let data = model.buffers[tensor.buffer].data
        guard let count = Self.elementCount(tensor.shape) else {
            throw FloatExecutorError.invalidModel("tensor \(t) has shape \(tensor.shape)")
        }
        var values: [Int32]
        switch tensor.type {
        case .int32:
            guard data.count == count * 4 else { throw FloatExecutorError.invalidModel("tensor \(t) has shape \(tensor.shape) but \(data.count) bytes of int32 data") }
            values = data.withUnsafeBytes { raw in (0..<count).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) } }
        case .int64:
            guard data.count == count * 8 else { throw FloatExecutorError.invalidModel("tensor \(t) has shape \(tensor.shape) but \(data.count) bytes of int64 data") }
            let wide = data.withUnsafeBytes { raw in (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) } }
            guard wide.allSatisfy({ $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) }) else {
                throw ctx.unsupported("input \(position) (tensor \(t)) has int64 values beyond the int32 range")
            }
            values = wide.map { Int32($0) }
        default:
            throw ctx.unsupported("input \(position) (tensor \(t)) is \(tensor.type), this operator needs int32")
        }
        ints[t] = values
        shapes[t] = tensor.shape
        return (values.map(Int.init), tensor.shape)
    }

    /// Allocates the float32 output at `position` with `shape`.
    mutating func floatOutput(_ ctx: Context, _ position: Int = 0, shape: [Int]) throws -> UnsafeMutablePointer<Float> {
        let t = try outputIndex(ctx, position, type: .float32)
        guard let count = Self.elementCount(shape) else { throw ctx.invalid("output shape \(shape) exceeds \(Self.maxElements) elements") }
        let p = allocations.floats(count)
        floats[t] = p
        shapes[t] = shape
        return p
    }

    /// Makes the float32 output at `position` share `storage` (a reshape: same values, new shape).
    mutating func aliasOutput(_ ctx: Context, _ position: Int = 0, shape: [Int], storage: UnsafePointer<Float>) throws {
        let t = try outputIndex(ctx, position, type: .float32)
        floats[t] = UnsafeMutablePointer(mutating: storage)
        shapes[t] = shape
    }

    /// Records the int32 output at `position`, computed at prepare time.
    mutating func intOutput(_ ctx: Context, _ position: Int = 0, values: [Int], shape: [Int]) throws {
        let t = try outputIndex(ctx, position, type: .int32)
        guard values.allSatisfy({ $0 >= Int(Int32.min) && $0 <= Int(Int32.max) }) else { throw ctx.invalid("an int32 result overflows") }
        ints[t] = values.map { Int32($0) }
        shapes[t] = shape
    }

    private func outputIndex(_ ctx: Context, _ position: Int, type: TensorType) throws -> Int {
        guard position < ctx.op.outputs.count, ctx.op.outputs[position] >= 0 else { throw ctx.invalid("output \(position) is missing") }
        let t = ctx.op.outputs[position]
        guard graph.tensors[t].type == type else {
            throw ctx.unsupported("output \(position) (tensor \(t)) is \(graph.tensors[t].type), expected \(type)")
        }
        guard shapes[t] == nil, !constantTensors.contains(t) else { throw ctx.invalid("output \(position) (tensor \(t)) is written twice") }
        return t
    }

    /// The clamp of a fused activation; TANH and SIGN_BIT are not fused by float kernels.
    func activation(_ ctx: Context, _ f: FusedActivation) throws -> ActivationRange {
        switch f {
        case .none: return .none
        case .relu: return .relu
        case .relu6: return .relu6
        case .reluN1To1: return .reluN1To1
        case .tanh, .signBit: throw ctx.unsupported("fused activation \(f) is not supported")
        }
    }

    /// Requests `count` floats of the shared scratch and returns the holder.
    mutating func requestScratch(_ ctx: Context, _ count: Int) throws -> Scratch {
        guard count <= Self.maxElements else { throw ctx.invalid("needs \(count) floats of scratch (at most \(Self.maxElements))") }
        scratch.count = max(scratch.count, count)
        return scratch
    }

    /// Checks the operator version against the newest one the kernel implements.
    func expectVersion(_ ctx: Context, max: Int) throws {
        guard ctx.version >= 1, ctx.version <= max else { throw ctx.unsupported("version \(ctx.version) (supported: 1...\(max))") }
    }
}
