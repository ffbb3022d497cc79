import MoteCore

/// The arithmetic of TFLite's int8 quantization spec, as TensorFlow's converter applies it.
///
/// - Activations: asymmetric int8, `real = scale × (q − zeroPoint)`, q in −128...127.
/// - Weights: symmetric int8 (zero point 0) in the narrow range −127...127, per output channel
///   or per tensor.
/// - Biases: int32 with scale `inputScale × weightScale[c]` and zero point 0.
/// - Requantization multipliers: MoteCore's `FixedPoint.quantizeMultiplier` of the real ratio
///   computed in `Double`, exactly what MoteCore's (and TFLite's) prepare computes.
public enum QuantizationMath {
    /// Asymmetric int8 parameters for the real range `[min, max]`, as TF's converter nudges them:
    /// the range is first widened to contain 0; `scale = (max − min) / 255` (computed in
    /// `Double`, stored as `Float`); the zero point is `−128 − min / scale` rounded half away
    /// from zero and clamped to −128...127, so that real 0 is exactly representable.
    /// A range of width 0 (every value 0) gives `(1, −128)`: real 0 is still code −128.
    public static func activationParameters(min: Float, max: Float) -> (scale: Float, zeroPoint: Int32) {
        let lo = Double(Swift.min(min.isFinite ? min : 0, 0))
        let hi = Double(Swift.max(max.isFinite ? max : 0, 0))
        let width = hi - lo
        guard width > 0 else { return (1, -128) }
        let scale = Float(width / 255)
        let zeroPointFromMin = -128 - lo / Double(scale)
        let zeroPoint: Int32
        if zeroPointFromMin < -128 { zeroPoint = -128 } else if zeroPointFromMin > 127 { zeroPoint = 127 } else {
            zeroPoint = FixedPoint.roundedInt32(zeroPointFromMin)
        }
        return (scale, zeroPoint)
    }

    /// `clamp(round(x / scale) + zeroPoint, lo, hi)` with ties rounded away from zero (TFLite's
    /// `TfLiteRound`), the division done in `Double`. Non-finite `x` saturates (NaN gives the zero point).
    public static func quantize(_ x: Float, scale: Float, zeroPoint: Int32, lo: Int32 = -128, hi: Int32 = 127) -> Int32 {
        let q = FixedPoint.roundedInt32(Double(x) / Double(scale))
        let shifted = Int64(q) + Int64(zeroPoint)
        return Int32(Swift.max(Int64(lo), Swift.min(Int64(hi), shifted)))
    }

    /// The scale of symmetric narrow-range int8 weights whose largest magnitude is `maxAbs`:
    /// `maxAbs / 127`. A channel whose weights are all zero gets the safe scale 1 (its codes are
    /// all 0 whatever the scale, and a zero scale would make the requantization multiplier 0
    /// and the bias scale 0, which TFLite's prepare rejects).
    public static func weightScale(maxAbs: Float) -> Float {
        guard maxAbs > 0, maxAbs.isFinite else { return 1 }
        return maxAbs / 127
    }

    /// Symmetric int8 weights along `channelAxis` of `shape` (per channel), or with one scale
    /// for the whole tensor when `perChannel` is false. Codes are `round(w / scale)` (ties away
    /// from zero) clamped to −127...127.
    public static func quantizeWeights(_ values: [Float], shape: [Int], channelAxis: Int,
                                       perChannel: Bool) -> (codes: [Int8], scales: [Float]) {
        let channels = perChannel && channelAxis < shape.count ? shape[channelAxis] : 1
        let inner = perChannel ? shape[(channelAxis + 1)...].reduce(1, *) : values.count
        var maxAbs = [Float](repeating: 0, count: Swift.max(channels, 1))
        for (i, v) in values.enumerated() {
            let c = perChannel ? (i / inner) % channels : 0
            maxAbs[c] = Swift.max(maxAbs[c], abs(v))
        }
        let scales = maxAbs.map(weightScale(maxAbs:))
        var codes = [Int8](repeating: 0, count: values.count)
        for (i, v) in values.enumerated() {
            let c = perChannel ? (i / inner) % channels : 0
            codes[i] = Int8(quantize(v, scale: scales[c], zeroPoint: 0, lo: -127, hi: 127))
        }
        return (codes, scales)
    }

    /// Int32 bias codes `round(b[c] / (inputScale × weightScales[c]))` (ties away from zero,
    /// the product and quotient in `Double`), saturated to `Int32`'s range; `saturated` counts
    /// the channels that did not fit. With one weight scale, every channel uses it.
    public static func quantizeBias(_ bias: [Float], inputScale: Float,
                                    weightScales: [Float]) -> (codes: [Int32], scales: [Float], saturated: Int) {
        var codes = [Int32](repeating: 0, count: bias.count)
        var scales = [Float](repeating: 0, count: bias.count)
        var saturated = 0
        for c in bias.indices {
            let ws = weightScales.count == 1 ? weightScales[0] : weightScales[c]
            let scale = Double(inputScale) * Double(ws)
            scales[c] = Float(scale)
            let real = Double(bias[c]) / Double(Float(scale))
            if real >= 2147483647.5 || real <= -2147483648.5 { saturated += 1 }
            codes[c] = FixedPoint.roundedInt32(real)
        }
        return (codes, scales, saturated)
    }

    /// The requantization multiplier and shift of a conv/FC output channel, computed exactly as
    /// MoteCore's prepare does: `FixedPoint.quantizeMultiplier(Double(inputScale) ×
    /// Double(weightScale) / Double(outputScale))`.
    public static func requantization(inputScale: Float, weightScale: Float,
                                      outputScale: Float) -> (multiplier: Int32, shift: Int32) {
        FixedPoint.quantizeMultiplier(Double(inputScale) * Double(weightScale) / Double(outputScale))
    }
}
