/// SHAPE: the input's dimensions as a rank-1 int32 or int64 tensor, as TFLite 2.21's
/// `shape.cc`. The element type is ShapeOptions.out_type (int32 when the options table is
/// absent; a table without the field means FLOAT32, which TFLite rejects, and so does Mote)
/// and must be the output tensor's type; the output shape must be
/// `[input rank]`. The input may have any element type; its data is not read. Shapes are
/// static, so the values are known at prepare and eval just writes them.
public enum ShapeKernel: OperatorKernel {
    public struct Params {
        var dims: InlineArray<6, Int32>
        var rank: Int
        var is64: Bool
    }

    public static var maxVersion: Int32 { 1 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.inputCount == 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "SHAPE needs 1 input and 1 output") }
        guard ctx.options == nil || ctx.optionsType == BuiltinOptionsType.shape else {
            throw ctx.error(.invalidOptions, "SHAPE options of the wrong type")
        }
        let input = try ctx.input(0), output = try ctx.output(0)
        var outType = TensorType.int32
        if let options = ctx.options {
            guard let t = TensorType(rawValue: options.u8(0)), t == .int32 || t == .int64 else {
                throw ctx.error(.invalidOptions, "SHAPE out_type must be int32 or int64")
            }
            outType = t
        }
        try ctx.require(output, type: outType, "SHAPE output type differs from out_type")
        let rank = input.shape.rank
        try ctx.require(output, shape: TensorShape(rank), "SHAPE output shape must be [input rank]")
        var dims = InlineArray<6, Int32>(repeating: 0)
        for d in 0..<rank { dims[d] = Int32(truncatingIfNeeded: input.shape[d]) }
        return Params(dims: dims, rank: rank, is64: outType == .int64)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        let out = ctx.output(0)
        for d in 0..<p.rank {
            if p.is64 {
                out.storeBytes(of: FixedPoint.wide(p.dims[d]), toByteOffset: 8 &* d, as: Int64.self)
            } else {
                out.storeBytes(of: p.dims[d], toByteOffset: 4 &* d, as: Int32.self)
            }
        }
    }
}
