/// Executes subgraph 0 of an int8 TFLite model from caller-owned memory: the model bytes
/// (read-only, may sit in flash) and one arena. Nothing is allocated.
///
/// `init` verifies the model, prepares every operator (validating shapes, types and
/// quantization, computing multipliers into the arena's persistent part), plans the arena
/// and fails with `.arenaTooSmall` when the arena is too small. `MoteError.value` is then the
/// exact number of bytes required, except when the arena cannot even hold the persistent part
/// (records and per-operator data, sized before anything is prepared): then operators cannot
/// be prepared, their scratch needs are unknown, and `value` is an estimate (persistent part
/// plus every activation byte) with which a second attempt reports the exact figure. Then `input(_:)` gives the input tensors' bytes to fill, `invoke()`
/// runs the operators in order, `output(_:)` gives the results. Under the compact policy
/// operators may write their output over their input (see `runsInPlace(operator:)`), a model
/// input included: after `invoke` the input bytes are undefined, so fill them before every
/// `invoke`.
///
/// Arena layout: the planned part (activations and scratch, greedy plan, see `ArenaPlanner`)
/// from the start, the persistent part (tensor and operator records, operator parameters,
/// per-channel multipliers) at the end. The model and arena must outlive the interpreter.
public struct Interpreter {
    /// The verified model.
    public let model: ModelView
    let subgraph: SubgraphView
    let tensors: UnsafeMutablePointer<TensorSlot>
    /// The number of tensors of subgraph 0.
    public let tensorCount: Int
    let ops: UnsafeMutablePointer<OperatorRecord>
    /// The number of operators (execution order).
    public let operatorCount: Int
    /// How the arena is used.
    public let usage: ArenaUsage
    /// The start of the planned part (the arena's first 16-byte aligned address).
    let planBase: UnsafeMutableRawPointer

    /// How kernels may use the arena.
    public enum MemoryPolicy: Sendable {
        /// The least memory: reference-form kernels that need no scratch buffers and no copies
        /// of weights (weights stay where the model is, e.g. in flash), only the per-channel
        /// requantization tables. For microcontrollers; what the C ABI uses.
        case compact
        /// Faster kernels that may ask for scratch buffers (gathered windows, lane constants)
        /// and repack constant weights into the persistent part. Same output bytes. For hosts
        /// and Linux boards.
        case fast
    }

    /// Sizes of the arena's parts, in bytes.
    public struct ArenaUsage {
        /// The planned part: activations and scratch buffers.
        public var planned: Int
        /// The persistent part: records, operator parameters, per-channel data.
        public var persistent: Int
        /// The largest total of activation bytes live at once (a RESHAPE output counted once
        /// with its input; every other operator output counted as a buffer of its own, i.e.
        /// without in place): no plan of the activations alone that keeps every operator's
        /// output apart from its inputs can be smaller. Kernel scratch buffers come on top of
        /// it; in place can bring `planned` below it.
        public var lowerBound: Int
        /// Bytes the caller's arena must have: planned + persistent, plus the bytes skipped to
        /// align the arena's start to 16.
        public var required: Int
        /// Planned bytes saved by running operators in place (compact policy): the plan of the
        /// same buffers with every operator writing a buffer of its own, minus `planned`. 0
        /// when no operator runs in place.
        public var inPlaceSaving: Int
    }

