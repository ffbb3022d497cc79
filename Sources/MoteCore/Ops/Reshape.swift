/// RESHAPE of a tensor of any element type, as TFLite 2.21's `reshape.cc`: the bytes are
/// unchanged, only the shape differs.
///
/// The new shape comes from input 1 when it is a rank-1 int32 tensor, else from
/// ReshapeOptions.new_shape (a legacy `[0]` meaning a scalar); one dimension may be -1 (the
/// element count divided by the product of the others). Shapes are static here, so prepare
/// checks the declared output shape: same element count and type as the input, equal to the
/// resolved new shape when that is known (constant input 1 or options), and of the shape
/// tensor's length when input 1 is computed at run time (SHAPE/PACK), whose values are then
/// not needed. Eval copies the bytes, or does nothing when the interpreter made the output
/// share the input's buffer.
public enum ReshapeKernel: OperatorKernel {
    public struct Params {
        var byteCount: Int
    }

    public static var maxVersion: Int32 { 1 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 1 || ctx.inputCount == 2, ctx.outputCount == 1 else {
            throw ctx.error(.invalidArgument, "RESHAPE needs 1 or 2 inputs and 1 output")
        }
        guard ctx.options == nil || ctx.optionsType == BuiltinOptionsType.reshape else {
            throw ctx.error(.invalidOptions, "RESHAPE options of the wrong type")
        }
        let input = try ctx.input(0), output = try ctx.output(0)
        try ctx.require(output, type: input.type, "RESHAPE output type differs from the input")
        guard output.elementCount == input.elementCount else {
            throw ctx.error(.shapeMismatch, "RESHAPE output element count differs from the input", tensor: output.index)
        }

        var shape = TensorShape()
        if let shapeTensor = try ctx.optionalInput(1), shapeTensor.shape.rank == 1, shapeTensor.type == .int32 {
            let length = shapeTensor.shape[0]
            guard shapeTensor.isConstant else {
                // Computed at run time: its values must produce the declared shape, of which only the rank is checkable here.
                guard length == output.shape.rank else {
                    throw ctx.error(.shapeMismatch, "RESHAPE shape tensor length differs from the output rank", tensor: shapeTensor.index)
                }
                return Params(byteCount: input.byteCount)
            }
            guard length <= TensorShape.maxRank else { throw ctx.error(.shapeMismatch, "RESHAPE to a rank above 6", tensor: shapeTensor.index) }
            shape = TensorShape(rank: length)
            for i in 0..<length { shape[i] = Int(shapeTensor.data.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
        } else {
            let newShape = ctx.options?.vector(0, elementSize: 4)
            var length = newShape?.count ?? 0
            if length == 1 && newShape?.i32(0) == 0 { length = 0 }  // legacy scalar
            guard length <= TensorShape.maxRank else { throw ctx.error(.shapeMismatch, "RESHAPE to a rank above 6") }
            shape = TensorShape(rank: length)
            for i in 0..<length { shape[i] = Int(newShape?.i32(i) ?? 0) }
        }
        guard let resolved = resolve(shape, elementCount: input.elementCount) else {
            throw ctx.error(.shapeMismatch, "RESHAPE new shape does not match the input element count", tensor: output.index)
        }
        try ctx.require(output, shape: resolved, "RESHAPE output shape differs from the new shape")
        return Params(byteCount: input.byteCount)
    }

    /// `shape` with its one -1 dimension (if any) replaced by `elementCount` divided by the
    /// product of the others; nil if another dimension is negative, -1 occurs twice, or the
    /// element counts differ.
    static func resolve(_ shape: TensorShape, elementCount: Int) -> TensorShape? {
        var out = shape
        var stretch = -1
        var known = 1
        for i in 0..<shape.rank {
            let d = shape[i]
            if d == -1 {
                guard stretch < 0 else { return nil }
                stretch = i
            } else {
                guard d >= 0 else { return nil }
                let (p, o) = known.multipliedReportingOverflow(by: d)
                guard !o else { return nil }
                known = p
            }
        }
        if stretch >= 0 {
            if known == 0 {
                guard elementCount == 0 else { return nil }
                out[stretch] = 0
            } else {
                out[stretch] = elementCount / known
                known *= out[stretch]
            }
        }
        return known == elementCount ? out : nil
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        guard let input = ctx.input(0) else { return }
        let output = ctx.output(0)
        if UnsafeRawPointer(output) != input && p.byteCount > 0 {
            output.copyMemory(from: input, byteCount: p.byteCount)
        }
    }
}
