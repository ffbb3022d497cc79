import MoteCore

// The typed cases are generated from TFLite's schema.fbs: one property per table field, in
// field (slot) order, with the schema's defaults. Integer fields are `Int` here and must fit
// the schema's 32-bit fields when written.

/// The `BuiltinOptions` union of an operator: a typed value for the option tables that Mote's
/// modules use, `.generic` for every other table (kept field by field, see `GenericOptions`).
///
/// A table is read as `.generic` instead of its typed case when it holds something the typed
/// value cannot represent (a field beyond the schema's, an enum value the schema does not
/// define), so that reading and writing never loses data.
public enum BuiltinOptions: Equatable, Sendable {
    /// No options table (`BuiltinOptions_NONE`).
    case none
    /// CONV_2D options.
    case conv2D(Conv2DOptions)
    /// DEPTHWISE_CONV_2D options.
    case depthwiseConv2D(DepthwiseConv2DOptions)
    /// AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D options.
    case pool2D(Pool2DOptions)
    /// FULLY_CONNECTED options.
    case fullyConnected(FullyConnectedOptions)
    /// SOFTMAX options.
    case softmax(SoftmaxOptions)
    /// CONCATENATION options.
    case concatenation(ConcatenationOptions)
    /// ADD options.
    case add(AddOptions)
    /// L2_NORMALIZATION options.
    case l2Norm(L2NormOptions)
    /// RESIZE_BILINEAR options.
    case resizeBilinear(ResizeBilinearOptions)
    /// RESHAPE options (the new shape, when not given as input 1).
    case reshape(ReshapeOptions)
    /// SPACE_TO_DEPTH options.
    case spaceToDepth(SpaceToDepthOptions)
    /// MUL options.
    case mul(MulOptions)
    /// GATHER options.
    case gather(GatherOptions)
    /// MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY and REDUCE_ALL options.
    case reducer(ReducerOptions)
    /// SUB options.
    case sub(SubOptions)
    /// DIV options.
    case div(DivOptions)
    /// SQUEEZE options.
    case squeeze(SqueezeOptions)
    /// STRIDED_SLICE options (bit i of a mask refers to dimension i).
    case stridedSlice(StridedSliceOptions)
    /// SPLIT options.
    case split(SplitOptions)
    /// CAST options.
    case cast(CastOptions)
    /// ARG_MAX options.
    case argMax(ArgMaxOptions)
    /// TRANSPOSE_CONV options.
    case transposeConv(TransposeConvOptions)
    /// SHAPE options.
    case shape(ShapeOptions)
    /// ARG_MIN options.
    case argMin(ArgMinOptions)
    /// PACK options.
    case pack(PackOptions)
    /// UNPACK options.
    case unpack(UnpackOptions)
    /// RESIZE_NEAREST_NEIGHBOR options.
    case resizeNearestNeighbor(ResizeNearestNeighborOptions)
    /// LEAKY_RELU options.
    case leakyRelu(LeakyReluOptions)
    /// MIRROR_PAD options.
    case mirrorPad(MirrorPadOptions)
    /// SPLIT_V options.
    case splitV(SplitVOptions)
    /// DEPTH_TO_SPACE options.
    case depthToSpace(DepthToSpaceOptions)
    /// BATCH_MATMUL options.
    case batchMatMul(BatchMatMulOptions)
    /// GELU options.
    case gelu(GeluOptions)
    /// PAD (PadOptions, no fields).
    case pad
    /// PADV2 (PadV2Options, no fields).
    case padV2
    /// QUANTIZE (QuantizeOptions, no fields).
    case quantize
    /// DEQUANTIZE (DequantizeOptions, no fields).
    case dequantize
    /// HARD_SWISH (HardSwishOptions, no fields).
    case hardSwish
    /// EXPAND_DIMS (ExpandDimsOptions, no fields).
    case expandDims
    /// TRANSPOSE (TransposeOptions, no fields).
    case transpose
    /// MAXIMUM and MINIMUM (MaximumMinimumOptions, no fields).
    case maximumMinimum
    /// LOG_SOFTMAX (LogSoftmaxOptions, no fields).
    case logSoftmax
    /// SLICE (SliceOptions, no fields).
    case slice
    /// TILE (TileOptions, no fields).
    case tile
    /// BATCH_TO_SPACE_ND (BatchToSpaceNDOptions, no fields).
    case batchToSpaceND
    /// SPACE_TO_BATCH_ND (SpaceToBatchNDOptions, no fields).
    case spaceToBatchND
    /// Any other option table, or a typed one that does not fit its typed value.
    case generic(GenericOptions)

