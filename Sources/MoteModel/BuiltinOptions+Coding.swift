import MoteCore

// Reading and writing of the typed option tables (generated with BuiltinOptions.swift).

extension BuiltinOptions {
    /// Decodes the options table of union type `type`; unrepresentable tables become `.generic`.
    static func decode(type: UInt8, table: FBTable?) throws -> BuiltinOptions {
        if type == 0 { return .none }
        guard let table else {
            // The union type without a table: every field has its default.
            return try decodeTyped(type: type, OptionsReader.absent) ?? .generic(GenericOptions(unionType: type))
        }
        let r = OptionsReader(table: table)
        do {
            if let typed = try decodeTyped(type: type, r) { return typed }
        } catch is OptionsReader.Unrepresentable {}
        return .generic(try GenericOptions(unionType: type, union: .builtinOptions, table: table))
    }

    private static func decodeTyped(type: UInt8, _ r: OptionsReader) throws -> BuiltinOptions? {
        switch type {
        case 1: return .conv2D(try Conv2DOptions(r))
        case 2: return .depthwiseConv2D(try DepthwiseConv2DOptions(r))
        case 5: return .pool2D(try Pool2DOptions(r))
        case 8: return .fullyConnected(try FullyConnectedOptions(r))
        case 9: return .softmax(try SoftmaxOptions(r))
        case 10: return .concatenation(try ConcatenationOptions(r))
        case 11: return .add(try AddOptions(r))
        case 12: return .l2Norm(try L2NormOptions(r))
        case 15: return .resizeBilinear(try ResizeBilinearOptions(r))
        case 17: return .reshape(try ReshapeOptions(r))
        case 19: return .spaceToDepth(try SpaceToDepthOptions(r))
        case 21: return .mul(try MulOptions(r))
        case 23: return .gather(try GatherOptions(r))
        case 27: return .reducer(try ReducerOptions(r))
        case 28: return .sub(try SubOptions(r))
        case 29: return .div(try DivOptions(r))
        case 30: return .squeeze(try SqueezeOptions(r))
        case 32: return .stridedSlice(try StridedSliceOptions(r))
        case 35: return .split(try SplitOptions(r))
        case 37: return .cast(try CastOptions(r))
        case 40: return .argMax(try ArgMaxOptions(r))
        case 49: return .transposeConv(try TransposeConvOptions(r))
        case 55: return .shape(try ShapeOptions(r))
        case 57: return .argMin(try ArgMinOptions(r))
        case 59: return .pack(try PackOptions(r))
        case 64: return .unpack(try UnpackOptions(r))
        case 74: return .resizeNearestNeighbor(try ResizeNearestNeighborOptions(r))
        case 75: return .leakyRelu(try LeakyReluOptions(r))
        case 77: return .mirrorPad(try MirrorPadOptions(r))
        case 79: return .splitV(try SplitVOptions(r))
        case 94: return .depthToSpace(try DepthToSpaceOptions(r))
        case 101: return .batchMatMul(try BatchMatMulOptions(r))
        case 116: return .gelu(try GeluOptions(r))
        case 22: try r.requireSlots(0); return .pad
        case 43: try r.requireSlots(0); return .padV2
        case 89: try r.requireSlots(0); return .quantize
        case 38: try r.requireSlots(0); return .dequantize
        case 91: try r.requireSlots(0); return .hardSwish
        case 52: try r.requireSlots(0); return .expandDims
        case 26: try r.requireSlots(0); return .transpose
        case 39: try r.requireSlots(0); return .maximumMinimum
        case 36: try r.requireSlots(0); return .logSoftmax
        case 48: try r.requireSlots(0); return .slice
        case 51: try r.requireSlots(0); return .tile
        case 24: try r.requireSlots(0); return .batchToSpaceND
        case 25: try r.requireSlots(0); return .spaceToBatchND
        default: return nil
        }
    }