    /// Prepares `model` to run in `arena`, with kernels chosen by `memoryPolicy`.
    public init(model bytes: UnsafeRawBufferPointer, arena: UnsafeMutableRawBufferPointer,
                memoryPolicy: MemoryPolicy = .fast) throws(MoteError) {
        let model = try ModelView(bytes)
        guard let subgraph = model.subgraph(0) else { throw MoteError(.malformedModel, "model has no subgraph") }
        self.model = model
        self.subgraph = subgraph
        let tensorCount = subgraph.tensorCount
        let opCount = subgraph.operatorCount
        guard tensorCount <= 1 << 20, opCount <= 1 << 20 else { throw MoteError(.overflow, "too many tensors or operators") }
        self.tensorCount = tensorCount
        operatorCount = opCount

        // 1. Size the persistent part without touching the arena.
        let align = ArenaPlanner.align
        var persistent = align(tensorCount * MemoryLayout<TensorSlot>.stride) + align(opCount * MemoryLayout<OperatorRecord>.stride)
        for i in 0..<opCount {
            let (code, version, op) = try Interpreter.resolve(model, subgraph, i)
            var sizer = SizeVisitor(ctx: PrepareContext(operatorIndex: Int32(truncatingIfNeeded: i), builtinCode: code, version: version, op: op,
                                                        model: model, subgraph: subgraph, memoryPolicy: memoryPolicy))
            guard let (paramBytes, extra, maxVersion) = OperatorRegistry.dispatch(code, &sizer) else {
                throw MoteError(.unsupportedOperator, "operator not supported", operator: Int32(truncatingIfNeeded: i), value: Int(code))
            }
            guard version >= 1, version <= maxVersion else {
                throw MoteError(.unsupportedOperator, "operator version not supported", operator: Int32(truncatingIfNeeded: i), value: Int(version))
            }
            guard extra >= 0, extra <= 1 << 26 else { throw MoteError(.overflow, "operator persistent data too large", operator: Int32(truncatingIfNeeded: i)) }
            // Bounded so that no sum below overflows a 32-bit Int.
            persistent += align(paramBytes) + align(extra)
            guard persistent <= 1 << 29 else { throw MoteError(.overflow, "persistent data above 512 MiB", operator: Int32(truncatingIfNeeded: i)) }
        }

        // 2. Carve the persistent part from the end of the (aligned) arena.
        guard let rawBase = arena.baseAddress else {
            throw MoteError(.arenaTooSmall, "arena is empty", value: persistent + Interpreter.activationBytes(model, subgraph) + align(1))
        }
        let skew = (0 &- Int(bitPattern: rawBase)) & (ArenaPlanner.alignment - 1)  // bytes to the next 16-byte boundary
        let usable = (arena.count - skew) & ~(align(1) - 1)
        guard usable >= persistent else {
            throw MoteError(.arenaTooSmall, "arena smaller than the persistent data (value is an estimate: retry with it for the exact size)",
                            value: persistent + Interpreter.activationBytes(model, subgraph) + align(1))
        }
        let base = rawBase + skew
        var cursor = base + (usable - persistent)
        tensors = cursor.bindMemory(to: TensorSlot.self, capacity: tensorCount)
        cursor += align(tensorCount * MemoryLayout<TensorSlot>.stride)
        ops = cursor.bindMemory(to: OperatorRecord.self, capacity: opCount)
        cursor += align(opCount * MemoryLayout<OperatorRecord>.stride)

        // 3. Tensor records: byte counts, constants, graph inputs and outputs.
        for t in 0..<tensorCount {
            tensors[t] = TensorSlot(data: nil, byteCount: 0, firstUse: -1, lastUse: -1, offset: -1, alias: -1, flags: 0)
        }
        let graphInputs = subgraph.inputs, graphOutputs = subgraph.outputs
        for k in 0..<graphInputs.count {
            let info = try TensorInfo.load(graphInputs.i32(k), model: model, subgraph: subgraph, op: -1)
            guard !info.isConstant else { throw MoteError(.invalidBuffer, "graph input is a constant tensor", tensor: info.index) }
            try Interpreter.record(info, in: tensors)
            tensors[Int(info.index)].flags |= TensorSlot.graphInput | TensorSlot.produced
            tensors[Int(info.index)].firstUse = 0
        }
        for k in 0..<graphOutputs.count {
            let info = try TensorInfo.load(graphOutputs.i32(k), model: model, subgraph: subgraph, op: -1)
            try Interpreter.record(info, in: tensors)
            tensors[Int(info.index)].flags |= TensorSlot.graphOutput
        }

        // 4. Prepare every operator and record tensor lifetimes.
        for i in 0..<opCount {
            let (code, version, op) = try Interpreter.resolve(model, subgraph, i)
            let opIndex = Int32(truncatingIfNeeded: i)
            var sizer = SizeVisitor(ctx: PrepareContext(operatorIndex: opIndex, builtinCode: code, version: version, op: op, model: model,
                                                        subgraph: subgraph, memoryPolicy: memoryPolicy))
            let (paramBytes, extra, _) = OperatorRegistry.dispatch(code, &sizer)!
            var ctx = PrepareContext(operatorIndex: opIndex, builtinCode: code, version: version, op: op, model: model, subgraph: subgraph,
                                     memoryPolicy: memoryPolicy)
            ctx.persistent = UnsafeMutableRawBufferPointer(start: cursor + align(paramBytes), count: extra)
            var visitor = PrepareVisitor(ctx: ctx, params: cursor)
            if let failure = OperatorRegistry.dispatch(code, &visitor)! { throw failure }
            let scratch = visitor.ctx.scratchBytes
            guard scratch >= 0, scratch <= 1 << 28 else { throw MoteError(.overflow, "scratch request too large", operator: opIndex) }
            let inPlace = visitor.ctx.inPlaceScratchBytes
            guard inPlace <= 1 << 28, scratch + max(inPlace, 0) <= 1 << 28 else { throw MoteError(.overflow, "scratch request too large", operator: opIndex) }
            ops[i] = OperatorRecord(params: cursor, builtin: code, scratchBytes: Int32(truncatingIfNeeded: scratch), scratchOffset: -1,
                                    inputStart: Int32(truncatingIfNeeded: op.inputs.start), inputCount: Int32(truncatingIfNeeded: op.inputs.count),
                                    outputStart: Int32(truncatingIfNeeded: op.outputs.start), outputCount: Int32(truncatingIfNeeded: op.outputs.count),
                                    inPlaceScratch: Int32(truncatingIfNeeded: inPlace))
            cursor += align(paramBytes) + align(extra)

            for k in 0..<op.inputs.count {
                let t = op.inputs.i32(k)
                if t == -1 { continue }
                let info = try TensorInfo.load(t, model: model, subgraph: subgraph, op: opIndex)
                try Interpreter.record(info, in: tensors)
                let slot = Int(t)
                if tensors[slot].flags & TensorSlot.constant != 0 { continue }
                guard tensors[slot].flags & TensorSlot.produced != 0 else {
                    throw MoteError(.invalidBuffer, "operator reads a tensor that nothing wrote", operator: opIndex, tensor: t)
                }
                Interpreter.use(slot, at: opIndex, in: tensors)
            }
            for k in 0..<op.outputs.count {
                let t = op.outputs.i32(k)
                let info = try TensorInfo.load(t, model: model, subgraph: subgraph, op: opIndex)
                try Interpreter.record(info, in: tensors)
                let slot = Int(t)
                guard tensors[slot].flags & (TensorSlot.produced | TensorSlot.constant) == 0 else {
                    throw MoteError(.invalidBuffer, "tensor written twice, or a graph input or constant written", operator: opIndex, tensor: t)
                }
                tensors[slot].flags |= TensorSlot.produced
                Interpreter.use(slot, at: opIndex, in: tensors)
            }
            // RESHAPE in place: the output shares its (non-constant) input's buffer.
            if code == BuiltinOperator.reshape, op.outputs.count == 1, op.inputs.count >= 1 {
                let input = Int(op.inputs.i32(0)), output = Int(op.outputs.i32(0))
                if input >= 0, tensors[input].flags & TensorSlot.constant == 0, tensors[input].byteCount == tensors[output].byteCount {
                    let root = tensors[input].alias >= 0 ? Int(tensors[input].alias) : input
                    tensors[output].alias = Int32(truncatingIfNeeded: root)
                }
            }
        }
        for k in 0..<graphOutputs.count {
            let slot = Int(graphOutputs.i32(k))
            guard tensors[slot].flags & (TensorSlot.produced | TensorSlot.constant) != 0 else {
                throw MoteError(.invalidBuffer, "graph output is never written", tensor: Int32(truncatingIfNeeded: slot))
            }
            Interpreter.use(slot, at: Int32(truncatingIfNeeded: max(opCount - 1, 0)), in: tensors)
        }
        // An alias keeps its root's buffer alive for its own lifetime too.
        for t in 0..<tensorCount where tensors[t].alias >= 0 {
            let r = Int(tensors[t].alias)
            tensors[r].firstUse = min(tensors[r].firstUse, tensors[t].firstUse)
            tensors[r].lastUse = max(tensors[r].lastUse, tensors[t].lastUse)
        }

        // 5. Plan the activations and scratch buffers: first as if no operator ran in place
        // (the lower bound and the saving are measured against that), then with in place.
        var items = InterpreterPlanItems(tensors: tensors, tensorCount: tensorCount, ops: ops, opCount: opCount)
        // Every offset the planner forms is at most the sum of all buffers: keep it far from a
        // 32-bit Int's limit (each buffer is already below 1 GiB).
        var allBuffers = 0
        for i in 0..<items.count {
            guard let it = items.get(i) else { continue }
            allBuffers += ArenaPlanner.align(it.size)
            guard allBuffers <= 1 << 30 else { throw MoteError(.overflow, "activations and scratch above 1 GiB in all") }
        }
        let lowerBound = ArenaPlanner.lowerBound(items, steps: opCount, itemCount: tensorCount)
        let plannedWithoutInPlace = ArenaPlanner.plan(&items)
        let planned = Interpreter.grantInPlace(&items, planned: plannedWithoutInPlace, buffer: model.buffer)
        let required = skew + planned + persistent
        usage = ArenaUsage(planned: planned, persistent: persistent, lowerBound: lowerBound, required: required,
                           inPlaceSaving: plannedWithoutInPlace - planned)
        guard required <= arena.count else {
            throw MoteError(.arenaTooSmall, "arena too small for the planned tensors", value: required)
        }
        planBase = base

        // 6. Bind every tensor to its memory.
        for t in 0..<tensorCount {
            if tensors[t].flags & TensorSlot.constant != 0 || tensors[t].alias >= 0 { continue }
            if tensors[t].offset >= 0 { tensors[t].data = base + Int(tensors[t].offset) }
        }
        for t in 0..<tensorCount where tensors[t].alias >= 0 {
            // A sharing tensor's offset is its position inside the root's buffer.
            tensors[t].data = tensors[Int(tensors[t].alias)].data.map { $0 + max(Int(tensors[t].offset), 0) }
        }
        for t in 0..<tensorCount where tensors[t].data == nil {
            tensors[t].data = base  // unused or empty tensors: a valid address, never read
        }
    }

