import Foundation

/// The training losses, with Keras' semantics (mean over the batch).
///
/// Probabilities are clipped to [ε, 1 − ε] with ε = 1e-7 (Keras' `epsilon()`). When the model
/// ends in the matching activation (Sigmoid for binary, Softmax for categorical), the trainer
/// computes the loss from that activation's input instead (`sigmoid_cross_entropy_with_logits`,
/// `softmax_cross_entropy_with_logits`), as Keras 3 does with the TensorFlow backend: the same
/// value where nothing saturates, and a gradient (p − y) that never vanishes through the clip.
public enum Loss: String, Sendable, Codable, CaseIterable {
    /// Binary cross-entropy over one sigmoid output per sample; the label is 0 or 1.
    case binaryCrossEntropy = "binary_crossentropy"
    /// Categorical cross-entropy over a softmax output; the label is the class index (one-hot target).
    case categoricalCrossEntropy = "categorical_crossentropy"

    /// Keras' fuzz factor.
    public static let epsilon: Float = 1e-7

    /// The activation whose input the loss can be computed from.
    public var matchingActivation: ActivationLayer.Kind {
        self == .binaryCrossEntropy ? .sigmoid : .softmax
    }

    /// Binary cross-entropy of probability `p` against target `y`: −(y·log p̂ + (1 − y)·log(1 − p̂)),
    /// p̂ = clip(p, ε, 1 − ε).
    public static func binaryCrossEntropy(probability p: Float, target y: Float) -> Double {
        let q = Double(min(max(p, epsilon), 1 - epsilon)), t = Double(y)
        return -(t * Foundation.log(q) + (1 - t) * Foundation.log(1 - q))
    }

    /// The derivative of `binaryCrossEntropy(probability:target:)` with respect to `p`
    /// (0 where the clip is active).
    public static func binaryCrossEntropyGradient(probability p: Float, target y: Float) -> Float {
        guard p > epsilon, p < 1 - epsilon else { return 0 }
        return -y / p + (1 - y) / (1 - p)
    }

    /// Binary cross-entropy computed from the logit `z` (p = σ(z)), stably:
    /// max(z, 0) − z·y + log(1 + e^−|z|). Its derivative with respect to `z` is σ(z) − y.
    public static func binaryCrossEntropy(logit z: Float, target y: Float) -> Double {
        let zd = Double(z), t = Double(y)
        return max(zd, 0) - zd * t + Foundation.log1p(Foundation.exp(-abs(zd)))
    }

    /// Categorical cross-entropy of probabilities `p` (renormalised to sum 1, then clipped, as
    /// Keras does) against class `label`: −log p̂[label].
    public static func categoricalCrossEntropy(probabilities p: UnsafePointer<Float>, count: Int, label: Int) -> Double {
        var s: Float = 0
        for i in 0..<count { s += p[i] }
        let q = min(max(p[label] / s, epsilon), 1 - epsilon)
        return -Foundation.log(Double(q))
    }

    /// The gradient of `categoricalCrossEntropy(probabilities:count:label:)` with respect to `p`.
    public static func categoricalCrossEntropyGradient(probabilities p: UnsafePointer<Float>, count: Int, label: Int,
                                                       into g: UnsafeMutablePointer<Float>) {
        var s: Float = 0
        for i in 0..<count { s += p[i] }
        let r = p[label] / s
        // d/dp_i of −log(p_l / s) = 1/s − [i = l]/p_l, zero when the clip is active.
        let active = r > epsilon && r < 1 - epsilon
        for i in 0..<count { g[i] = active ? (1 / s - (i == label ? 1 / p[label] : 0)) : 0 }
    }

    /// Categorical cross-entropy from logits `z` (p = softmax(z)): logsumexp(z) − z[label].
    public static func categoricalCrossEntropy(logits z: UnsafePointer<Float>, count: Int, label: Int) -> Double {
        var m = -Double.infinity
        for i in 0..<count { m = max(m, Double(z[i])) }
        var s = 0.0
        for i in 0..<count { s += Foundation.exp(Double(z[i]) - m) }
        return m + Foundation.log(s) - Double(z[label])
    }
}