    /// Writes the options table; nil for `.none`.
    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset? {
        switch self {
        case .none: return nil
        case .conv2D(let o): return o.encode(&b)
        case .depthwiseConv2D(let o): return o.encode(&b)
        case .pool2D(let o): return o.encode(&b)
        case .fullyConnected(let o): return o.encode(&b)
        case .softmax(let o): return o.encode(&b)
        case .concatenation(let o): return o.encode(&b)
        case .add(let o): return o.encode(&b)
        case .l2Norm(let o): return o.encode(&b)
        case .resizeBilinear(let o): return o.encode(&b)
        case .reshape(let o): return o.encode(&b)
        case .spaceToDepth(let o): return o.encode(&b)
        case .mul(let o): return o.encode(&b)
        case .gather(let o): return o.encode(&b)
        case .reducer(let o): return o.encode(&b)
        case .sub(let o): return o.encode(&b)
        case .div(let o): return o.encode(&b)
        case .squeeze(let o): return o.encode(&b)
        case .stridedSlice(let o): return o.encode(&b)
        case .split(let o): return o.encode(&b)
        case .cast(let o): return o.encode(&b)
        case .argMax(let o): return o.encode(&b)
        case .transposeConv(let o): return o.encode(&b)
        case .shape(let o): return o.encode(&b)
        case .argMin(let o): return o.encode(&b)
        case .pack(let o): return o.encode(&b)
        case .unpack(let o): return o.encode(&b)
        case .resizeNearestNeighbor(let o): return o.encode(&b)
        case .leakyRelu(let o): return o.encode(&b)
        case .mirrorPad(let o): return o.encode(&b)
        case .splitV(let o): return o.encode(&b)
        case .depthToSpace(let o): return o.encode(&b)
        case .batchMatMul(let o): return o.encode(&b)
        case .gelu(let o): return o.encode(&b)
        case .pad, .padV2, .quantize, .dequantize, .hardSwish, .expandDims, .transpose,
             .maximumMinimum, .logSoftmax, .slice, .tile, .batchToSpaceND, .spaceToBatchND:
            return b.table(TableFields())
        case .generic(let g): return g.encode(&b)
        }
    }
}

extension Conv2DOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(7)
        self.init(
            padding: try r.enumeration(0, .same),
            strideW: try r.int(1, 0),
            strideH: try r.int(2, 0),
            fusedActivationFunction: try r.enumeration(3, .none),
            dilationWFactor: try r.int(4, 1),
            dilationHFactor: try r.int(5, 1),
            quantizedBiasType: try r.tensorType(6, .float32)
        )
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, padding.rawValue, default: Padding.same.rawValue)
        f.add(1, Int32(strideW), default: 0)
        f.add(2, Int32(strideH), default: 0)
        f.add(3, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        f.add(4, Int32(dilationWFactor), default: 1)
        f.add(5, Int32(dilationHFactor), default: 1)
        f.add(6, quantizedBiasType.rawValue, default: TensorType.float32.rawValue)
        return b.table(f)
    }
}

extension DepthwiseConv2DOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(7)
        self.init(
            padding: try r.enumeration(0, .same),
            strideW: try r.int(1, 0),
            strideH: try r.int(2, 0),
            depthMultiplier: try r.int(3, 0),
            fusedActivationFunction: try r.enumeration(4, .none),
            dilationWFactor: try r.int(5, 1),
            dilationHFactor: try r.int(6, 1)
        )
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, padding.rawValue, default: Padding.same.rawValue)
        f.add(1, Int32(strideW), default: 0)
        f.add(2, Int32(strideH), default: 0)
        f.add(3, Int32(depthMultiplier), default: 0)
        f.add(4, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        f.add(5, Int32(dilationWFactor), default: 1)
        f.add(6, Int32(dilationHFactor), default: 1)
        return b.table(f)
    }
}

