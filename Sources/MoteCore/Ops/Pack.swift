/// PACK: `values_count` tensors of one shape and type stacked along a new axis (negative
/// counts from the end of the output rank), as TFLite 2.21's `pack.cc`.
///
/// Types: int8, int32 (and int64, float32, int16, uint8, which are copied the same way). The
/// quantization of every input must equal the output's (TFLite does not requantize), which
/// for int8 means per-tensor scale and zero point; the output shape is the input shape with
/// `values_count` inserted at the axis.
public enum PackKernel: OperatorKernel {
    public struct Params {
        var count: Int
        var outerCount: Int
        var chunkBytes: Int
    }

    public static var maxVersion: Int32 { 4 }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        guard ctx.options == nil || ctx.optionsType == BuiltinOptionsType.pack else {
            throw ctx.error(.invalidOptions, "PACK options of the wrong type")
        }
        let count = Int(ctx.options?.i32(0) ?? 0)
        guard count >= 1, ctx.inputCount == count, ctx.outputCount == 1 else {
            throw ctx.error(.invalidArgument, "PACK input count differs from values_count")
        }
        let first = try ctx.input(0), output = try ctx.output(0)
        switch first.type {
        case .int8, .int32, .int64, .float32, .int16, .uint8: break
        default: throw ctx.error(.typeMismatch, "PACK element type not supported", tensor: first.index)
        }
        try ctx.require(output, type: first.type, "PACK output type differs from the inputs")
        let rank = first.shape.rank
        guard rank < TensorShape.maxRank else { throw ctx.error(.shapeMismatch, "PACK output rank above 6", tensor: first.index) }
        var axis = Int(ctx.options?.i32(1) ?? 0)
        if axis < 0 { axis += rank + 1 }
        guard axis >= 0, axis <= rank else { throw ctx.error(.invalidOptions, "PACK axis out of range") }

        let quantized = first.type == .int8 || first.type == .uint8 || first.type == .int16
        for i in 0..<count {
            let t = try ctx.input(i)
            try ctx.require(t, type: first.type, "PACK inputs differ in type")
            try ctx.require(t, shape: first.shape, "PACK inputs differ in shape")
            if quantized {
                let q = try ctx.quantization(t), qo = try ctx.quantization(output)
                guard t.scale(0) == output.scale(0), q.zeroPoint == qo.zeroPoint else {
                    throw ctx.error(.invalidQuantization, "PACK input quantization differs from the output", tensor: t.index)
                }
            } else if t.scale(0) != output.scale(0) || t.zeroPoint(0) != output.zeroPoint(0) {
                throw ctx.error(.invalidQuantization, "PACK input quantization differs from the output", tensor: t.index)
            }
        }
        var shape = TensorShape(rank: 0)
        for d in 0..<axis { shape.append(first.shape[d]) }
        shape.append(count)
        for d in axis..<rank { shape.append(first.shape[d]) }
        try ctx.require(output, shape: shape, "PACK output shape differs from the stacked shape")
        ctx.requestScratch(bytes: count * MemoryLayout<UnsafeRawPointer>.stride)
        return Params(count: count, outerCount: first.shape.product(from: 0, to: axis),
                      chunkBytes: first.shape.product(from: axis, to: rank) * first.type.byteSize)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ p: Params) {
        guard let scratch = ctx.scratch else { return }
        let data = scratch.bindMemory(to: UnsafeRawPointer.self, capacity: p.count)
        for i in 0..<p.count { data[i] = ctx.input(i)! }
        Pack.run(data, count: p.count, outerCount: p.outerCount, chunkBytes: p.chunkBytes, ctx.output(0))
    }
}
