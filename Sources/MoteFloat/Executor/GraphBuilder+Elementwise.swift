import MoteCore
import MoteModel

// Activations, SOFTMAX and the broadcasting binary operators.
extension GraphBuilder {
    mutating func prepareUnary(_ ctx: Context, builtin: Int32) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 3)
        try expect(ctx, inputs: 1)
        let x = try floatInput(ctx, 0)
        let count = x.shape.reduce(1, *)
        let y = try floatOutput(ctx, shape: x.shape)
        let input = x.pointer
        switch builtin {
        case BuiltinOperator.logistic: return { Activations.logistic(input: input, output: y, count: count) }
        case BuiltinOperator.tanh: return { Activations.tanh(input: input, output: y, count: count) }
        case BuiltinOperator.hardSwish: return { Activations.hardSwish(input: input, output: y, count: count) }
        case BuiltinOperator.leakyRelu:
            guard case .leakyRelu(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized LeakyReluOptions") }
            let alpha = o.alpha
            return { Activations.leakyRelu(alpha: alpha, input: input, output: y, count: count) }
        default:
            let range: ActivationRange
            switch builtin {
            case BuiltinOperator.relu: range = .relu
            case BuiltinOperator.relu6: range = .relu6
            case BuiltinOperator.reluN1To1: range = .reluN1To1
            default: range = ActivationRange(lower: 0, upper: 1)
            }
            return { Activations.clamp(range, input: input, output: y, count: count) }
        }
    }

    mutating func prepareSoftmax(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 3)
        try expect(ctx, inputs: 1)
        guard case .softmax(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized SoftmaxOptions") }
        let x = try floatInput(ctx, 0)
        guard let depth = x.shape.last, depth >= 1 else { throw ctx.invalid("input \(x.shape) needs a last dimension") }
        let rows = x.shape.reduce(1, *) / depth
        let y = try floatOutput(ctx, shape: x.shape)
        let input = x.pointer, beta = o.beta
        return { Softmax.forward(beta: beta, rows: rows, depth: depth, input: input, output: y) }
    }

    mutating func prepareBinary(_ ctx: Context, builtin: Int32) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 7)
        try expect(ctx, inputs: 2)
        let operation: ElementwiseBinary.Operation
        var fused = FusedActivation.none
        switch (builtin, ctx.op.builtinOptions) {
        case (BuiltinOperator.add, .add(let o)): operation = .add; fused = o.fusedActivationFunction
        case (BuiltinOperator.sub, .sub(let o)): operation = .subtract; fused = o.fusedActivationFunction
        case (BuiltinOperator.mul, .mul(let o)): operation = .multiply; fused = o.fusedActivationFunction
        case (Self.div, .div(let o)): operation = .divide; fused = o.fusedActivationFunction
        case (Self.maximum, _): operation = .maximum
        case (Self.minimum, _): operation = .minimum
        case (Self.prelu, _): operation = .prelu
        case (BuiltinOperator.add, .none): operation = .add
        case (BuiltinOperator.sub, .none): operation = .subtract
        case (BuiltinOperator.mul, .none): operation = .multiply
        case (Self.div, .none): operation = .divide
        default: throw ctx.unsupported("unrecognized options \(ctx.op.builtinOptions.tableName ?? "none")")
        }
        if graph.tensors[try input(ctx, 0)].type == .int32 { return try prepareIntBinary(ctx, operation, fused: fused) }
        let a = try floatInput(ctx, 0), b = try floatInput(ctx, 1)
        guard let params = ElementwiseBinary.Parameters(operation, shapeA: a.shape, shapeB: b.shape,
                                                        activation: try activation(ctx, fused)) else {
            throw ctx.invalid("shapes \(a.shape) and \(b.shape) do not broadcast (or have more than \(StridedLayout.maxRank) dimensions)")
        }
        let y = try floatOutput(ctx, shape: params.outputShape)
        let pa = a.pointer, pb = b.pointer
        return { ElementwiseBinary.forward(params, a: pa, b: pb, output: y) }
    }

    /// Int32 ADD, SUB, MUL, MAXIMUM, MINIMUM on shape values, computed once at prepare
    /// (exact, with the same broadcasting; an overflow is an error).
    private mutating func prepareIntBinary(_ ctx: Context, _ operation: ElementwiseBinary.Operation, fused: FusedActivation) throws -> (() -> Void)? {
        guard fused == .none else { throw ctx.unsupported("fused activation \(fused) on int32 values") }
        let f: (Int, Int) -> Int
        switch operation {
        case .add: f = { $0 + $1 }
        case .subtract: f = { $0 - $1 }
        case .multiply: f = { $0 * $1 }
        case .maximum: f = { Swift.max($0, $1) }
        case .minimum: f = { Swift.min($0, $1) }
        default: throw ctx.unsupported("\(operation) on int32 values")
        }
        let a = try intInput(ctx, 0), b = try intInput(ctx, 1)
        guard let p = ElementwiseBinary.Parameters(operation, shapeA: a.shape, shapeB: b.shape) else {
            throw ctx.invalid("shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        var out: [Int] = []
        var index = [Int](repeating: 0, count: StridedLayout.maxRank)
        for _ in 0..<p.outputCount {
            let ia = zip(index, p.stridesA).reduce(0) { $0 + $1.0 * $1.1 }, ib = zip(index, p.stridesB).reduce(0) { $0 + $1.0 * $1.1 }
            // Int32 operands cannot overflow a 64-bit Int; intOutput rejects results beyond Int32.
            out.append(f(a.values[ia], b.values[ib]))
            var d = StridedLayout.maxRank - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < p.dims[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        try intOutput(ctx, values: out, shape: p.outputShape)
        return nil
    }
}