extension Pool2DOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(6)
        self.init(
            padding: try r.enumeration(0, .same),
            strideW: try r.int(1, 0),
            strideH: try r.int(2, 0),
            filterWidth: try r.int(3, 0),
            filterHeight: try r.int(4, 0),
            fusedActivationFunction: try r.enumeration(5, .none)
        )
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, padding.rawValue, default: Padding.same.rawValue)
        f.add(1, Int32(strideW), default: 0)
        f.add(2, Int32(strideH), default: 0)
        f.add(3, Int32(filterWidth), default: 0)
        f.add(4, Int32(filterHeight), default: 0)
        f.add(5, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        return b.table(f)
    }
}

extension FullyConnectedOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(5)
        self.init(
            fusedActivationFunction: try r.enumeration(0, .none),
            weightsFormat: try r.enumeration(1, .default),
            keepNumDims: try r.bool(2, false),
            asymmetricQuantizeInputs: try r.bool(3, false),
            quantizedBiasType: try r.tensorType(4, .float32)
        )
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        f.add(1, weightsFormat.rawValue, default: FullyConnectedWeightsFormat.default.rawValue)
        f.add(2, keepNumDims, default: false)
        f.add(3, asymmetricQuantizeInputs, default: false)
        f.add(4, quantizedBiasType.rawValue, default: TensorType.float32.rawValue)
        return b.table(f)
    }
}

extension SoftmaxOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(beta: try r.float(0, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, beta, default: 0)
        return b.table(f)
    }
}

extension ConcatenationOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(2)
        self.init(axis: try r.int(0, 0), fusedActivationFunction: try r.enumeration(1, .none))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(axis), default: 0)
        f.add(1, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        return b.table(f)
    }
}

extension AddOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(2)
        self.init(fusedActivationFunction: try r.enumeration(0, .none), potScaleInt16: try r.bool(1, true))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        f.add(1, potScaleInt16, default: true)
        return b.table(f)
    }
}

extension L2NormOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(fusedActivationFunction: try r.enumeration(0, .none))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        return b.table(f)
    }
}

extension ResizeBilinearOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(4)
        self.init(
            newHeight: try r.int(0, 0),
            newWidth: try r.int(1, 0),
            alignCorners: try r.bool(2, false),
            halfPixelCenters: try r.bool(3, false)
        )
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(newHeight), default: 0)
        f.add(1, Int32(newWidth), default: 0)
        f.add(2, alignCorners, default: false)
        f.add(3, halfPixelCenters, default: false)
        return b.table(f)
    }
}

extension ReshapeOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(newShape: try r.optionalIntVector(0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        if let v = newShape { f.add(0, b.createVector(v.map { Int32($0) })) }
        return b.table(f)
    }
}

extension SpaceToDepthOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(blockSize: try r.int(0, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(blockSize), default: 0)
        return b.table(f)
    }
}

extension MulOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(fusedActivationFunction: try r.enumeration(0, .none))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        return b.table(f)
    }
}

extension GatherOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(2)
        self.init(axis: try r.int(0, 0), batchDims: try r.int(1, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(axis), default: 0)
        f.add(1, Int32(batchDims), default: 0)
        return b.table(f)
    }
}

extension ReducerOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(keepDims: try r.bool(0, false))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, keepDims, default: false)
        return b.table(f)
    }
}

extension SubOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(2)
        self.init(fusedActivationFunction: try r.enumeration(0, .none), potScaleInt16: try r.bool(1, true))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        f.add(1, potScaleInt16, default: true)
        return b.table(f)
    }
}

extension DivOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(fusedActivationFunction: try r.enumeration(0, .none))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        return b.table(f)
    }
}

extension SqueezeOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(squeezeDims: try r.intVector(0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        if !squeezeDims.isEmpty { f.add(0, b.createVector(squeezeDims.map { Int32($0) })) }
        return b.table(f)
    }
}

