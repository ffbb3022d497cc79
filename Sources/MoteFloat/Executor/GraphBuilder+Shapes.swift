import MoteCore
import MoteModel

// Data movement: RESHAPE, SQUEEZE, EXPAND_DIMS, SHAPE, STRIDED_SLICE, PACK, CONCATENATION,
// PAD/PADV2, MEAN/SUM/REDUCE_MAX/REDUCE_MIN, and DEQUANTIZE of constants.
extension GraphBuilder {
    /// Normalizes a possibly negative axis into `0..<rank`.
    func axis(_ ctx: Context, _ a: Int, rank: Int) throws -> Int {
        let r = a < 0 ? a + rank : a
        guard r >= 0, r < rank else { throw ctx.invalid("axis \(a) is out of range for rank \(rank)") }
        return r
    }

    mutating func prepareReshape(_ ctx: Context, builtin: Int32) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 2)
        try expect(ctx, inputs: 1)
        let t = try input(ctx, 0)
        let isFloat = graph.tensors[t].type == .float32
        let inShape: [Int]
        var storage: UnsafePointer<Float>?
        var intValues: [Int]?
        if isFloat {
            let x = try floatInput(ctx, 0)
            inShape = x.shape
            storage = x.pointer
        } else {
            let x = try intInput(ctx, 0)
            inShape = x.shape
            intValues = x.values
        }
        let count = inShape.reduce(1, *)
        var newShape: [Int]
        switch builtin {
        case BuiltinOperator.squeeze:
            guard case .squeeze(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized SqueezeOptions") }
            let dims = try Set(o.squeezeDims.map { try axis(ctx, $0, rank: inShape.count) })
            newShape = inShape.enumerated().filter { i, d in !(dims.isEmpty ? d == 1 : dims.contains(i)) }.map(\.element)
            for d in dims where inShape[d] != 1 { throw ctx.invalid("cannot squeeze dimension \(d) of \(inShape)") }
        case BuiltinOperator.expandDims:
            let a = try intInput(ctx, 1).values
            guard a.count == 1 else { throw ctx.invalid("the axis must be one value, got \(a)") }
            let at = try axis(ctx, a[0], rank: inShape.count + 1)
            newShape = inShape
            newShape.insert(1, at: at)
        default:
            if optionalInput(ctx, 1) != nil {
                newShape = try intInput(ctx, 1).values
            } else if case .reshape(let o) = ctx.op.builtinOptions, let s = o.newShape {
                newShape = s
            } else {
                throw ctx.invalid("no target shape (neither input 1 nor ReshapeOptions.new_shape)")
            }
            // A constant target written for batch 1 follows the executor's batch.
            if batch > 1, newShape.first == 1, inShape.first == batch { newShape[0] = batch }
            let unknown = newShape.indices.filter { newShape[$0] == -1 }
            guard unknown.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else { throw ctx.invalid("invalid target shape \(newShape)") }
            if let u = unknown.first {
                var rest = newShape
                rest[u] = 1
                guard let known = Self.elementCount(rest), known > 0, count % known == 0 else { throw ctx.invalid("cannot reshape \(inShape) to \(newShape)") }
                newShape[u] = count / known
            }
        }
        guard Self.elementCount(newShape) == count else { throw ctx.invalid("cannot reshape \(inShape) (\(count) values) to \(newShape)") }
        if let storage {
            try aliasOutput(ctx, shape: newShape, storage: storage)
        } else {
            try intOutput(ctx, values: intValues!, shape: newShape)
        }
        return nil
    }

    mutating func prepareShape(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 2)
        try expect(ctx, inputs: 1)
        if case .shape(let o) = ctx.op.builtinOptions, o.outType != .int32 {
            throw ctx.unsupported("out_type \(o.outType) (only int32)")
        }
        let t = try input(ctx, 0)
        guard let s = shapes[t] ?? (constantTensors.contains(t) ? graph.tensors[t].shape : nil) else {
            throw ctx.invalid("input 0 (tensor \(t)) is read before any operator writes it")
        }
        try intOutput(ctx, values: s, shape: [s.count])
        return nil
    }

    mutating func prepareStridedSlice(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 8)
        try expect(ctx, inputs: 4)
        guard case .stridedSlice(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized StridedSliceOptions") }
        guard o.ellipsisMask == 0, o.newAxisMask == 0 else { throw ctx.unsupported("ellipsis_mask and new_axis_mask must be 0") }
        let begin = try intInput(ctx, 1).values, end = try intInput(ctx, 2).values, strides = try intInput(ctx, 3).values
        let t = try input(ctx, 0)
        let isFloat = graph.tensors[t].type == .float32
        let inShape = isFloat ? try floatInput(ctx, 0).shape : try intInput(ctx, 0).shape
        guard let params = StridedSlice.Parameters(inputShape: inShape, begin: begin, end: end, strides: strides,
                                                   beginMask: o.beginMask, endMask: o.endMask, shrinkAxisMask: o.shrinkAxisMask,
                                                   offset: o.offset) else {
            throw ctx.invalid("invalid slice of \(inShape): begin \(begin), end \(end), strides \(strides)")
        }
        if isFloat {
            let x = try floatInput(ctx, 0)
            let y = try floatOutput(ctx, shape: params.outputShape)
            let input = x.pointer
            return { StridedSlice.forward(params, input: input, output: y) }
        }
        let values = try intInput(ctx, 0).values
        var out = [Int](repeating: 0, count: params.outputCount)
        values.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { StridedSlice.forward(params, input: src.baseAddress!, output: $0.baseAddress!) } }
        try intOutput(ctx, values: out, shape: params.outputShape)
        return nil
    }

    mutating func preparePack(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 4)
        guard case .pack(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized PackOptions") }
        let n = ctx.op.inputs.count
        try expect(ctx, inputs: max(1, n))
        guard o.valuesCount == n else { throw ctx.invalid("values_count \(o.valuesCount) but \(n) inputs") }
        let isFloat = graph.tensors[try input(ctx, 0)].type == .float32
        var inShapes: [[Int]] = []
        var intValues: [[Int]] = []
        var pointers: [UnsafePointer<Float>] = []
        for i in 0..<n {
            if isFloat {
                let x = try floatInput(ctx, i)
                inShapes.append(x.shape)
                pointers.append(x.pointer)
            } else {
                let x = try intInput(ctx, i)
                inShapes.append(x.shape)
                intValues.append(x.values)
            }
        }
        guard inShapes.allSatisfy({ $0 == inShapes[0] }) else { throw ctx.invalid("inputs have different shapes \(inShapes)") }
        let at = try axis(ctx, o.axis, rank: inShapes[0].count + 1)
        let expanded = inShapes.map { s -> [Int] in var e = s; e.insert(1, at: at); return e }
        let params = Concatenation.Parameters(inputShapes: expanded, axis: at)!
        let outShape = Concatenation.Parameters.outputShape(expanded, axis: at)
        if isFloat {
            let y = try floatOutput(ctx, shape: outShape)
            return concatenate(params, pointers, into: y, activation: .none)
        }
        try intOutput(ctx, values: Self.join(params, intValues), shape: outShape)
        return nil
    }

    /// A concatenation of small int32 shape vectors, joined directly at prepare.
    static func join(_ params: Concatenation.Parameters, _ values: [[Int]]) -> [Int] {
        var flat: [Int] = []
        for o in 0..<params.outer {
            for i in values.indices {
                let c = params.sliceCounts[i]
                flat.append(contentsOf: values[i][(o * c)..<((o + 1) * c)])
            }
        }
        return flat
    }

    mutating func prepareConcatenation(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 4)
        guard case .concatenation(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized ConcatenationOptions") }
        let n = ctx.op.inputs.count
        try expect(ctx, inputs: max(1, n))
        if graph.tensors[try input(ctx, 0)].type == .int32 {
            guard o.fusedActivationFunction == .none else { throw ctx.unsupported("fused activation on int32 values") }
            var ints: [(values: [Int], shape: [Int])] = []
            for i in 0..<n { ints.append(try intInput(ctx, i)) }
            let at = try axis(ctx, o.axis, rank: ints[0].shape.count)
            guard let params = Concatenation.Parameters(inputShapes: ints.map(\.shape), axis: at) else {
                throw ctx.invalid("shapes \(ints.map(\.shape)) differ outside axis \(at)")
            }
            try intOutput(ctx, values: Self.join(params, ints.map(\.values)),
                          shape: Concatenation.Parameters.outputShape(ints.map(\.shape), axis: at))
            return nil
        }
        var inputs: [(pointer: UnsafePointer<Float>, shape: [Int])] = []
        for i in 0..<n { inputs.append(try floatInput(ctx, i)) }
        let at = try axis(ctx, o.axis, rank: inputs[0].shape.count)
        guard let params = Concatenation.Parameters(inputShapes: inputs.map(\.shape), axis: at) else {
            throw ctx.invalid("shapes \(inputs.map(\.shape)) differ outside axis \(at)")
        }
        let y = try floatOutput(ctx, shape: Concatenation.Parameters.outputShape(inputs.map(\.shape), axis: at))
        return concatenate(params, inputs.map(\.pointer), into: y, activation: try activation(ctx, o.fusedActivationFunction))
    }

    /// The eval closure of a float concatenation; the input pointer table lives in the executor's memory.
    private func concatenate(_ params: Concatenation.Parameters, _ pointers: [UnsafePointer<Float>],
                             into y: UnsafeMutablePointer<Float>, activation: ActivationRange) -> () -> Void {
        let table = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: pointers.count)
        table.initialize(from: pointers, count: pointers.count)
        allocations.pointerTables.append(UnsafeMutableRawPointer(table))
        let count = params.outer * params.sliceCounts.reduce(0, +)
        return {
            Concatenation.forward(params, inputs: UnsafePointer(table), output: y)
            activation.apply(y, count: count)
        }
    }

    mutating func preparePad(_ ctx: Context, v2: Bool) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 4)
        try expect(ctx, inputs: v2 ? 2 : 2)
        let x = try floatInput(ctx, 0)
        let (pads, padShape) = try intInput(ctx, 1)
        let r = x.shape.count
        guard padShape == [r, 2] || (pads.count == 2 * r) else { throw ctx.invalid("paddings \(padShape) do not match input rank \(r)") }
        let before = (0..<r).map { pads[2 * $0] }, after = (0..<r).map { pads[2 * $0 + 1] }
        guard Self.elementCount((0..<r).map { before[$0] + x.shape[$0] + after[$0] }) != nil else {
            throw ctx.invalid("paddings \(pads) of \(x.shape) give more than \(Self.maxElements) elements")
        }
        guard let params = Pad.Parameters(inputShape: x.shape, before: before, after: after) else {
            throw ctx.invalid("invalid paddings \(pads) for \(x.shape) (negative, or rank above \(StridedLayout.maxRank))")
        }
        var value: UnsafePointer<Float>?
        if v2, optionalInput(ctx, 2) != nil {
            let v = try floatInput(ctx, 2)
            guard v.shape.reduce(1, *) == 1 else { throw ctx.invalid("the pad value must be one value, has shape \(v.shape)") }
            value = v.pointer
        }
        let y = try floatOutput(ctx, shape: params.outputShape)
        let input = x.pointer
        return { Pad.forward(params, value: value?.pointee ?? 0, input: input, output: y) }
    }

    mutating func prepareReduce(_ ctx: Context, _ operation: Reduce.Operation) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 3)
        try expect(ctx, inputs: 2)
        guard case .reducer(let o) = ctx.op.builtinOptions else { throw ctx.unsupported("missing or unrecognized ReducerOptions") }
        let x = try floatInput(ctx, 0)
        let axes = try intInput(ctx, 1).values
        var reduced = [Bool](repeating: false, count: x.shape.count)
        for a in axes { reduced[try axis(ctx, a, rank: x.shape.count)] = true }
        guard let params = Reduce.Parameters(operation, inputShape: x.shape, reduced: reduced) else {
            throw ctx.unsupported("input rank \(x.shape.count) (at most \(StridedLayout.maxRank))")
        }
        let outShape = o.keepDims ? x.shape.enumerated().map { reduced[$0.offset] ? 1 : $0.element }
                                  : x.shape.enumerated().filter { !reduced[$0.offset] }.map(\.element)
        let y = try floatOutput(ctx, shape: outShape)
        let accumulator = allocations.doubles(params.outputCount)
        let input = x.pointer
        return { Reduce.forward(params, input: input, output: y, accumulator: accumulator) }
    }

    mutating func prepareDequantize(_ ctx: Context) throws -> (() -> Void)? {
        try expectVersion(ctx, max: 6)
        try expect(ctx, inputs: 1)
        let t = try input(ctx, 0)
        let tensor = graph.tensors[t]
        guard constantTensors.contains(t) else {
            throw ctx.unsupported("DEQUANTIZE of a non-constant tensor (only constant weights are dequantized, at prepare)")
        }
        let data = model.buffers[tensor.buffer].data
        guard let count = Self.elementCount(tensor.shape) else { throw FloatExecutorError.invalidModel("tensor \(t) has shape \(tensor.shape)") }
        let values: [Float]
        switch tensor.type {
        case .float16:
            guard data.count == 2 * count else { throw FloatExecutorError.invalidModel("tensor \(t) has \(data.count) bytes for \(count) float16 values") }
            values = (0..<count).map { Self.float16(UInt16(data[2 * $0]) | UInt16(data[2 * $0 + 1]) << 8) }
        case .int8, .uint8, .int16:
            let size = tensor.type.byteSize
            guard data.count == size * count else { throw FloatExecutorError.invalidModel("tensor \(t) has \(data.count) bytes for \(count) \(tensor.type) values") }
            guard let q = tensor.quantization, !q.scale.isEmpty, q.scale.count == q.zeroPoint.count || q.zeroPoint.isEmpty else {
                throw ctx.invalid("input tensor \(t) has no quantization parameters")
            }
            let dim = q.isPerChannel ? q.quantizedDimension : 0
            guard !q.isPerChannel || (dim >= 0 && dim < tensor.shape.count && tensor.shape[dim] == q.scale.count) else {
                throw ctx.invalid("\(q.scale.count) scales do not match dimension \(dim) of \(tensor.shape)")
            }
            let inner = q.isPerChannel ? tensor.shape[(dim + 1)...].reduce(1, *) : count
            values = (0..<count).map { i in
                let raw: Int
                switch tensor.type {
                case .int8: raw = Int(Int8(bitPattern: data[i]))
                case .uint8: raw = Int(data[i])
                default: raw = Int(Int16(bitPattern: UInt16(data[2 * i]) | UInt16(data[2 * i + 1]) << 8))
                }
                let c = q.isPerChannel ? (i / inner) % q.scale.count : 0
                let zp = q.zeroPoint.isEmpty ? 0 : Int(q.zeroPoint[c])
                return Float(raw - zp) * q.scale[c]
            }
        default:
            throw ctx.unsupported("DEQUANTIZE of \(tensor.type)")
        }
        let y = try floatOutput(ctx, shape: tensor.shape)
        y.update(from: values, count: count)
        return nil
    }

    /// IEEE 754 half precision bits to Float (subnormals, infinities and NaN included).
    static func float16(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F), mantissa = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
