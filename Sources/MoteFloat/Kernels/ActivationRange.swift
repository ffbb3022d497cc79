/// A fused activation expressed as TFLite's float kernels apply it: a clamp of every output
/// to `[lower, upper]` (`ActivationFunctionWithMinMax`). NaN passes through unchanged.
public struct ActivationRange: Equatable, Sendable {
    /// The smallest output (−∞: unbounded).
    public var lower: Float
    /// The largest output (+∞: unbounded).
    public var upper: Float

    /// The clamp to `[lower, upper]`.
    public init(lower: Float, upper: Float) {
        self.lower = lower
        self.upper = upper
    }

    /// No clamp (`NONE`).
    public static let none = ActivationRange(lower: -.infinity, upper: .infinity)
    /// `RELU`: `[0, +∞)`.
    public static let relu = ActivationRange(lower: 0, upper: .infinity)
    /// `RELU6`: `[0, 6]`.
    public static let relu6 = ActivationRange(lower: 0, upper: 6)
    /// `RELU_N1_TO_1`: `[−1, 1]`.
    public static let reluN1To1 = ActivationRange(lower: -1, upper: 1)

    /// True for `none` (the clamp can be skipped).
    public var isIdentity: Bool { lower == -.infinity && upper == .infinity }

    /// `x` clamped to the range.
    @inline(__always)
    public func apply(_ x: Float) -> Float { x < lower ? lower : (x > upper ? upper : x) }

    /// Clamps `count` values in place.
    @inline(__always)
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
        if isIdentity { return }
        let lo = lower, hi = upper
        for i in 0..<count {
            let x = values[i]
            values[i] = x < lo ? lo : (x > hi ? hi : x)
        }
    }
}