extension StridedSliceOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(6)
        self.init(
            beginMask: try r.int(0, 0),
            endMask: try r.int(1, 0),
            ellipsisMask: try r.int(2, 0),
            newAxisMask: try r.int(3, 0),
            shrinkAxisMask: try r.int(4, 0),
            offset: try r.bool(5, false)
        )
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(beginMask), default: 0)
        f.add(1, Int32(endMask), default: 0)
        f.add(2, Int32(ellipsisMask), default: 0)
        f.add(3, Int32(newAxisMask), default: 0)
        f.add(4, Int32(shrinkAxisMask), default: 0)
        f.add(5, offset, default: false)
        return b.table(f)
    }
}

extension SplitOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(numSplits: try r.int(0, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(numSplits), default: 0)
        return b.table(f)
    }
}

extension CastOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(2)
        self.init(inDataType: try r.tensorType(0, .float32), outDataType: try r.tensorType(1, .float32))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, inDataType.rawValue, default: TensorType.float32.rawValue)
        f.add(1, outDataType.rawValue, default: TensorType.float32.rawValue)
        return b.table(f)
    }
}

extension ArgMaxOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(outputType: try r.tensorType(0, .float32))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, outputType.rawValue, default: TensorType.float32.rawValue)
        return b.table(f)
    }
}

extension TransposeConvOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(5)
        self.init(
            padding: try r.enumeration(0, .same),
            strideW: try r.int(1, 0),
            strideH: try r.int(2, 0),
            fusedActivationFunction: try r.enumeration(3, .none),
            quantizedBiasType: try r.tensorType(4, .float32)
        )
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, padding.rawValue, default: Padding.same.rawValue)
        f.add(1, Int32(strideW), default: 0)
        f.add(2, Int32(strideH), default: 0)
        f.add(3, fusedActivationFunction.rawValue, default: FusedActivation.none.rawValue)
        f.add(4, quantizedBiasType.rawValue, default: TensorType.float32.rawValue)
        return b.table(f)
    }
}

extension ShapeOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(outType: try r.tensorType(0, .float32))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, outType.rawValue, default: TensorType.float32.rawValue)
        return b.table(f)
    }
}

extension ArgMinOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(outputType: try r.tensorType(0, .float32))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, outputType.rawValue, default: TensorType.float32.rawValue)
        return b.table(f)
    }
}

extension PackOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(2)
        self.init(valuesCount: try r.int(0, 0), axis: try r.int(1, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(valuesCount), default: 0)
        f.add(1, Int32(axis), default: 0)
        return b.table(f)
    }
}

extension UnpackOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(2)
        self.init(num: try r.int(0, 0), axis: try r.int(1, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(num), default: 0)
        f.add(1, Int32(axis), default: 0)
        return b.table(f)
    }
}

extension ResizeNearestNeighborOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(2)
        self.init(alignCorners: try r.bool(0, false), halfPixelCenters: try r.bool(1, false))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, alignCorners, default: false)
        f.add(1, halfPixelCenters, default: false)
        return b.table(f)
    }
}

extension LeakyReluOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(alpha: try r.float(0, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, alpha, default: 0)
        return b.table(f)
    }
}

extension MirrorPadOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(mode: try r.enumeration(0, .reflect))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, mode.rawValue, default: MirrorPadMode.reflect.rawValue)
        return b.table(f)
    }
}

extension SplitVOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(numSplits: try r.int(0, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(numSplits), default: 0)
        return b.table(f)
    }
}

extension DepthToSpaceOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(blockSize: try r.int(0, 0))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, Int32(blockSize), default: 0)
        return b.table(f)
    }
}

extension BatchMatMulOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(3)
        self.init(
            adjX: try r.bool(0, false),
            adjY: try r.bool(1, false),
            asymmetricQuantizeInputs: try r.bool(2, false)
        )
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, adjX, default: false)
        f.add(1, adjY, default: false)
        f.add(2, asymmetricQuantizeInputs, default: false)
        return b.table(f)
    }
}

extension GeluOptions {
    init(_ r: OptionsReader) throws {
        try r.requireSlots(1)
        self.init(approximate: try r.bool(0, false))
    }

    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        f.add(0, approximate, default: false)
        return b.table(f)
    }
}
