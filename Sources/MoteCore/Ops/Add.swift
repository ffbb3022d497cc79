/// ADD: `output = input1 + input2` with numpy broadcasting up to rank 6 and a fused activation,
/// as TFLite 2.21's reference kernel (`add.cc` with `reference_integer_ops::BroadcastAdd6DSlow`).
///
/// int8: per-tensor quantization on all three tensors, the `QuantizedAdd` rounding (left shift
/// 20, three `MultiplyByQuantizedMultiplierSmallerThanOneExp`); rejected where TFLite's
/// `QuantizeMultiplierSmallerThanOneExp` would abort (output scale below max input scale / 2^19).
/// int32: the wrapping sum, clamped to the activation range. Other types are rejected.
public enum AddKernel: OperatorKernel {
    public typealias Params = ElementwiseBinary.AddSubParams
    public static var maxVersion: Int32 { 5 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        try ElementwiseBinary.prepareAddSub(&ctx, subtract: false)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        ElementwiseBinary.evalAddSub(ctx, params)
    }
}

/// The prepare and eval steps that ADD, SUB and MUL share: operand validation, broadcasting,
/// and the dispatch of the one broadcasting loop (`BroadcastBinary.run`) per element type.
public enum ElementwiseBinary {
    /// The validated operands of a binary element-wise operator.
    struct Operands {
        var input1: TensorInfo
        var input2: TensorInfo
        var output: TensorInfo
        var plan: BroadcastPlan
        var activation: FusedActivation
    }

    /// Checks two inputs and one output of one type (int8 or int32), broadcast-compatible
    /// shapes, a declared output shape equal to the broadcast shape, and reads the fused
    /// activation from options of type `optionsType` (absent options mean NONE).
    static func operands(_ ctx: PrepareContext, optionsType: UInt8) throws(MoteError) -> Operands {
        guard ctx.inputCount == 2, ctx.outputCount == 1 else {
            throw ctx.error(.invalidArgument, "element-wise operator needs 2 inputs and 1 output")
        }
        guard ctx.options == nil || ctx.optionsType == optionsType else {
            throw ctx.error(.invalidOptions, "element-wise operator options of the wrong type")
        }
        let input1 = try ctx.input(0), input2 = try ctx.input(1), output = try ctx.output(0)
        guard input1.type == .int8 || input1.type == .int32 else {
            throw ctx.error(.typeMismatch, "element-wise operator supports int8 and int32 only", tensor: input1.index)
        }
        try ctx.require(input2, type: input1.type, "element-wise inputs differ in type")
        try ctx.require(output, type: input1.type, "element-wise output type differs from the inputs")
        guard let plan = BroadcastPlan(input1.shape, input2.shape), let shape = BroadcastPlan.outputShape(input1.shape, input2.shape) else {
            throw ctx.error(.shapeMismatch, "element-wise input shapes do not broadcast", tensor: input2.index)
        }
        try ctx.require(output, shape: shape, "element-wise output shape differs from the broadcast shape")
        let raw = ctx.options?.i8(0) ?? 0
        guard let activation = FusedActivation(rawValue: raw) else { throw ctx.error(.invalidOptions, "unknown fused activation") }
        return Operands(input1: input1, input2: input2, output: output, plan: plan, activation: activation)
    }

    /// ADD's and SUB's parameters.
    public struct AddSubParams {
        var plan: BroadcastPlan
        var isInt8: Bool
        var subtract: Bool
        var quantized: QuantizedAdd.Params
        var range: Int32ActivationRange
    }

    /// Offers in place onto input 1 when it has the output's shape (not broadcast): the loop
    /// then reads its element `i` only to write output element `i` (see `BroadcastBinary.run`).
    static func allowInPlace(_ ctx: inout PrepareContext, _ o: Operands) {
        if o.input1.shape.equals(o.output.shape) { ctx.allowInPlace() }
    }