    /// Bytes of every non-constant tensor: enough for any plan.
    static func activationBytes(_ model: ModelView, _ subgraph: SubgraphView) -> Int {
        var total = 0
        for t in 0..<subgraph.tensorCount {
            guard let v = subgraph.tensor(t), v.buffer == 0 || model.bufferData(v.buffer).count == 0,
                  let type = v.type else { continue }
            // Hostile shapes can overflow: each tensor is capped at what prepare accepts, and the
            // total saturates (such a model is rejected by prepare anyway).
            let cap = 0x3fff_ffff
            var n = type.byteSize
            let shape = v.shape
            for d in 0..<shape.count {
                let (p, o) = n.multipliedReportingOverflow(by: max(Int(shape.i32(d)), 0))
                n = o || p > cap ? cap : p
            }
            total = min(total + ArenaPlanner.align(n), Int.max / 4)
        }
        return total
    }

    /// The builtin code, version and view of operator `i`.
    static func resolve(_ model: ModelView, _ subgraph: SubgraphView, _ i: Int) throws(MoteError) -> (Int32, Int32, OperatorView) {
        let opIndex = Int32(truncatingIfNeeded: i)
        guard let op = subgraph.op(i) else { throw MoteError(.malformedModel, "operator table invalid", operator: opIndex) }
        guard op.opcodeIndex < model.operatorCodeCount, let code = model.operatorCode(op.opcodeIndex) else {
            throw MoteError(.indexOutOfRange, "opcode index out of range", operator: opIndex)
        }
        guard !code.isCustom else { throw MoteError(.unsupportedOperator, "custom operators are not supported", operator: opIndex, value: 32) }
        return (code.builtin, code.version, op)
    }

