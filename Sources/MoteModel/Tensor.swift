import MoteCore

/// A tensor (`table Tensor`): element type, shape, where its constant data lives, and how its
/// integers map to real numbers.
public struct Tensor: Equatable, Sendable {
    /// The declared shape (empty for a scalar, or for an unknown rank when `hasRank` is false).
    public var shape: [Int]
    /// The element type.
    public var type: TensorType
    /// Index into `TFLiteModel.buffers`; 0 (the empty sentinel) for activations.
    public var buffer: Int
    /// The name (TF's converter writes the `;`-joined TF op names).
    public var name: String
    /// The quantization parameters table, if present (TF's converter writes an empty table
    /// for float tensors).
    public var quantization: Quantization?
    /// `is_variable`: a mutable state tensor.
    public var isVariable: Bool
    /// Sparse encoding of the tensor's data, if any.
    public var sparsity: SparsityParameters?
    /// `shape_signature`: the shape with -1 for dynamic dimensions, if present.
    public var shapeSignature: [Int]?
    /// `has_rank`: distinguishes a scalar (true, empty shape) from an unknown rank.
    public var hasRank: Bool
    /// Nested types of a VARIANT tensor, if present.
    public var variantTensors: [VariantSubType]?

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(shape: [Int], type: TensorType, buffer: Int = 0, name: String = "", quantization: Quantization? = nil,
                isVariable: Bool = false, sparsity: SparsityParameters? = nil, shapeSignature: [Int]? = nil,
                hasRank: Bool = false, variantTensors: [VariantSubType]? = nil) {
        self.shape = shape
        self.type = type
        self.buffer = buffer
        self.name = name
        self.quantization = quantization
        self.isVariable = isVariable
        self.sparsity = sparsity
        self.shapeSignature = shapeSignature
        self.hasRank = hasRank
        self.variantTensors = variantTensors
    }

    /// The number of elements (the product of `shape`, 1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// Quantization parameters (`table QuantizationParameters`): real = scale × (q − zeroPoint),
/// per tensor (one scale) or per channel along `quantizedDimension`.
public struct Quantization: Equatable, Sendable {
    /// `min`: the float range's lower ends (for importing back into TensorFlow).
    public var min: [Float]
    /// `max`: the float range's upper ends.
    public var max: [Float]
    /// Scales: one per tensor, or one per channel.
    public var scale: [Float]
    /// Zero points (64-bit in the schema), one per scale.
    public var zeroPoint: [Int64]
    /// `CustomQuantization.custom` bytes when the `details` union holds one (then the
    /// parameters above are to be ignored).
    public var customDetails: [UInt8]?
    /// The dimension that per-channel parameters run along.
    public var quantizedDimension: Int

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(min: [Float] = [], max: [Float] = [], scale: [Float] = [], zeroPoint: [Int64] = [],
                customDetails: [UInt8]? = nil, quantizedDimension: Int = 0) {
        self.min = min
        self.max = max
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.customDetails = customDetails
        self.quantizedDimension = quantizedDimension
    }

    /// Per-tensor parameters.
    public init(scale: Float, zeroPoint: Int64) { self.init(scale: [scale], zeroPoint: [zeroPoint]) }

    /// True when there is more than one scale.
    public var isPerChannel: Bool { scale.count > 1 }
    /// True when no scale is given (an unquantized tensor).
    public var isEmpty: Bool { scale.isEmpty && zeroPoint.isEmpty && min.isEmpty && max.isEmpty && customDetails == nil }
}

/// Sparse tensor encoding (`table SparsityParameters`, TACO format).
public struct SparsityParameters: Equatable, Sendable {
    /// The traversal order of the dense dimensions (and block dimensions).
    public var traversalOrder: [Int32]?
    /// Which dense dimension each block dimension belongs to, if block-sparse.
    public var blockMap: [Int32]?
    /// Per traversed dimension: dense size or CSR segments and indices.
    public var dimensionMetadata: [DimensionMetadata]?

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(traversalOrder: [Int32]? = nil, blockMap: [Int32]? = nil, dimensionMetadata: [DimensionMetadata]? = nil) {
        self.traversalOrder = traversalOrder
        self.blockMap = blockMap
        self.dimensionMetadata = dimensionMetadata
    }
}

/// One dimension of a sparse encoding (`table DimensionMetadata`).
public struct DimensionMetadata: Equatable, Sendable {
    /// `format`: 0 = DENSE, 1 = SPARSE_CSR.
    public var format: Int8
    /// The dimension's size, for DENSE.
    public var denseSize: Int32
    /// CSR segments, for SPARSE_CSR.
    public var arraySegments: SparseIndexVector?
    /// CSR indices, for SPARSE_CSR.
    public var arrayIndices: SparseIndexVector?

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(format: Int8 = 0, denseSize: Int32 = 0, arraySegments: SparseIndexVector? = nil, arrayIndices: SparseIndexVector? = nil) {
        self.format = format
        self.denseSize = denseSize
        self.arraySegments = arraySegments
        self.arrayIndices = arrayIndices
    }
}

/// The `SparseIndexVector` union: index metadata stored as int32, uint16 or uint8.
public enum SparseIndexVector: Equatable, Sendable {
    /// `Int32Vector`.
    case int32([Int32])
    /// `Uint16Vector`.
    case uint16([UInt16])
    /// `Uint8Vector`.
    case uint8([UInt8])

    /// The union type value (1, 2, 3).
    public var unionType: UInt8 {
        switch self {
        case .int32: return 1
        case .uint16: return 2
        case .uint8: return 3
        }
    }
}

/// The nested type of a VARIANT tensor (`table VariantSubType`).
public struct VariantSubType: Equatable, Sendable {
    /// The nested shape.
    public var shape: [Int]
    /// The nested element type.
    public var type: TensorType
    /// False when the nested rank is unknown.
    public var hasRank: Bool

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(shape: [Int] = [], type: TensorType = .float32, hasRank: Bool = false) {
        self.shape = shape
        self.type = type
        self.hasRank = hasRank
    }
}
