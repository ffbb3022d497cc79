/// Float input values to int8, as TFLite's Python tools quantize an int8 model's input (NumPy:
/// `np.round(x / scale) + zero_point`, clipped) and as `mote eval` does.
public enum Quantize {
    /// clamp(round_half_to_even(x / scale) + zeroPoint, -128, 127), the division in Float32;
    /// NaN gives zeroPoint.
    @inline(__always)
    public static func int8(_ x: Float, scale: Double, zeroPoint: Int) -> Int8 {
        let r = (x / Float(scale)).rounded(.toNearestOrEven)
        guard !r.isNaN else { return Int8(clamping: zeroPoint) }
        let v = max(-128, min(127, Double(r) + Double(zeroPoint)))
        return Int8(v)
    }
}