    /// The `BuiltinOptions` union type value (schema order, 1-based; 0 for `.none`).
    public var unionType: UInt8 {
        switch self {
        case .none: return 0
        case .conv2D: return 1
        case .depthwiseConv2D: return 2
        case .pool2D: return 5
        case .fullyConnected: return 8
        case .softmax: return 9
        case .concatenation: return 10
        case .add: return 11
        case .l2Norm: return 12
        case .resizeBilinear: return 15
        case .reshape: return 17
        case .spaceToDepth: return 19
        case .mul: return 21
        case .gather: return 23
        case .reducer: return 27
        case .sub: return 28
        case .div: return 29
        case .squeeze: return 30
        case .stridedSlice: return 32
        case .split: return 35
        case .cast: return 37
        case .argMax: return 40
        case .transposeConv: return 49
        case .shape: return 55
        case .argMin: return 57
        case .pack: return 59
        case .unpack: return 64
        case .resizeNearestNeighbor: return 74
        case .leakyRelu: return 75
        case .mirrorPad: return 77
        case .splitV: return 79
        case .depthToSpace: return 94
        case .batchMatMul: return 101
        case .gelu: return 116
        case .pad: return 22
        case .padV2: return 43
        case .quantize: return 89
        case .dequantize: return 38
        case .hardSwish: return 91
        case .expandDims: return 52
        case .transpose: return 26
        case .maximumMinimum: return 39
        case .logSoftmax: return 36
        case .slice: return 48
        case .tile: return 51
        case .batchToSpaceND: return 24
        case .spaceToBatchND: return 25
        case .generic(let g): return g.unionType
        }
    }

    /// The schema name of the options table (`Conv2DOptions`, ...), or nil for `.none`.
    public var tableName: String? { unionType == 0 ? nil : BuiltinOptionsNames.name(of: unionType) }
}

/// `FullyConnectedOptionsWeightsFormat`.
public enum FullyConnectedWeightsFormat: Int8, Sendable {
    /// Row-major [output, input] weights.
    case `default` = 0
    /// The shuffled 4x16 int8 layout of TFLite's optimized uint8 kernels.
    case shuffled4x16Int8 = 1
}

/// `MirrorPadMode`.
public enum MirrorPadMode: Int8, Sendable {
    /// Mirror without repeating the border element.
    case reflect = 0
    /// Mirror including the border element.
    case symmetric = 1
}

/// `Conv2DOptions` (union type 1): CONV_2D options.
public struct Conv2DOptions: Equatable, Sendable {
    /// SAME (output = ceil(input / stride), zero-point padding) or VALID (no implicit padding) (default .same).
    public var padding: Padding
    /// Horizontal stride (default 0).
    public var strideW: Int
    /// Vertical stride (default 0).
    public var strideH: Int
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation
    /// Horizontal dilation (default 1).
    public var dilationWFactor: Int
    /// Vertical dilation (default 1).
    public var dilationHFactor: Int
    /// (version 8+) the bias and accumulator type; FLOAT32 (0) means not set (default .float32).
    public var quantizedBiasType: TensorType

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(
        padding: Padding = .same,
        strideW: Int = 0,
        strideH: Int = 0,
        fusedActivationFunction: FusedActivation = .none,
        dilationWFactor: Int = 1,
        dilationHFactor: Int = 1,
        quantizedBiasType: TensorType = .float32
    ) {
        self.padding = padding
        self.strideW = strideW
        self.strideH = strideH
        self.fusedActivationFunction = fusedActivationFunction
        self.dilationWFactor = dilationWFactor
        self.dilationHFactor = dilationHFactor
        self.quantizedBiasType = quantizedBiasType
    }
}

