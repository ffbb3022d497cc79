import MoteCore
import MoteModel

// CONV_2D, DEPTHWISE_CONV_2D, MAX/AVERAGE_POOL_2D and FULLY_CONNECTED.
extension GraphBuilder {
    static func windowPadding(_ p: Padding) -> WindowGeometry.Padding { p == .same ? .same : .valid }

    /// The optional bias at input 2: `count` float32 values, or nil when omitted.
    mutating func bias(_ ctx: Context, count: Int) throws -> UnsafePointer<Float>? {
        guard optionalInput(ctx, 2) != nil else { return nil }
        let b = try floatInput(ctx, 2)
        guard b.shape.reduce(1, *) == count else { throw ctx.invalid("the bias has shape \(b.shape), expected \(count) values") }
        return b.pointer
    }

    mutating func prepareConv2D(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 8)
        try expect(ctx, inputs: 2)
        guard case .conv2D(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized Conv2DOptions") }
        let x = try floatInput(ctx, 0), w = try floatInput(ctx, 1)
        guard x.shape.count == 4, w.shape.count == 4 else { throw ctx.invalid("input \(x.shape) and filter \(w.shape) must be 4-D (NHWC, OHWI)") }
        guard w.shape[3] == x.shape[3] else {
            throw ctx.unsupported("filter depth \(w.shape[3]) differs from input depth \(x.shape[3]) (grouped convolution)")
        }
        guard let g = WindowGeometry(padding: Self.windowPadding(o.padding), batch: x.shape[0], inputHeight: x.shape[1],
                                     inputWidth: x.shape[2], channels: x.shape[3], filterHeight: w.shape[1], filterWidth: w.shape[2],
                                     strideHeight: o.strideH, strideWidth: o.strideW,
                                     dilationHeight: o.dilationHFactor, dilationWidth: o.dilationWFactor) else {
            throw ctx.invalid("no output for input \(x.shape), filter \(w.shape), strides \(o.strideH)x\(o.strideW), dilation \(o.dilationHFactor)x\(o.dilationWFactor)")
        }
        let params = Conv2D.Parameters(geometry: g, outputChannels: w.shape[0], activation: try activation(ctx, o.fusedActivationFunction))
        let bias = try bias(ctx, count: w.shape[0])
        let y = try floatOutput(ctx, shape: [g.batch, g.outputHeight, g.outputWidth, w.shape[0]])
        let scratch = try requestScratch(ctx, params.scratchCount)
        let input = x.pointer, filter = w.pointer
        return { Conv2D.forward(params, input: input, filter: filter, bias: bias, output: y, scratch: scratch.pointer) }
    }

    mutating func prepareDepthwiseConv2D(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 7)
        try expect(ctx, inputs: 2)
        guard case .depthwiseConv2D(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized DepthwiseConv2DOptions") }
        let x = try floatInput(ctx, 0), w = try floatInput(ctx, 1)
        guard x.shape.count == 4, w.shape.count == 4, w.shape[0] == 1 else {
            throw ctx.invalid("input \(x.shape) must be NHWC and filter \(w.shape) 1HW(C·M)")
        }
        let c = x.shape[3], oc = w.shape[3]
        guard c >= 1, oc % c == 0, oc >= c else { throw ctx.invalid("filter channels \(oc) are not a multiple of input channels \(c)") }
        guard let g = WindowGeometry(padding: Self.windowPadding(o.padding), batch: x.shape[0], inputHeight: x.shape[1],
                                     inputWidth: x.shape[2], channels: c, filterHeight: w.shape[1], filterWidth: w.shape[2],
                                     strideHeight: o.strideH, strideWidth: o.strideW,
                                     dilationHeight: o.dilationHFactor, dilationWidth: o.dilationWFactor) else {
            throw ctx.invalid("no output for input \(x.shape), filter \(w.shape), strides \(o.strideH)x\(o.strideW)")
        }
        let params = DepthwiseConv2D.Parameters(geometry: g, depthMultiplier: oc / c, activation: try activation(ctx, o.fusedActivationFunction))
        let bias = try bias(ctx, count: oc)
        let y = try floatOutput(ctx, shape: [g.batch, g.outputHeight, g.outputWidth, oc])
        let input = x.pointer, filter = w.pointer
        return { DepthwiseConv2D.forward(params, input: input, filter: filter, bias: bias, output: y) }
    }

    mutating func preparePool2D(_ ctx: Context, average: Bool) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 3)
        try expect(ctx, inputs: 1)
        guard case .pool2D(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized Pool2DOptions") }
        let x = try floatInput(ctx, 0)
        guard x.shape.count == 4 else { throw ctx.invalid("input \(x.shape) must be 4-D (NHWC)") }
        guard let g = WindowGeometry(padding: Self.windowPadding(o.padding), batch: x.shape[0], inputHeight: x.shape[1],
                                     inputWidth: x.shape[2], channels: x.shape[3], filterHeight: o.filterHeight, filterWidth: o.filterWidth,
                                     strideHeight: o.strideH, strideWidth: o.strideW) else {
            throw ctx.invalid("no output for input \(x.shape), window \(o.filterHeight)x\(o.filterWidth), strides \(o.strideH)x\(o.strideW)")
        }
        let params = Pool2D.Parameters(geometry: g, activation: try activation(ctx, o.fusedActivationFunction))
        let y = try floatOutput(ctx, shape: [g.batch, g.outputHeight, g.outputWidth, g.channels])
        let input = x.pointer
        if average { return { Pool2D.averagePool(params, input: input, output: y) } }
        return { Pool2D.maxPool(params, input: input, output: y) }
    }

    mutating func prepareFullyConnected(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 13)
        try expect(ctx, inputs: 2)
        guard case .fullyConnected(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized FullyConnectedOptions") }
        guard o.weightsFormat == .default else { throw ctx.unsupported("weights format \(o.weightsFormat) (only the default [out, in] layout)") }
        let x = try floatInput(ctx, 0), w = try floatInput(ctx, 1)
        guard w.shape.count == 2, w.shape[1] >= 1, !x.shape.isEmpty else { throw ctx.invalid("weights \(w.shape) must be [outputs, inputs]") }
        let units = w.shape[0], depth = w.shape[1]
        let count = x.shape.reduce(1, *)
        guard count % depth == 0 else { throw ctx.invalid("input \(x.shape) is not a whole number of rows of \(depth)") }
        let rows = count / depth
        var outShape = [rows, units]
        if o.keepNumDims {
            guard x.shape.last == depth else { throw ctx.invalid("keep_num_dims needs the input's last dimension \(x.shape) to be \(depth)") }
            outShape = Array(x.shape.dropLast()) + [units]
        }
        let params = FullyConnected.Parameters(batches: rows, inputDepth: depth, outputDepth: units,
                                               activation: try activation(ctx, o.fusedActivationFunction))
        let bias = try bias(ctx, count: units)
        let y = try floatOutput(ctx, shape: outShape)
        let input = x.pointer, weights = w.pointer
        return { FullyConnected.forward(params, input: input, weights: weights, bias: bias, output: y) }
    }
}