    /// Fills the record of a tensor the first time it is seen.
    static func record(_ info: TensorInfo, in tensors: UnsafeMutablePointer<TensorSlot>) throws(MoteError) {
        let slot = Int(info.index)
        if tensors[slot].byteCount != 0 || tensors[slot].flags != 0 { return }
        tensors[slot].byteCount = Int32(truncatingIfNeeded: info.byteCount)
        if info.isConstant {
            tensors[slot].flags = TensorSlot.constant
            tensors[slot].data = UnsafeMutableRawPointer(mutating: info.data.baseAddress)
        }
    }

    @inline(__always)
    static func use(_ slot: Int, at op: Int32, in tensors: UnsafeMutablePointer<TensorSlot>) {
        if tensors[slot].firstUse < 0 || op < tensors[slot].firstUse { tensors[slot].firstUse = op }
        if op > tensors[slot].lastUse { tensors[slot].lastUse = op }
    }

    // MARK: running

    /// The number of model inputs.
    public var inputCount: Int { subgraph.inputs.count }
    /// The number of model outputs.
    public var outputCount: Int { subgraph.outputs.count }
    /// The tensor index of input `i`.
    public func inputTensorIndex(_ i: Int) -> Int { Int(subgraph.inputs.i32(i)) }
    /// The tensor index of output `i`.
    public func outputTensorIndex(_ i: Int) -> Int { Int(subgraph.outputs.i32(i)) }

