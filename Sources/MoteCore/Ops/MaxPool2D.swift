/// MAX_POOL_2D on int8 NHWC tensors, as TFLite's reference kernel (versions 1-3; version 3 is
/// int16, rejected by type).
///
/// Options: SAME/VALID padding, strides, filter sizes, fused NONE/RELU/RELU6/RELU_N1_TO_1.
/// Input and output must share scale and zero point (TFLite's requirement); the maximum is
/// taken over the window's in-image cells. Rejected: non-int8 tensors, a rank other than 4,
/// missing options, non-positive strides or filter sizes, windows larger than a VALID input,
/// a declared output shape other than `[N, outH, outW, C]`.
///
/// Eval runs `Pool2DOptimized` under the fast memory policy, `Pool2DReference` (the
/// definition) under the compact one: the same bytes.
public enum MaxPool2DKernel: OperatorKernel {
    public struct Params {
        var pool: Pool2DParameters
    }

    public static var maxVersion: Int32 { 3 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        Params(pool: try Pool2DParameters(ctx))
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        let p = params.pool
        if p.optimized {
            Pool2DOptimized.maxPool(p.geometry, activationMin: p.activationMin, activationMax: p.activationMax,
                                    input: ctx.input(0, as: Int8.self), output: ctx.output(0, as: Int8.self))
            return
        }
        Pool2DReference.maxPool(params.pool.geometry,
                                activationMin: Int8(truncatingIfNeeded: params.pool.activationMin),
                                activationMax: Int8(truncatingIfNeeded: params.pool.activationMax),
                                input: ctx.input(0, as: Int8.self), output: ctx.output(0, as: Int8.self))
    }
}
