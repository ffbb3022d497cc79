/// CONCATENATION of any number of inputs along any axis (negative counts from the end), as
/// TFLite 2.21's reference kernel (`concatenation.cc`, `reference_ops::Concatenation`).
///
/// Types: int8, int32, int64, float32 and bool, all inputs and the output of one type and
/// rank, equal in every dimension but the axis; the fused activation must be NONE.
///
/// int8 quantization: TFLite 2.21 requires every input to have exactly the output's scale and
/// zero point (and then copies bytes). Mote copies such inputs too, and additionally accepts
/// inputs whose scale or zero point differ: those are requantized to the output's with the
/// QUANTIZE rule, `clamp(zp_out + MultiplyByQuantizedMultiplier(q - zp_in, QuantizeMultiplier(
/// double(s_in) / double(s_out))), -128, 127)` (double rounding): the bytes TFLite produces
/// when the converter inserts a QUANTIZE before the concatenation, and the fixed-point form of
/// TFLite's `ConcatenationWithScaling`.
///
/// Rejected: scalar (rank 0) inputs, other element types, a fused activation.
public enum ConcatenationKernel: OperatorKernel {
    public struct Params {
        /// One `ConcatInput` per input, in persistent memory.
        var inputs: UnsafePointer<ConcatInput>
        var inputCount: Int
        var outerCount: Int
        var elementSize: Int
    }

    public static var maxVersion: Int32 { 4 }

    public static func persistentBytes(_ ctx: borrowing PrepareContext) -> Int {
        ctx.inputCount &* MemoryLayout<ConcatInput>.stride
    }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        let n = ctx.inputCount
        guard n >= 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "CONCATENATION needs inputs and 1 output") }
        guard ctx.options == nil || ctx.optionsType == BuiltinOptionsType.concatenation else {
            throw ctx.error(.invalidOptions, "CONCATENATION options of the wrong type")
        }
        guard (ctx.options?.i8(1) ?? 0) == FusedActivation.none.rawValue else {
            throw ctx.error(.invalidOptions, "CONCATENATION with a fused activation is not supported")
        }
        let first = try ctx.input(0), output = try ctx.output(0)
        switch first.type {
        case .int8, .int32, .int64, .float32, .bool: break
        default: throw ctx.error(.typeMismatch, "CONCATENATION supports int8, int32, int64, float32 and bool", tensor: first.index)
        }
        try ctx.require(output, type: first.type, "CONCATENATION output type differs from the inputs")
        let rank = first.shape.rank
        guard rank >= 1 else { throw ctx.error(.shapeMismatch, "CONCATENATION of scalars is not supported", tensor: first.index) }
        var axis = Int(ctx.options?.i32(0) ?? 0)
        if axis < 0 { axis += rank }
        guard axis >= 0, axis < rank else { throw ctx.error(.invalidOptions, "CONCATENATION axis out of range") }

        var shape = first.shape
        shape[axis] = 0
        for i in 0..<n {
            let t = try ctx.input(i)
            try ctx.require(t, type: first.type, "CONCATENATION inputs differ in type")
            try ctx.require(t, rank: rank, "CONCATENATION inputs differ in rank")
            for d in 0..<rank where d != axis && t.shape[d] != first.shape[d] {
                throw ctx.error(.shapeMismatch, "CONCATENATION inputs differ outside the axis", tensor: t.index)
            }
            shape[axis] += t.shape[axis]
        }
        try ctx.require(output, shape: shape, "CONCATENATION output shape differs from the concatenated shape")

        let outerCount = shape.product(from: 0, to: axis)
        let inner = shape.product(from: axis + 1, to: rank)
        guard let base = ctx.persistent.baseAddress, ctx.persistent.count >= n * MemoryLayout<ConcatInput>.stride else {
            throw ctx.error(.invalidArgument, "CONCATENATION persistent memory missing")
        }
        let table = base.bindMemory(to: ConcatInput.self, capacity: n)
        var outQuant: (scale: Double, zeroPoint: Int32) = (0, 0)
        if first.type == .int8 { outQuant = try ctx.quantization(output) }
        for i in 0..<n {
            let t = try ctx.input(i)
            let identity = Requantize.Params(inputZeroPoint: 0, outputZeroPoint: 0, multiplier: 0, shift: 0)
            var entry = ConcatInput(count: Int32(truncatingIfNeeded: t.shape[axis] * inner), requantizes: false, requantize: identity)
            if first.type == .int8 {
                let q = try ctx.quantization(t)
                if t.scale(0) != output.scale(0) || q.zeroPoint != outQuant.zeroPoint {
                    entry.requantizes = true
                    entry.requantize = .quantize(inputScale: t.scale(0), inputZeroPoint: q.zeroPoint,
                                                 outputScale: output.scale(0), outputZeroPoint: outQuant.zeroPoint)
                }
            }
            (table + i).initialize(to: entry)
        }
        ctx.requestScratch(bytes: n * MemoryLayout<UnsafeRawPointer>.stride)
        return Params(inputs: UnsafePointer(table), inputCount: n, outerCount: outerCount, elementSize: first.type.byteSize)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        guard let scratch = ctx.scratch else { return }
        let data = scratch.bindMemory(to: UnsafeRawPointer.self, capacity: p.inputCount)
        for i in 0..<p.inputCount { data[i] = ctx.input(i)! }
        Concatenation.run(p.inputs, data, inputCount: p.inputCount, outerCount: p.outerCount, elementSize: p.elementSize, ctx.output(0))
    }
}