    /// The bytes of input `i` (to be filled before `invoke`); empty when `i` is out of range.
    public func input(_ i: Int) -> UnsafeMutableRawBufferPointer {
        guard i >= 0, i < inputCount else { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
        let t = tensors[inputTensorIndex(i)]
        return UnsafeMutableRawBufferPointer(start: t.data, count: Int(t.byteCount))
    }

    /// The bytes of output `i` (valid after `invoke`); empty when `i` is out of range.
    public func output(_ i: Int) -> UnsafeRawBufferPointer {
        guard i >= 0, i < outputCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return tensorBytes(outputTensorIndex(i))
    }

    /// Copies `bytes` into input `i`; the byte count must match the input tensor exactly.
    public func setInput(_ i: Int, _ bytes: UnsafeRawBufferPointer) throws(MoteError) {
        guard i >= 0, i < inputCount else { throw MoteError(.invalidArgument, "input index out of range", value: i) }
        let dst = input(i)
        guard bytes.count == dst.count else {
            throw MoteError(.invalidArgument, "input byte count differs from the input tensor", tensor: Int32(truncatingIfNeeded: inputTensorIndex(i)), value: dst.count)
        }
        if let d = dst.baseAddress, let s = bytes.baseAddress, dst.count > 0 { d.copyMemory(from: s, byteCount: dst.count) }
    }

    /// The current bytes of tensor `t` (an activation's bytes are meaningful only while it is
    /// live: between the operator that writes it and its last reader).
    public func tensorBytes(_ t: Int) -> UnsafeRawBufferPointer {
        guard t >= 0, t < tensorCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: tensors[t].data, count: Int(tensors[t].byteCount))
    }

    /// Where the planner put tensor `t`: offset in the planned part (-1 for constants and
    /// tensors sharing another's buffer), bytes, lifetime, and the tensor it shares memory with
    /// (the root of the shared buffer, which is at least as large; for a tensor written or
    /// overwritten in place, `sharedOffset` gives its position inside it).
    public func placement(_ t: Int) -> (offset: Int, bytes: Int, firstUse: Int, lastUse: Int, alias: Int, isConstant: Bool) {
        guard t >= 0, t < tensorCount else { return (-1, 0, -1, -1, -1, false) }
        let s = tensors[t]
        return (s.alias >= 0 ? -1 : Int(s.offset), Int(s.byteCount), Int(s.firstUse), Int(s.lastUse), Int(s.alias), s.flags & TensorSlot.constant != 0)
    }