/// `DepthwiseConv2DOptions` (union type 2): DEPTHWISE_CONV_2D options.
public struct DepthwiseConv2DOptions: Equatable, Sendable {
    /// SAME (output = ceil(input / stride), zero-point padding) or VALID (no implicit padding) (default .same).
    public var padding: Padding
    /// Horizontal stride (default 0).
    public var strideW: Int
    /// Vertical stride (default 0).
    public var strideH: Int
    /// Output channels per input channel (redundant with the filter shape; TF 2.x kernels ignore it) (default 0).
    public var depthMultiplier: Int
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation
    /// Horizontal dilation (version 2+) (default 1).
    public var dilationWFactor: Int
    /// Vertical dilation (version 2+) (default 1).
    public var dilationHFactor: Int

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(
        padding: Padding = .same,
        strideW: Int = 0,
        strideH: Int = 0,
        depthMultiplier: Int = 0,
        fusedActivationFunction: FusedActivation = .none,
        dilationWFactor: Int = 1,
        dilationHFactor: Int = 1
    ) {
        self.padding = padding
        self.strideW = strideW
        self.strideH = strideH
        self.depthMultiplier = depthMultiplier
        self.fusedActivationFunction = fusedActivationFunction
        self.dilationWFactor = dilationWFactor
        self.dilationHFactor = dilationHFactor
    }
}

/// `Pool2DOptions` (union type 5): AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D options.
public struct Pool2DOptions: Equatable, Sendable {
    /// SAME (output = ceil(input / stride), zero-point padding) or VALID (no implicit padding) (default .same).
    public var padding: Padding
    /// Horizontal stride (default 0).
    public var strideW: Int
    /// Vertical stride (default 0).
    public var strideH: Int
    /// Window width (default 0).
    public var filterWidth: Int
    /// Window height (default 0).
    public var filterHeight: Int
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(
        padding: Padding = .same,
        strideW: Int = 0,
        strideH: Int = 0,
        filterWidth: Int = 0,
        filterHeight: Int = 0,
        fusedActivationFunction: FusedActivation = .none
    ) {
        self.padding = padding
        self.strideW = strideW
        self.strideH = strideH
        self.filterWidth = filterWidth
        self.filterHeight = filterHeight
        self.fusedActivationFunction = fusedActivationFunction
    }
}

/// `FullyConnectedOptions` (union type 8): FULLY_CONNECTED options.
public struct FullyConnectedOptions: Equatable, Sendable {
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation
    /// (version 2+) the weights layout (default .default).
    public var weightsFormat: FullyConnectedWeightsFormat
    /// (version 5+) keep the input's rank: all but the last output dimension equal the input's (default false).
    public var keepNumDims: Bool
    /// (version 7+) hybrid kernels quantize inputs asymmetrically (default false).
    public var asymmetricQuantizeInputs: Bool
    /// (version 11+) the bias and accumulator type; FLOAT32 (0) means not set (default .float32).
    public var quantizedBiasType: TensorType

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(
        fusedActivationFunction: FusedActivation = .none,
        weightsFormat: FullyConnectedWeightsFormat = .default,
        keepNumDims: Bool = false,
        asymmetricQuantizeInputs: Bool = false,
        quantizedBiasType: TensorType = .float32
    ) {
        self.fusedActivationFunction = fusedActivationFunction
        self.weightsFormat = weightsFormat
        self.keepNumDims = keepNumDims
        self.asymmetricQuantizeInputs = asymmetricQuantizeInputs
        self.quantizedBiasType = quantizedBiasType
    }
}

/// `SoftmaxOptions` (union type 9): SOFTMAX options.
public struct SoftmaxOptions: Equatable, Sendable {
    /// The inverse temperature (TF writes 1.0; the schema default is 0) (default 0).
    public var beta: Float

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(beta: Float = 0) {
        self.beta = beta
    }
}