    static func prepareAddSub(_ ctx: inout PrepareContext, subtract: Bool) throws(MoteError) -> AddSubParams {
        let o = try operands(ctx, optionsType: subtract ? BuiltinOptionsType.sub : BuiltinOptionsType.add)
        allowInPlace(&ctx, o)
        var p = AddSubParams(plan: o.plan, isInt8: o.input1.type == .int8, subtract: subtract,
                             quantized: QuantizedAdd.Params(input1Offset: 0, input2Offset: 0, leftShift: 0, input1Multiplier: 0, input1Shift: 0,
                                                            input2Multiplier: 0, input2Shift: 0, outputMultiplier: 0, outputShift: 0,
                                                            outputOffset: 0, activationMin: 0, activationMax: 0),
                             range: Int32ActivationRange(o.activation))
        if p.isInt8 {
            let q1 = try ctx.quantization(o.input1), q2 = try ctx.quantization(o.input2), qo = try ctx.quantization(o.output)
            let range = try ctx.activationRange(o.activation.rawValue, scale: qo.scale, zeroPoint: qo.zeroPoint)
            guard let q = QuantizedAdd.params(input1Scale: o.input1.scale(0), input1ZeroPoint: q1.zeroPoint,
                                              input2Scale: o.input2.scale(0), input2ZeroPoint: q2.zeroPoint,
                                              outputScale: o.output.scale(0), outputZeroPoint: qo.zeroPoint,
                                              activationMin: range.min, activationMax: range.max, subtract: subtract) else {
                throw ctx.error(.invalidQuantization, "output scale too small for the input scales (multiplier not below 1)", tensor: o.output.index)
            }
            p.quantized = q
        }
        return p
    }

    static func evalAddSub(_ ctx: borrowing EvalContext, _ p: AddSubParams) {
        if p.isInt8 {
            BroadcastBinary.run(QuantizedAdd.self, p.plan, p.quantized, ctx.input(0, as: Int8.self), ctx.input(1, as: Int8.self), ctx.output(0, as: Int8.self))
        } else if p.subtract {
            BroadcastBinary.run(Int32Sub.self, p.plan, p.range, ctx.input(0, as: Int32.self), ctx.input(1, as: Int32.self), ctx.output(0, as: Int32.self))
        } else {
            BroadcastBinary.run(Int32Add.self, p.plan, p.range, ctx.input(0, as: Int32.self), ctx.input(1, as: Int32.self), ctx.output(0, as: Int32.self))
        }
    }

    /// MUL's parameters.
    public struct MulParams {
        var plan: BroadcastPlan
        var isInt8: Bool
        var quantized: QuantizedMul.Params
        var range: Int32ActivationRange
    }

    static func prepareMul(_ ctx: inout PrepareContext) throws(MoteError) -> MulParams {
        let o = try operands(ctx, optionsType: BuiltinOptionsType.mul)
        allowInPlace(&ctx, o)
        var p = MulParams(plan: o.plan, isInt8: o.input1.type == .int8,
                          quantized: QuantizedMul.Params(input1Offset: 0, input2Offset: 0, outputOffset: 0, outputMultiplier: 0,
                                                         outputShift: 0, activationMin: 0, activationMax: 0),
                          range: Int32ActivationRange(o.activation))
        if p.isInt8 {
            let q1 = try ctx.quantization(o.input1), q2 = try ctx.quantization(o.input2), qo = try ctx.quantization(o.output)
            let range = try ctx.activationRange(o.activation.rawValue, scale: qo.scale, zeroPoint: qo.zeroPoint)
            guard let q = QuantizedMul.params(input1Scale: o.input1.scale(0), input1ZeroPoint: q1.zeroPoint,
                                              input2Scale: o.input2.scale(0), input2ZeroPoint: q2.zeroPoint,
                                              outputScale: o.output.scale(0), outputZeroPoint: qo.zeroPoint,
                                              activationMin: range.min, activationMax: range.max) else {
                throw ctx.error(.invalidQuantization, "MUL multiplier is not finite", tensor: o.output.index)
            }
            p.quantized = q
        }
        return p
    }

    static func evalMul(_ ctx: borrowing EvalContext, _ p: MulParams) {
        if p.isInt8 {
            BroadcastBinary.run(QuantizedMul.self, p.plan, p.quantized, ctx.input(0, as: Int8.self), ctx.input(1, as: Int8.self), ctx.output(0, as: Int8.self))
        } else {
            BroadcastBinary.run(Int32Mul.self, p.plan, p.range, ctx.input(0, as: Int32.self), ctx.input(1, as: Int32.self), ctx.output(0, as: Int32.self))
        }
    }
}
