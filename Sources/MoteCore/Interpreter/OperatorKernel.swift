/// One operator's implementation, in the three moments of TFLite Micro's kernels:
/// sizing (how many persistent bytes prepare will write), prepare (validate shapes, types and
/// quantization once; compute multipliers, shifts and every other input-independent value),
/// and eval (a pure loop over the tensors, which cannot fail).
///
/// `Params` must be a trivial type (integers, floats, pointers, tuples or structs of them): the
/// interpreter stores it in the arena's persistent part and hands it back to `eval`.
public protocol OperatorKernel {
    associatedtype Params

    /// The highest operator version (OperatorCode.version) whose semantics this kernel
    /// implements in full; models with a higher version are rejected as unsupported.
    static var maxVersion: Int32 { get }

    /// Bytes of persistent arena memory that `prepare` needs beyond `Params` (per-channel
    /// multipliers and shifts, lookup tables). Called before `prepare`; it must be cheap and
    /// may assume nothing was validated yet: an invalid model may make it return 0, prepare
    /// then rejects the model. The default is 0.
    static func persistentBytes(_ ctx: borrowing PrepareContext) -> Int

    /// Validates the operator and computes its parameters. May write `ctx.persistent` (exactly
    /// `persistentBytes` bytes) and request scratch memory for eval with `ctx.requestScratch`.
    static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params

    /// Computes the outputs from the inputs.
    static func eval(_ ctx: borrowing EvalContext, _ params: Params)
}

extension OperatorKernel {
    public static func persistentBytes(_ ctx: borrowing PrepareContext) -> Int { 0 }
}

/// What `prepare` knows about a tensor: type, declared shape, quantization, constant data.
public struct TensorInfo {
    /// Index in the subgraph's tensors.
    public let index: Int32
    /// Element type.
    public let type: TensorType
    /// The declared shape.
    public let shape: TensorShape
    /// The constant data (model bytes) of a constant tensor, at least `byteCount` long;
    /// empty for activations.
    public let data: UnsafeRawBufferPointer
    /// Quantization parameters, if any.
    public let quantization: QuantizationView?

    /// True when the tensor has constant data in the model.
    public var isConstant: Bool { data.count > 0 }
    /// Number of elements of the declared shape (validated not to overflow).
    public var elementCount: Int { shape.elementCount ?? 0 }
    /// Bytes of the tensor (validated not to overflow).
    public var byteCount: Int { elementCount &* type.byteSize }
    /// Number of quantization scales (0 without quantization).
    public var scaleCount: Int { quantization?.scale.count ?? 0 }
    /// Scale `c` (0 when absent).
    public func scale(_ c: Int = 0) -> Float { quantization?.scale.f32(c) ?? 0 }
    /// Zero point `c` (0 when absent).
    public func zeroPoint(_ c: Int = 0) -> Int64 { quantization?.zeroPoint.i64(c) ?? 0 }
    /// The dimension that per-channel parameters run along.
    public var quantizedDimension: Int { Int(quantization?.quantizedDimension ?? 0) }

    /// The constant data as typed elements (nil for activations).
    public func constant<T>(as: T.Type) -> UnsafeBufferPointer<T>? {
        guard isConstant, let base = data.baseAddress else { return nil }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: T.self), count: data.count / MemoryLayout<T>.stride)
    }
}

/// Everything a kernel's `prepare` may look at and the memory it may ask for.
public struct PrepareContext {
    /// The operator's position in execution order.
    public let operatorIndex: Int32
    /// The builtin operator code.
    public let builtinCode: Int32
    /// The operator version from its operator code.
    public let version: Int32
    /// The builtin options union type.
    public let optionsType: UInt8
    /// The builtin options table, if present.
    public let options: FBTable?
    let op: OperatorView
    let model: ModelView
    let subgraph: SubgraphView
    /// Persistent memory for this operator, exactly `persistentBytes` long, 16-byte aligned.
    public var persistent: UnsafeMutableRawBufferPointer
    /// Scratch bytes requested for eval.
    public internal(set) var scratchBytes: Int = 0
    /// The scratch bytes eval needs when output 0 shares input 0's buffer, or -1 when the
    /// kernel cannot run in place (see `allowInPlace`).
    public internal(set) var inPlaceScratchBytes: Int = -1
    /// Whether kernels may trade arena memory for speed (see `Interpreter.MemoryPolicy`).
    public let memoryPolicy: Interpreter.MemoryPolicy