/// `ConcatenationOptions` (union type 10): CONCATENATION options.
public struct ConcatenationOptions: Equatable, Sendable {
    /// The axis to concatenate along (negative counts from the end) (default 0).
    public var axis: Int
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(axis: Int = 0, fusedActivationFunction: FusedActivation = .none) {
        self.axis = axis
        self.fusedActivationFunction = fusedActivationFunction
    }
}

/// `AddOptions` (union type 11): ADD options.
public struct AddOptions: Equatable, Sendable {
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation
    /// (version 3+) int16 kernels require power-of-two scales (default true).
    public var potScaleInt16: Bool

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(fusedActivationFunction: FusedActivation = .none, potScaleInt16: Bool = true) {
        self.fusedActivationFunction = fusedActivationFunction
        self.potScaleInt16 = potScaleInt16
    }
}

/// `L2NormOptions` (union type 12): L2_NORMALIZATION options.
public struct L2NormOptions: Equatable, Sendable {
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(fusedActivationFunction: FusedActivation = .none) {
        self.fusedActivationFunction = fusedActivationFunction
    }
}

/// `ResizeBilinearOptions` (union type 15): RESIZE_BILINEAR options.
public struct ResizeBilinearOptions: Equatable, Sendable {
    /// Deprecated (the size is input 1); kept for fidelity (default 0).
    public var newHeight: Int
    /// Deprecated; kept for fidelity (default 0).
    public var newWidth: Int
    /// Align the corner pixels of input and output (default false).
    public var alignCorners: Bool
    /// Sample at pixel centres (TF2 behaviour) (default false).
    public var halfPixelCenters: Bool

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(newHeight: Int = 0, newWidth: Int = 0, alignCorners: Bool = false, halfPixelCenters: Bool = false) {
        self.newHeight = newHeight
        self.newWidth = newWidth
        self.alignCorners = alignCorners
        self.halfPixelCenters = halfPixelCenters
    }
}

/// `ReshapeOptions` (union type 17): RESHAPE options (the new shape, when not given as input 1).
public struct ReshapeOptions: Equatable, Sendable {
    /// The new shape, if the table has one (absent and empty are kept apart) (default nil).
    public var newShape: [Int]?

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(newShape: [Int]? = nil) {
        self.newShape = newShape
    }
}

/// `SpaceToDepthOptions` (union type 19): SPACE_TO_DEPTH options.
public struct SpaceToDepthOptions: Equatable, Sendable {
    /// The block edge (default 0).
    public var blockSize: Int

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(blockSize: Int = 0) {
        self.blockSize = blockSize
    }
}

/// `MulOptions` (union type 21): MUL options.
public struct MulOptions: Equatable, Sendable {
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(fusedActivationFunction: FusedActivation = .none) {
        self.fusedActivationFunction = fusedActivationFunction
    }
}

/// `GatherOptions` (union type 23): GATHER options.
public struct GatherOptions: Equatable, Sendable {
    /// The axis to gather along (default 0).
    public var axis: Int
    /// (version 5+) leading batch dimensions (default 0).
    public var batchDims: Int

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(axis: Int = 0, batchDims: Int = 0) {
        self.axis = axis
        self.batchDims = batchDims
    }
}

/// `ReducerOptions` (union type 27): MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY and REDUCE_ALL options.
public struct ReducerOptions: Equatable, Sendable {
    /// Keep reduced dimensions with size 1 (default false).
    public var keepDims: Bool

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(keepDims: Bool = false) {
        self.keepDims = keepDims
    }
}

/// `SubOptions` (union type 28): SUB options.
public struct SubOptions: Equatable, Sendable {
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation
    /// (version 5+) int16 kernels require power-of-two scales (default true).
    public var potScaleInt16: Bool

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(fusedActivationFunction: FusedActivation = .none, potScaleInt16: Bool = true) {
        self.fusedActivationFunction = fusedActivationFunction
        self.potScaleInt16 = potScaleInt16
    }
}

