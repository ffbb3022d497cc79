import MoteCore

/// How the int8 spec constrains an operator's output quantization, and the operator version
/// TF's converter writes for its int8 form (TFLite's op_version rules, as observed in the
/// fixtures' `model_int8.tflite` files).
enum OperatorRule: Equatable {
    /// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED: int8 weights, int32 bias, own output range.
    case weighted
    /// The output must have the input's scale and zero point (pools, reshape, pad, slice).
    case sameAsInput
    /// Every input and the output share one scale and zero point (concatenation, pack).
    case joined
    /// The output parameters are fixed by the spec.
    case fixed(scale: Float, zeroPoint: Int32)
    /// The output gets its own calibrated range.
    case free
    /// Shape arithmetic on int32 tensors (data tensors are left as they are).
    case shape

    /// The rule for a builtin operator, or nil when the quantizer does not support it.
    static func of(_ code: Int32) -> OperatorRule? {
        switch code {
        case BuiltinOperator.conv2D, BuiltinOperator.depthwiseConv2D, BuiltinOperator.fullyConnected: return .weighted
        case BuiltinOperator.maxPool2D, BuiltinOperator.averagePool2D, BuiltinOperator.reshape,
             BuiltinOperator.pad, BuiltinOperator.padV2, BuiltinOperator.stridedSlice: return .sameAsInput
        case BuiltinOperator.concatenation, BuiltinOperator.pack: return .joined
        case BuiltinOperator.logistic, BuiltinOperator.softmax: return .fixed(scale: 1.0 / 256, zeroPoint: -128)
        case BuiltinOperator.tanh: return .fixed(scale: 1.0 / 128, zeroPoint: 0)
        case BuiltinOperator.add, BuiltinOperator.sub, BuiltinOperator.mul, BuiltinOperator.mean, BuiltinOperator.hardSwish,
             BuiltinOperator.relu, BuiltinOperator.relu6, BuiltinOperator.reluN1To1, BuiltinOperator.leakyRelu: return .free
        case BuiltinOperator.shape: return .shape
        default: return nil
        }
    }

    /// The version of the int8 form of `code` (int32 forms keep their float model's version).
    static func int8Version(_ code: Int32) -> Int32 {
        switch code {
        case BuiltinOperator.conv2D, BuiltinOperator.depthwiseConv2D: return 3
        case BuiltinOperator.fullyConnected: return 4
        case BuiltinOperator.reshape, BuiltinOperator.hardSwish, BuiltinOperator.leakyRelu,
             BuiltinOperator.quantize, BuiltinOperator.shape: return 1
        default: return 2
        }
    }
}