    /// The position of tensor `t` inside the buffer it shares (0 for a RESHAPE output and for
    /// tensors with a buffer of their own).
    public func sharedOffset(_ t: Int) -> Int {
        guard t >= 0, t < tensorCount, tensors[t].alias >= 0 else { return 0 }
        return max(Int(tensors[t].offset), 0)
    }

    /// The output tensor indices of operator `i`.
    public func outputTensors(ofOperator i: Int) -> FBVector {
        i >= 0 && i < operatorCount ? ops[i].outputs(model.buffer) : .empty(model.buffer, elementSize: 4)
    }

    /// The input tensor indices of operator `i` (-1 = omitted).
    public func inputTensors(ofOperator i: Int) -> FBVector {
        i >= 0 && i < operatorCount ? ops[i].inputs(model.buffer) : .empty(model.buffer, elementSize: 4)
    }

    /// The scratch bytes of operator `i` and their offset in the planned part (-1 without).
    public func scratch(ofOperator i: Int) -> (bytes: Int, offset: Int) {
        i >= 0 && i < operatorCount ? (Int(ops[i].scratchBytes), Int(ops[i].scratchOffset)) : (0, -1)
    }

    /// True when operator `i` writes its output 0 over its input 0 (compact policy: the
    /// kernel offered it and the planner granted it; the two tensors then share one buffer,
    /// see `placement`).
    public func runsInPlace(operator i: Int) -> Bool { i >= 0 && i < operatorCount && ops[i].inPlaceScratch >= 0 }

    /// The builtin code of operator `i`.
    public func builtinCode(_ i: Int) -> Int32 { i >= 0 && i < operatorCount ? ops[i].builtin : -1 }

    /// Runs every operator in order. The model inputs' bytes are undefined afterwards (the
    /// planner reuses their memory, and an operator may run in place over them).
    public func invoke() {
        for i in 0..<operatorCount { evalOperator(i) }
    }

    /// Runs every operator in order and calls `afterEach` with each operator's index right after
    /// it ran, while its outputs are live (to inspect intermediate tensors).
    public func invoke(afterEach: (Int) -> Void) {
        for i in 0..<operatorCount {
            evalOperator(i)
            afterEach(i)
        }
    }

    @inline(__always)
    func evalOperator(_ i: Int) {
        let r = ops[i]
        let scratch: UnsafeMutableRawPointer? = r.scratchOffset >= 0 ? planBase + Int(r.scratchOffset) : nil
        var visitor = EvalVisitor(ctx: EvalContext(inputs: r.inputs(model.buffer), outputs: r.outputs(model.buffer), tensors: UnsafePointer(tensors), tensorCount: tensorCount, scratch: scratch), params: UnsafeRawPointer(r.params))
        _ = OperatorRegistry.dispatch(r.builtin, &visitor)
    }
}

/// The interpreter's record of one operator, kept in the arena's persistent part (40 bytes
/// on 64-bit targets, 36 on 32-bit ones: the input and output index vectors are kept as
/// positions in the model).
struct OperatorRecord {
    /// The kernel's `Params`, stored by prepare.
    var params: UnsafeMutableRawPointer
    var builtin: Int32
    var scratchBytes: Int32
    /// Offset of the scratch buffer in the planned part, or -1 without scratch.
    var scratchOffset: Int32
    var inputStart: Int32
    var inputCount: Int32
    var outputStart: Int32
    var outputCount: Int32
    /// Before planning, the scratch bytes of the kernel's in-place offer (-1 without one);
    /// after it, the same for a granted offer and -1 for a declined one.
    var inPlaceScratch: Int32

    func inputs(_ buffer: FlatBuffer) -> FBVector {
        FBVector(buffer: buffer, start: Int(inputStart), count: Int(inputCount), elementSize: 4)
    }

    func outputs(_ buffer: FlatBuffer) -> FBVector {
        FBVector(buffer: buffer, start: Int(outputStart), count: Int(outputCount), elementSize: 4)
    }
}

/// The interpreter's tensors (non-constant, used, not aliased) and scratch buffers, as the planner sees them.
struct InterpreterPlanItems: PlanItems {
    let tensors: UnsafeMutablePointer<TensorSlot>
    let tensorCount: Int
    let ops: UnsafeMutablePointer<OperatorRecord>
    let opCount: Int

