/// The builtin operators the core executes, and the one place that maps a builtin code to
/// its kernel. `Interpreter` calls `prepare` and `eval` through these two switches, so each
/// kernel is specialized (no existential, no allocation) and optimized kernels can replace a
/// reference one here.
enum OperatorRegistry {
}

/// Visits the kernel type for a builtin operator code. A protocol with a generic method,
/// so that dispatch stays static under Embedded Swift.
protocol KernelVisitor {
    associatedtype Result
    mutating func visit<K: OperatorKernel>(_ kernel: K.Type) -> Result
}

extension OperatorRegistry {
    /// Calls `visitor.visit(K.self)` with the kernel of `builtin`; nil when unsupported.
    static func dispatch<V: KernelVisitor>(_ builtin: Int32, _ visitor: inout V) -> V.Result? {
        switch builtin {
        case BuiltinOperator.conv2D: return visitor.visit(Conv2DKernel.self)
        case BuiltinOperator.depthwiseConv2D: return visitor.visit(DepthwiseConv2DKernel.self)
        case BuiltinOperator.fullyConnected: return visitor.visit(FullyConnectedKernel.self)
        case BuiltinOperator.maxPool2D: return visitor.visit(MaxPool2DKernel.self)
        case BuiltinOperator.averagePool2D: return visitor.visit(AveragePool2DKernel.self)
        case BuiltinOperator.mean: return visitor.visit(MeanKernel.self)
        case BuiltinOperator.softmax: return visitor.visit(SoftmaxKernel.self)
        case BuiltinOperator.logistic: return visitor.visit(LogisticKernel.self)
        case BuiltinOperator.tanh: return visitor.visit(TanhKernel.self)
        case BuiltinOperator.hardSwish: return visitor.visit(HardSwishKernel.self)
        case BuiltinOperator.add: return visitor.visit(AddKernel.self)
        case BuiltinOperator.sub: return visitor.visit(SubKernel.self)
        case BuiltinOperator.mul: return visitor.visit(MulKernel.self)
        case BuiltinOperator.pad, BuiltinOperator.padV2: return visitor.visit(PadKernel.self)
        case BuiltinOperator.concatenation: return visitor.visit(ConcatenationKernel.self)
        case BuiltinOperator.quantize: return visitor.visit(QuantizeKernel.self)
        case BuiltinOperator.relu, BuiltinOperator.relu6, BuiltinOperator.reluN1To1: return visitor.visit(ReluKernel.self)
        case BuiltinOperator.leakyRelu: return visitor.visit(LeakyReluKernel.self)
        case BuiltinOperator.reshape: return visitor.visit(ReshapeKernel.self)
        case BuiltinOperator.shape: return visitor.visit(ShapeKernel.self)
        case BuiltinOperator.stridedSlice: return visitor.visit(StridedSliceKernel.self)
        case BuiltinOperator.pack: return visitor.visit(PackKernel.self)
        default: return nil
        }
    }
}