    init(operatorIndex: Int32, builtinCode: Int32, version: Int32, op: OperatorView, model: ModelView, subgraph: SubgraphView,
         memoryPolicy: Interpreter.MemoryPolicy = .compact) {
        self.memoryPolicy = memoryPolicy
        self.operatorIndex = operatorIndex
        self.builtinCode = builtinCode
        self.version = version
        self.op = op
        self.model = model
        self.subgraph = subgraph
        optionsType = op.builtinOptionsType
        options = op.builtinOptions
        persistent = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    /// The number of input slots (including omitted optional ones).
    public var inputCount: Int { op.inputs.count }
    /// The number of outputs.
    public var outputCount: Int { op.outputs.count }

    /// An error located at this operator.
    public func error(_ kind: MoteError.Kind, _ message: StaticString, tensor: Int32 = -1, value: Int = 0) -> MoteError {
        MoteError(kind, message, operator: operatorIndex, tensor: tensor, value: value)
    }

    /// Input `i`; throws when the slot is missing or omitted (-1).
    public func input(_ i: Int) throws(MoteError) -> TensorInfo {
        guard i < op.inputs.count else { throw error(.invalidArgument, "operator has too few inputs") }
        guard let t = try tensorInfo(op.inputs.i32(i)) else { throw error(.invalidArgument, "required input omitted") }
        return t
    }

    /// Input `i`, or nil when the slot is absent or omitted (-1).
    public func optionalInput(_ i: Int) throws(MoteError) -> TensorInfo? {
        guard i < op.inputs.count else { return nil }
        return try tensorInfo(op.inputs.i32(i))
    }

    /// Output `i`; throws when missing.
    public func output(_ i: Int) throws(MoteError) -> TensorInfo {
        guard i < op.outputs.count else { throw error(.invalidArgument, "operator has too few outputs") }
        guard let t = try tensorInfo(op.outputs.i32(i)) else { throw error(.invalidArgument, "operator output omitted") }
        guard !t.isConstant else { throw error(.invalidBuffer, "operator output is a constant tensor", tensor: t.index) }
        return t
    }

    /// Asks for `bytes` of scratch memory that `EvalContext.scratch` provides during eval
    /// (the largest request of this operator wins).
    public mutating func requestScratch(bytes: Int) {
        scratchBytes = max(scratchBytes, bytes)
    }

    /// Declares that eval can write output 0 over input 0 (`EvalContext.runsInPlace`) with a
    /// scratch of `scratchBytes` (the operator's scratch becomes the larger of this and what
    /// `requestScratch` asked for: the in-place routine uses it instead). Only the compact
    /// memory policy runs operators in place (under `.fast` this does nothing: its optimized
    /// routines read the input after writing outputs). The interpreter grants it when input
    /// 0 is an activation whose buffer dies at this operator (not a constant, not a model
    /// output, read by no later operator or longer-lived RESHAPE, not another input of this
    /// operator), and for an output larger than its input only when that makes the plan no
    /// larger. Both tensors then start at the same address, or (an output larger than its
    /// input) the input ends where the output ends. Otherwise no extra scratch is reserved.
    public mutating func allowInPlace(scratchBytes: Int = 0) {
        guard memoryPolicy == .compact, scratchBytes >= 0 else { return }
        inPlaceScratchBytes = scratchBytes
    }

    /// Tensor `index` as seen by prepare (nil for -1). Validated here: index in range, known
    /// type, shape with non-negative dimensions whose byte count fits, constant buffer at least
    /// as long as the tensor.
    func tensorInfo(_ index: Int32) throws(MoteError) -> TensorInfo? {
        if index == -1 { return nil }
        return try TensorInfo.load(index, model: model, subgraph: subgraph, op: operatorIndex)
    }
}

extension TensorInfo {
    static func load(_ index: Int32, model: ModelView, subgraph: SubgraphView, op: Int32) throws(MoteError) -> TensorInfo {
        guard index >= 0, Int(index) < subgraph.tensorCount, let t = subgraph.tensor(Int(index)) else {
            throw MoteError(.indexOutOfRange, "tensor index out of range", operator: op, tensor: index)
        }
        guard let type = t.type, type.byteSize > 0 else {
            throw MoteError(.typeMismatch, "tensor type not supported", operator: op, tensor: index)
        }
        guard !t.isSparse else { throw MoteError(.typeMismatch, "sparse tensors are not supported", operator: op, tensor: index) }
        let dims = t.shape
        guard dims.count <= TensorShape.maxRank else {
            throw MoteError(.shapeMismatch, "tensor rank above 6", operator: op, tensor: index)
        }
        var shape = TensorShape(rank: dims.count)
        for i in 0..<dims.count {
            let d = dims.i32(i)
            guard d >= 0 else { throw MoteError(.shapeMismatch, "negative tensor dimension", operator: op, tensor: index) }
            shape[i] = Int(d)
        }
        guard let n = shape.elementCount, n <= 0x3fff_ffff / max(type.byteSize, 1) else {
            throw MoteError(.overflow, "tensor byte count overflows", operator: op, tensor: index)
        }
        let bytes = n * type.byteSize
        var data = UnsafeRawBufferPointer(start: nil, count: 0)
        let b = t.buffer
        if b != 0 {
            guard b < model.bufferCount else { throw MoteError(.indexOutOfRange, "buffer index out of range", operator: op, tensor: index) }
            let raw = model.bufferData(b)
            if raw.count > 0 {
                guard raw.count >= bytes else { throw MoteError(.invalidBuffer, "constant buffer shorter than its tensor", operator: op, tensor: index) }
                data = UnsafeRawBufferPointer(rebasing: raw[0..<bytes])
                if bytes == 0 { data = raw }
            }
        }
        if let q = t.quantization, q.hasDetails {
            throw MoteError(.invalidQuantization, "custom quantization details are not supported", operator: op, tensor: index)
        }
        return TensorInfo(index: index, type: type, shape: shape, data: data, quantization: t.quantization)
    }
}

/// What a kernel's `eval` sees: its tensors' memory and its scratch buffer.
public struct EvalContext {
    let inputs: FBVector
    let outputs: FBVector
    let tensors: UnsafePointer<TensorSlot>
    let tensorCount: Int
    /// Scratch memory of at least the requested size, valid during this eval only.
    public let scratch: UnsafeMutableRawPointer?

