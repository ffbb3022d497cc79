import MoteCore
import MoteModel

extension BuiltinOptions {
    /// The fused activation of the options tables that have one (.none for the others).
    var fusedActivation: FusedActivation {
        switch self {
        case .conv2D(let o): return o.fusedActivationFunction
        case .depthwiseConv2D(let o): return o.fusedActivationFunction
        case .fullyConnected(let o): return o.fusedActivationFunction
        case .pool2D(let o): return o.fusedActivationFunction
        case .add(let o): return o.fusedActivationFunction
        case .sub(let o): return o.fusedActivationFunction
        case .mul(let o): return o.fusedActivationFunction
        case .concatenation(let o): return o.fusedActivationFunction
        default: return .none
        }
    }

    /// The same options with the fused activation replaced (tables without one are unchanged).
    func withFusedActivation(_ a: FusedActivation) -> BuiltinOptions {
        switch self {
        case .conv2D(var o): o.fusedActivationFunction = a; return .conv2D(o)
        case .depthwiseConv2D(var o): o.fusedActivationFunction = a; return .depthwiseConv2D(o)
        case .fullyConnected(var o): o.fusedActivationFunction = a; return .fullyConnected(o)
        default: return self
        }
    }
}

extension FusedActivation {
    /// The real interval the activation's output lies in (±infinity where unbounded).
    var outputInterval: (min: Float, max: Float) {
        switch self {
        case .relu: return (0, .infinity)
        case .relu6: return (0, 6)
        case .reluN1To1: return (-1, 1)
        case .tanh: return (-1, 1)
        default: return (-.infinity, .infinity)
        }
    }
}
