/// PAD and PADV2: constant padding of an int8 or int32 tensor of rank up to 6, as TFLite
/// 2.21's reference kernel (`pad.cc`, `reference_ops::PadImpl`).
///
/// Input 1 holds the paddings: a constant `[rank, 2]` tensor of int32 or int64 (int8 and int16
/// are accepted too, as TFLite does), each `before`/`after` count non-negative and within
/// int32. PADV2's optional input 2 is the pad value: a one-element tensor of the input's type,
/// for int8 with exactly the output's scale and zero point, read at eval (it may be computed).
/// Without it the pad value is the output zero point (real 0.0 for int8, 0 for int32).
/// Rejected: non-constant paddings (the shapes here are static), other element types,
/// negative paddings, a declared output shape other than the padded one.
public enum PadKernel: OperatorKernel {
    public struct Params {
        var plan: PadPlan
        var isInt8: Bool
        /// Whether input 2 supplies the pad value.
        var hasValueInput: Bool
        /// The pad value without input 2: the output zero point.
        var zeroPoint: Int32
    }

    public static var maxVersion: Int32 { 4 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 2 || ctx.inputCount == 3, ctx.outputCount == 1 else {
            throw ctx.error(.invalidArgument, "PAD needs 2 or 3 inputs and 1 output")
        }
        let expectedOptions = ctx.builtinCode == BuiltinOperator.padV2 ? BuiltinOptionsType.padV2 : BuiltinOptionsType.pad
        guard ctx.options == nil || ctx.optionsType == expectedOptions else {
            throw ctx.error(.invalidOptions, "PAD options of the wrong type")
        }
        let input = try ctx.input(0), paddings = try ctx.input(1), output = try ctx.output(0)
        guard input.type == .int8 || input.type == .int32 else {
            throw ctx.error(.typeMismatch, "PAD supports int8 and int32 only", tensor: input.index)
        }
        try ctx.require(output, type: input.type, "PAD output type differs from the input")

        // Paddings: constant [rank, 2].
        let rank = input.shape.rank
        try ctx.requireConstant(paddings, "PAD paddings must be constant")
        guard paddings.shape.rank == 2, paddings.shape[0] == rank, paddings.shape[1] == 2 else {
            throw ctx.error(.shapeMismatch, "PAD paddings must have shape [rank, 2]", tensor: paddings.index)
        }
        var plan = PadPlan(input: input.shape)
        for d in 0..<rank {
            guard let b = padding(paddings, 2 * d), let a = padding(paddings, 2 * d + 1) else {
                throw ctx.error(.typeMismatch, "PAD paddings must be int32 or int64", tensor: paddings.index)
            }
            guard b >= 0, a >= 0 else { throw ctx.error(.invalidOptions, "PAD paddings must be non-negative", tensor: paddings.index) }
            guard b <= 0x7fff_ffff, a <= 0x7fff_ffff else {
                throw ctx.error(.overflow, "PAD padding outside the int32 range", tensor: paddings.index)
            }
            plan.setPadding(d, before: Int(truncatingIfNeeded: b), after: Int(truncatingIfNeeded: a))
        }
        guard let shape = plan.outputShape else { throw ctx.error(.overflow, "PAD output dimension overflows", tensor: output.index) }
        try ctx.require(output, shape: shape, "PAD output shape differs from the padded input shape")

        var zeroPoint: Int32 = 0
        if input.type == .int8 {
            // PAD copies bytes, so the input must carry valid quantization equal to the output's.
            let qi = try ctx.quantization(input), qo = try ctx.quantization(output)
            let diff = qi.scale > qo.scale ? qi.scale - qo.scale : qo.scale - qi.scale
            guard qi.zeroPoint == qo.zeroPoint, diff <= 1e-6 * qo.scale else {
                throw ctx.error(.invalidQuantization, "PAD input quantization differs from the output's", tensor: input.index)
            }
            zeroPoint = qo.zeroPoint
        }

        // PADV2's pad value.
        var hasValueInput = false
        if let value = try ctx.optionalInput(2) {
            try ctx.require(value, type: input.type, "PADV2 pad value type differs from the input")
            guard value.elementCount == 1 else { throw ctx.error(.shapeMismatch, "PADV2 pad value must have one element", tensor: value.index) }
            if input.type == .int8 {
                let qv = try ctx.quantization(value), qo = try ctx.quantization(output)
                guard value.scale(0) == output.scale(0), qv.zeroPoint == qo.zeroPoint else {
                    throw ctx.error(.invalidQuantization, "PADV2 pad value quantization differs from the output", tensor: value.index)
                }
            }
            hasValueInput = true
        }
        return Params(plan: plan, isInt8: input.type == .int8, hasValueInput: hasValueInput, zeroPoint: zeroPoint)
    }

    /// Element `i` of an integer paddings tensor, widened; nil for other types.
    static func padding(_ t: TensorInfo, _ i: Int) -> Int64? {
        guard let base = t.data.baseAddress else { return nil }
        switch t.type {
        case .int32: return FixedPoint.wide(base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
        case .int64: return base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)
        case .int16: return FixedPoint.wide(Int32(base.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
        case .int8: return FixedPoint.wide(Int32(base.load(fromByteOffset: i, as: Int8.self)))
        default: return nil
        }
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        let value = p.hasValueInput ? ctx.input(2) : nil
        if p.isInt8 {
            let pad = value.map { $0.load(as: Int8.self) } ?? Int8(truncatingIfNeeded: p.zeroPoint)
            p.plan.run(ctx.input(0, as: Int8.self), padValue: pad, ctx.output(0, as: Int8.self))
        } else {
            let pad = value.map { $0.loadUnaligned(as: Int32.self) } ?? p.zeroPoint
            p.plan.run(ctx.input(0, as: Int32.self), padValue: pad, ctx.output(0, as: Int32.self))
        }
    }
}
