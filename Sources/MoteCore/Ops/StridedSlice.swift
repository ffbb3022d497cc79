/// STRIDED_SLICE with TFLite 2.21's semantics (see `StridedSlicePlan`): begin_mask, end_mask,
/// ellipsis_mask, new_axis_mask, shrink_axis_mask, offset, negative strides and indices, and
/// clamping, for inputs of rank up to 6 (TFLite: 5) and up to 6 effective dimensions.
///
/// Data: int8 and int32 (any 1, 2, 4 or 8-byte element type is copied the same way); the
/// output has the input's type. begin, end and strides are rank-1 int32 tensors of equal
/// length, constant or computed at run time (they are read at eval). When they are constant,
/// prepare checks the declared output shape against the slice (and that every stride is
/// non-zero and every shrunk axis selects one element); when computed, only the output rank.
/// Eval never writes more elements than the declared output holds; a zero stride computed at
/// run time writes nothing (TFLite fails there).
public enum StridedSliceKernel: OperatorKernel {
    public struct Params {
        var plan: StridedSlicePlan
        var capacity: Int
        var elementSize: Int
    }

    public static var maxVersion: Int32 { 8 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 4, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "STRIDED_SLICE needs 4 inputs and 1 output") }
        guard ctx.options == nil || ctx.optionsType == BuiltinOptionsType.stridedSlice else {
            throw ctx.error(.invalidOptions, "STRIDED_SLICE options of the wrong type")
        }
        let input = try ctx.input(0), begin = try ctx.input(1), end = try ctx.input(2), strides = try ctx.input(3)
        let output = try ctx.output(0)
        let size = input.type.byteSize
        guard size == 1 || size == 2 || size == 4 || size == 8, input.type != .complex64 else {
            throw ctx.error(.typeMismatch, "STRIDED_SLICE element type not supported", tensor: input.index)
        }
        try ctx.require(output, type: input.type, "STRIDED_SLICE output type differs from the input")
        try requireIndexVector(ctx, begin)
        try requireIndexVector(ctx, end)
        try requireIndexVector(ctx, strides)
        let count = begin.shape[0]
        guard end.shape[0] == count, strides.shape[0] == count else {
            throw ctx.error(.shapeMismatch, "STRIDED_SLICE begin, end and strides differ in length", tensor: end.index)
        }
        let o = ctx.options
        guard let plan = StridedSlicePlan(input: input.shape, count: count, beginMask: o?.i32(0) ?? 0, endMask: o?.i32(1) ?? 0,
                                          ellipsisMask: o?.i32(2) ?? 0, newAxisMask: o?.i32(3) ?? 0,
                                          shrinkAxisMask: o?.i32(4) ?? 0, offset: o?.bool(5) ?? false) else {
            throw ctx.error(.invalidOptions, "STRIDED_SLICE masks give more than 6 dimensions or do not fit the input")
        }
        try ctx.require(output, rank: plan.outputRank, "STRIDED_SLICE output rank differs from the slice")

        if let s = strides.data.baseAddress {
            for i in 0..<count where s.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self) == 0 {
                throw ctx.error(.invalidOptions, "STRIDED_SLICE stride is zero", tensor: strides.index)
            }
        }
        if let b = begin.data.baseAddress, let e = end.data.baseAddress, let s = strides.data.baseAddress {
            var shape = TensorShape(rank: 0)
            for d in 0..<plan.rank {
                let r = plan.range(d, begin: b, end: e, strides: s)
                let n = StridedSlicePlan.count(start: r.start, stop: r.stop, stride: r.stride)
                if plan.isShrunk(d) {
                    guard n == 1 else { throw ctx.error(.invalidOptions, "STRIDED_SLICE shrunk axis selects no element", tensor: begin.index) }
                } else {
                    shape.append(n)
                }
            }
            try ctx.require(output, shape: shape, "STRIDED_SLICE output shape differs from the slice")
        }
        return Params(plan: plan, capacity: output.elementCount, elementSize: size)
    }

    static func requireIndexVector(_ ctx: PrepareContext, _ t: TensorInfo) throws(MoteError) {
        try ctx.require(t, type: .int32, "STRIDED_SLICE begin, end and strides must be int32")
        try ctx.require(t, rank: 1, "STRIDED_SLICE begin, end and strides must be vectors")
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        guard let input = ctx.input(0), let begin = ctx.input(1), let end = ctx.input(2), let strides = ctx.input(3) else { return }
        p.plan.run(begin: begin, end: end, strides: strides, input, ctx.output(0), capacity: p.capacity, elementSize: p.elementSize)
    }
}