    /// The number of input slots.
    public var inputCount: Int { inputs.count }
    /// The number of outputs.
    public var outputCount: Int { outputs.count }

    /// True when output 0 overlaps input 0: the interpreter granted the kernel's `allowInPlace`
    /// and eval must write the output over the input it still reads. Both then start at the
    /// same address, except for an output larger than its input, which may also end where
    /// the input ends (the input sits at the end of the output's bytes).
    @inline(__always)
    public var runsInPlace: Bool {
        guard inputCount >= 1, outputCount >= 1, let x = input(0) else { return false }
        let a = tensors[Int(inputs.i32(0))], b = tensors[Int(outputs.i32(0))]
        let y = UnsafeRawPointer(output(0))
        return x < y + Int(b.byteCount) && y < x + Int(a.byteCount)
    }

    /// The data of input `i` (nil for an omitted optional input).
    @inline(__always)
    public func input(_ i: Int) -> UnsafeRawPointer? {
        let t = Int(inputs.i32(i))
        guard t >= 0, t < tensorCount, i < inputs.count else { return nil }
        return UnsafeRawPointer(tensors[t].data)
    }

    /// The data of input `i` as `T` elements.
    @inline(__always)
    public func input<T>(_ i: Int, as: T.Type) -> UnsafePointer<T> {
        input(i)!.assumingMemoryBound(to: T.self)
    }

    /// The data of output `i`.
    @inline(__always)
    public func output(_ i: Int) -> UnsafeMutableRawPointer {
        tensors[Int(outputs.i32(i))].data!
    }

    /// The data of output `i` as `T` elements.
    @inline(__always)
    public func output<T>(_ i: Int, as: T.Type) -> UnsafeMutablePointer<T> {
        output(i).assumingMemoryBound(to: T.self)
    }
}

/// The interpreter's record of one tensor, kept in the arena's persistent part.
public struct TensorSlot {
    /// Where the tensor's bytes are (arena, or model bytes for constants); nil before planning.
    public var data: UnsafeMutableRawPointer?
    /// Byte count.
    public var byteCount: Int32
    /// First and last operator that uses the tensor (-1 before use).
    public var firstUse: Int32
    public var lastUse: Int32
    /// Offset in the planned part of the arena, or -1 for constants and unused tensors; for a
    /// tensor that shares another's buffer (`alias`), its position inside that buffer (-1 or 0
    /// for a RESHAPE output: at the start).
    public var offset: Int32
    /// The tensor whose buffer this one shares, or -1: a RESHAPE output shares its input's,
    /// and the input and output of an operator that runs in place share the larger one's.
    public var alias: Int32
    /// Bit flags (`TensorSlot.constant`, ...).
    public var flags: Int32

    /// The tensor's data is a constant buffer of the model.
    public static let constant: Int32 = 1
    /// The tensor is an input of the subgraph.
    public static let graphInput: Int32 = 2
    /// The tensor is an output of the subgraph.
    public static let graphOutput: Int32 = 4
    /// An operator has written (or will write) the tensor.
    public static let produced: Int32 = 8
    /// The tensor joined another's buffer through an operator that runs in place (it is one
    /// of the buffer's parts, at `offset` inside it).
    public static let inPlace: Int32 = 16
    /// The tensor roots a buffer that tensors joined in place (the planner places its parts).
    public static let sharedRoot: Int32 = 32
    /// Moved by a tentative in-place merge that the planner may still undo.
    static let pending: Int32 = 64
}
