import Foundation

/// Elementwise float activations, as TFLite's float kernels define them. Each maps `count`
/// values of `input` to `output` (the two may be the same buffer).
public enum Activations {
    /// RELU, RELU6, RELU_N1_TO_1 (and RELU_0_TO_1): a clamp to `range`.
    public static func clamp(_ range: ActivationRange, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        let lo = range.lower, hi = range.upper
        for i in 0..<count {
            let x = input[i]
            output[i] = x < lo ? lo : (x > hi ? hi : x)
        }
    }

    /// LEAKY_RELU: `x` for `x > 0`, else `alpha · x`.
    public static func leakyRelu(alpha: Float, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = input[i]
            output[i] = x > 0 ? x : alpha * x
        }
    }

    /// LOGISTIC: `1 / (1 + e^(−x))`.
    public static func logistic(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { output[i] = 1 / (1 + expf(-input[i])) }
    }

    /// TANH: the hyperbolic tangent.
    public static func tanh(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { output[i] = tanhf(input[i]) }
    }

    /// HARD_SWISH: `x · relu6(x + 3) / 6`.
    public static func hardSwish(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = input[i]
            output[i] = x * min(max(x + 3, 0), 6) / 6
        }
    }
}