/// `DivOptions` (union type 29): DIV options.
public struct DivOptions: Equatable, Sendable {
    /// The fused activation applied to the output (default .none).
    public var fusedActivationFunction: FusedActivation

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(fusedActivationFunction: FusedActivation = .none) {
        self.fusedActivationFunction = fusedActivationFunction
    }
}

/// `SqueezeOptions` (union type 30): SQUEEZE options.
public struct SqueezeOptions: Equatable, Sendable {
    /// The dimensions to remove (empty: every dimension of size 1) (default []).
    public var squeezeDims: [Int]

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(squeezeDims: [Int] = []) {
        self.squeezeDims = squeezeDims
    }
}

/// `StridedSliceOptions` (union type 32): STRIDED_SLICE options (bit i of a mask refers to dimension i).
public struct StridedSliceOptions: Equatable, Sendable {
    /// Ignore begin[i], start at the first element (default 0).
    public var beginMask: Int
    /// Ignore end[i], run to the last element (default 0).
    public var endMask: Int
    /// Dimension i is an ellipsis (default 0).
    public var ellipsisMask: Int
    /// Insert a dimension of size 1 at i (default 0).
    public var newAxisMask: Int
    /// Take one element of dimension i and remove the dimension (default 0).
    public var shrinkAxisMask: Int
    /// End is an offset from begin (default false).
    public var offset: Bool

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(
        beginMask: Int = 0,
        endMask: Int = 0,
        ellipsisMask: Int = 0,
        newAxisMask: Int = 0,
        shrinkAxisMask: Int = 0,
        offset: Bool = false
    ) {
        self.beginMask = beginMask
        self.endMask = endMask
        self.ellipsisMask = ellipsisMask
        self.newAxisMask = newAxisMask
        self.shrinkAxisMask = shrinkAxisMask
        self.offset = offset
    }
}

/// `SplitOptions` (union type 35): SPLIT options.
public struct SplitOptions: Equatable, Sendable {
    /// The number of outputs (default 0).
    public var numSplits: Int

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(numSplits: Int = 0) {
        self.numSplits = numSplits
    }
}

/// `CastOptions` (union type 37): CAST options.
public struct CastOptions: Equatable, Sendable {
    /// The input type (default .float32).
    public var inDataType: TensorType
    /// The output type (default .float32).
    public var outDataType: TensorType

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(inDataType: TensorType = .float32, outDataType: TensorType = .float32) {
        self.inDataType = inDataType
        self.outDataType = outDataType
    }
}

/// `ArgMaxOptions` (union type 40): ARG_MAX options.
public struct ArgMaxOptions: Equatable, Sendable {
    /// The index type (INT32 or INT64) (default .float32).
    public var outputType: TensorType

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(outputType: TensorType = .float32) {
        self.outputType = outputType
    }
}

/// `TransposeConvOptions` (union type 49): TRANSPOSE_CONV options.
public struct TransposeConvOptions: Equatable, Sendable {
    /// SAME (output = ceil(input / stride), zero-point padding) or VALID (no implicit padding) (default .same).
    public var padding: Padding
    /// Horizontal stride (default 0).
    public var strideW: Int
    /// Vertical stride (default 0).
    public var strideH: Int
    /// (version 4+) the fused activation (default .none).
    public var fusedActivationFunction: FusedActivation
    /// (version 5+) the bias and accumulator type; FLOAT32 (0) means not set (default .float32).
    public var quantizedBiasType: TensorType

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(
        padding: Padding = .same,
        strideW: Int = 0,
        strideH: Int = 0,
        fusedActivationFunction: FusedActivation = .none,
        quantizedBiasType: TensorType = .float32
    ) {
        self.padding = padding
        self.strideW = strideW
        self.strideH = strideH
        self.fusedActivationFunction = fusedActivationFunction
        self.quantizedBiasType = quantizedBiasType
    }
}

