/// TFLite `TensorType` values (schema.fbs).
public enum TensorType: UInt8, Sendable {
    case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7
    case complex64 = 8, int8 = 9, float64 = 10, complex128 = 11, uint64 = 12, resource = 13
    case variant = 14, uint32 = 15, uint16 = 16, int4 = 17

    /// Bytes per element, or 0 for types without a fixed size (string, resource, variant, int4).
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .int16, .uint16, .float16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64, .complex64: return 8
        case .complex128: return 16
        case .string, .resource, .variant, .int4: return 0
        }
    }
}

/// TFLite `BuiltinOperator` values (schema.fbs) of the operators the core knows.
public enum BuiltinOperator {
    public static let add: Int32 = 0
    public static let averagePool2D: Int32 = 1
    public static let concatenation: Int32 = 2
    public static let conv2D: Int32 = 3
    public static let depthwiseConv2D: Int32 = 4
    public static let dequantize: Int32 = 6
    public static let fullyConnected: Int32 = 9
    public static let logistic: Int32 = 14
    public static let maxPool2D: Int32 = 17
    public static let mul: Int32 = 18
    public static let relu: Int32 = 19
    public static let reluN1To1: Int32 = 20
    public static let relu6: Int32 = 21
    public static let reshape: Int32 = 22
    public static let softmax: Int32 = 25
    public static let tanh: Int32 = 28
    public static let pad: Int32 = 34
    public static let mean: Int32 = 40
    public static let sub: Int32 = 41
    public static let squeeze: Int32 = 43
    public static let stridedSlice: Int32 = 45
    public static let expandDims: Int32 = 70
    public static let shape: Int32 = 77
    public static let pack: Int32 = 83
    public static let leakyRelu: Int32 = 98
    public static let padV2: Int32 = 60
    public static let quantize: Int32 = 114
    public static let hardSwish: Int32 = 117
}

/// TFLite `BuiltinOptions` union type values (schema.fbs) of the option tables the core reads.
public enum BuiltinOptionsType {
    public static let none: UInt8 = 0
    public static let conv2D: UInt8 = 1
    public static let depthwiseConv2D: UInt8 = 2
    public static let pool2D: UInt8 = 5
    public static let fullyConnected: UInt8 = 8
    public static let softmax: UInt8 = 9
    public static let concatenation: UInt8 = 10
    public static let add: UInt8 = 11
    public static let reshape: UInt8 = 17
    public static let mul: UInt8 = 21
    public static let pad: UInt8 = 22
    public static let reducer: UInt8 = 27
    public static let sub: UInt8 = 28
    public static let squeeze: UInt8 = 30
    public static let stridedSlice: UInt8 = 32
    public static let padV2: UInt8 = 43
    public static let expandDims: UInt8 = 52
    public static let shape: UInt8 = 55
    public static let pack: UInt8 = 59
    public static let leakyRelu: UInt8 = 75
    public static let quantize: UInt8 = 89
    public static let hardSwish: UInt8 = 91
    /// The largest union value of schema.fbs that the verifier accepts as a known table type.
    public static let maxKnown: UInt8 = 126
}

/// TFLite `ActivationFunctionType` values.
public enum FusedActivation: Int8, Sendable {
    case none = 0, relu = 1, reluN1To1 = 2, relu6 = 3, tanh = 4, signBit = 5
}

/// TFLite `Padding` values.
public enum Padding: Int8, Sendable {
    case same = 0, valid = 1
}