    var count: Int { tensorCount + opCount }

    func get(_ i: Int) -> ArenaPlanner.Item? {
        if i < tensorCount {
            let t = tensors[i]
            guard t.flags & TensorSlot.constant == 0, t.alias < 0, t.firstUse >= 0, t.byteCount > 0 else { return nil }
            var item = ArenaPlanner.Item(size: Int(t.byteCount), first: t.firstUse, last: t.lastUse, offset: Int(t.offset))
            if t.flags & TensorSlot.sharedRoot != 0 {
                forEachPart(i) { part in
                    item.first = min(item.first, part.first)
                    item.last = max(item.last, part.last)
                }
            }
            return item
        }
        let r = ops[i - tensorCount]
        guard r.scratchBytes > 0 else { return nil }
        let step = Int32(truncatingIfNeeded: i - tensorCount)
        return ArenaPlanner.Item(size: Int(r.scratchBytes), first: step, last: step, offset: Int(r.scratchOffset))
    }

    func hasParts(_ i: Int) -> Bool { i < tensorCount && tensors[i].flags & TensorSlot.sharedRoot != 0 }

    /// The root's own rectangle, then every tensor that joined its buffer in place, each at
    /// its offset inside the buffer for its own lifetime (RESHAPE outputs lie inside the
    /// rectangle of the tensor they reshape, whose lifetime covers theirs).
    func forEachPart(_ i: Int, _ body: (ArenaPlanner.Part) -> Void) {
        guard i < tensorCount else {
            if let it = get(i) { body(ArenaPlanner.Part(offset: 0, size: it.size, first: it.first, last: it.last)) }
            return
        }
        let root = tensors[i]
        body(ArenaPlanner.Part(offset: 0, size: Int(root.byteCount), first: root.firstUse, last: root.lastUse))
        guard root.flags & TensorSlot.sharedRoot != 0 else { return }
        let r = Int32(truncatingIfNeeded: i)
        for t in 0..<tensorCount where tensors[t].alias == r && tensors[t].flags & TensorSlot.inPlace != 0 && tensors[t].firstUse >= 0 {
            let m = tensors[t]
            body(ArenaPlanner.Part(offset: max(Int(m.offset), 0), size: Int(m.byteCount), first: m.firstUse, last: m.lastUse))
        }
    }

    func set(_ i: Int, _ item: ArenaPlanner.Item) {
        if i < tensorCount {
            tensors[i].offset = Int32(truncatingIfNeeded: item.offset)
        } else {
            ops[i - tensorCount].scratchOffset = Int32(truncatingIfNeeded: item.offset)
        }
    }
}

/// Asks a kernel for its sizes: `Params` stride, persistent bytes, highest version.
struct SizeVisitor: KernelVisitor {
    let ctx: PrepareContext
    mutating func visit<K: OperatorKernel>(_ kernel: K.Type) -> (Int, Int, Int32) {
        precondition(MemoryLayout<K.Params>.alignment <= ArenaPlanner.alignment)
        return (MemoryLayout<K.Params>.stride, K.persistentBytes(ctx), K.maxVersion)
    }
}

/// Runs a kernel's prepare and stores its `Params`; the result is the error, if any.
struct PrepareVisitor: KernelVisitor {
    var ctx: PrepareContext
    let params: UnsafeMutableRawPointer
    mutating func visit<K: OperatorKernel>(_ kernel: K.Type) -> MoteError? {
        do {
            let p = try K.prepare(&ctx)
            params.bindMemory(to: K.Params.self, capacity: 1).initialize(to: p)
            return nil
        } catch {
            return error
        }
    }
}

/// Runs a kernel's eval with its stored `Params`.
struct EvalVisitor: KernelVisitor {
    let ctx: EvalContext
    let params: UnsafeRawPointer
    mutating func visit<K: OperatorKernel>(_ kernel: K.Type) {
        K.eval(ctx, params.load(as: K.Params.self))
    }
}
