/// AVERAGE_POOL_2D on int8 NHWC tensors, as TFLite's reference kernel (versions 1-3; version 3
/// is int16, rejected by type).
///
/// Options: SAME/VALID padding, strides, filter sizes, fused NONE/RELU/RELU6/RELU_N1_TO_1.
/// Input and output must share scale and zero point (TFLite's requirement); each output is the
/// mean of the window's in-image cells, rounded half away from zero. Scratch: one `Int32` per
/// channel. Rejected as for MAX_POOL_2D. Eval runs `Pool2DOptimized` under the fast memory
/// policy, `Pool2DReference` under the compact one: the same bytes.
public enum AveragePool2DKernel: OperatorKernel {
    public struct Params {
        var pool: Pool2DParameters
    }

    public static var maxVersion: Int32 { 3 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        let pool = try Pool2DParameters(ctx)
        ctx.requestScratch(bytes: pool.geometry.inputDepth &* MemoryLayout<Int32>.stride)
        return Params(pool: pool)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        let g = params.pool.geometry
        guard g.inputDepth > 0, let scratch = ctx.scratch else { return }
        let acc = scratch.bindMemory(to: Int32.self, capacity: g.inputDepth)
        if params.pool.optimized {
            Pool2DOptimized.averagePool(g, activationMin: params.pool.activationMin, activationMax: params.pool.activationMax,
                                        input: ctx.input(0, as: Int8.self), output: ctx.output(0, as: Int8.self), accumulator: acc)
            return
        }
        Pool2DReference.averagePool(g, activationMin: params.pool.activationMin, activationMax: params.pool.activationMax,
                                    input: ctx.input(0, as: Int8.self), output: ctx.output(0, as: Int8.self),
                                    accumulator: acc)
    }
}