/// `ShapeOptions` (union type 55): SHAPE options.
public struct ShapeOptions: Equatable, Sendable {
    /// The output type (INT32 or INT64); a table without it means FLOAT32 (0), TFLite assumes INT32 only when the whole table is absent (default .float32).
    public var outType: TensorType

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(outType: TensorType = .float32) {
        self.outType = outType
    }
}

/// `ArgMinOptions` (union type 57): ARG_MIN options.
public struct ArgMinOptions: Equatable, Sendable {
    /// The index type (INT32 or INT64) (default .float32).
    public var outputType: TensorType

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(outputType: TensorType = .float32) {
        self.outputType = outputType
    }
}

/// `PackOptions` (union type 59): PACK options.
public struct PackOptions: Equatable, Sendable {
    /// The number of inputs (default 0).
    public var valuesCount: Int
    /// The new axis (default 0).
    public var axis: Int

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(valuesCount: Int = 0, axis: Int = 0) {
        self.valuesCount = valuesCount
        self.axis = axis
    }
}

/// `UnpackOptions` (union type 64): UNPACK options.
public struct UnpackOptions: Equatable, Sendable {
    /// The number of outputs (default 0).
    public var num: Int
    /// The axis to unpack along (default 0).
    public var axis: Int

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(num: Int = 0, axis: Int = 0) {
        self.num = num
        self.axis = axis
    }
}

/// `ResizeNearestNeighborOptions` (union type 74): RESIZE_NEAREST_NEIGHBOR options.
public struct ResizeNearestNeighborOptions: Equatable, Sendable {
    /// Align the corner pixels of input and output (default false).
    public var alignCorners: Bool
    /// Sample at pixel centres (TF2 behaviour) (default false).
    public var halfPixelCenters: Bool

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(alignCorners: Bool = false, halfPixelCenters: Bool = false) {
        self.alignCorners = alignCorners
        self.halfPixelCenters = halfPixelCenters
    }
}

/// `LeakyReluOptions` (union type 75): LEAKY_RELU options.
public struct LeakyReluOptions: Equatable, Sendable {
    /// The slope for negative inputs (default 0).
    public var alpha: Float

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(alpha: Float = 0) {
        self.alpha = alpha
    }
}

/// `MirrorPadOptions` (union type 77): MIRROR_PAD options.
public struct MirrorPadOptions: Equatable, Sendable {
    /// REFLECT (borders excluded) or SYMMETRIC (borders included) (default .reflect).
    public var mode: MirrorPadMode

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(mode: MirrorPadMode = .reflect) {
        self.mode = mode
    }
}

/// `SplitVOptions` (union type 79): SPLIT_V options.
public struct SplitVOptions: Equatable, Sendable {
    /// The number of outputs (default 0).
    public var numSplits: Int

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(numSplits: Int = 0) {
        self.numSplits = numSplits
    }
}

/// `DepthToSpaceOptions` (union type 94): DEPTH_TO_SPACE options.
public struct DepthToSpaceOptions: Equatable, Sendable {
    /// The block edge (default 0).
    public var blockSize: Int

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(blockSize: Int = 0) {
        self.blockSize = blockSize
    }
}

/// `BatchMatMulOptions` (union type 101): BATCH_MATMUL options.
public struct BatchMatMulOptions: Equatable, Sendable {
    /// Transpose (adjoint) the first operand (default false).
    public var adjX: Bool
    /// Transpose (adjoint) the second operand (default false).
    public var adjY: Bool
    /// (version 4+) hybrid kernels quantize inputs asymmetrically (default false).
    public var asymmetricQuantizeInputs: Bool

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(adjX: Bool = false, adjY: Bool = false, asymmetricQuantizeInputs: Bool = false) {
        self.adjX = adjX
        self.adjY = adjY
        self.asymmetricQuantizeInputs = asymmetricQuantizeInputs
    }
}

/// `GeluOptions` (union type 116): GELU options.
public struct GeluOptions: Equatable, Sendable {
    /// Use the tanh approximation (default false).
    public var approximate: Bool

    /// A value with the given fields; every parameter defaults to the schema's default.
    public init(approximate: Bool = false) {
        self.approximate = approximate
    }
}
