import Foundation

/// How far a dequantized int8 tensor is from its float reference, accumulated over any number
/// of tensors (the elements of every image of a run) as sums, so that the figures of a run are
/// the figures of all its elements at once, never averages of per-image decibels.
///
/// With `f` the float reference, `q` the dequantized int8 value ((raw - zeroPoint) * scale) and
/// every sum over all accumulated elements, in `Double`:
/// - SQNR (dB) = 10 log10(Σ f² / Σ (q - f)²); `nil` when Σ (q - f)² = 0 (no error at all);
///   `-infinity` is avoided: a zero signal with an error gives `nil` too, and `signalEnergy` says which;
/// - cosine similarity = Σ f q / sqrt(Σ f² · Σ q²); 1 when both tensors are all zeros, 0 when
///   only one is;
/// - max abs error = max |q - f|;
/// - saturation: how many raw int8 values are -128 (`atMinimum`) and 127 (`atMaximum`). With a
///   ReLU before the tensor and zero point -128, -128 is also exact zero, so `atMinimum` counts
///   those too; `clipped` counts the float values that the int8 range cannot represent at all
///   (more than half a step below the lowest or above the highest representable value).
public struct ErrorStatistics: Codable, Equatable, Sendable {
    /// Elements accumulated.
    public var count: Int = 0
    /// Σ f².
    public var signalEnergy: Double = 0
    /// Σ (q - f)².
    public var errorEnergy: Double = 0
    /// Σ q².
    public var quantizedEnergy: Double = 0
    /// Σ f q.
    public var dotProduct: Double = 0
    /// max |q - f|.
    public var maxAbsError: Double = 0
    /// Raw int8 values equal to -128.
    public var atMinimum: Int = 0
    /// Raw int8 values equal to 127.
    public var atMaximum: Int = 0
    /// Float values outside the int8 tensor's representable range by more than half a step.
    public var clipped: Int = 0

    /// Nothing accumulated yet.
    public init() {}

    /// Signal-to-quantization-noise ratio in dB (see the type's notes), nil without error.
    public var sqnrDB: Double? {
        guard errorEnergy > 0, signalEnergy > 0 else { return nil }
        return 10 * log10(signalEnergy / errorEnergy)
    }

    /// Cosine similarity of the two tensors as vectors (see the type's notes).
    public var cosine: Double {
        if signalEnergy == 0 && quantizedEnergy == 0 { return 1 }
        if signalEnergy == 0 || quantizedEnergy == 0 { return 0 }
        return dotProduct / (signalEnergy.squareRoot() * quantizedEnergy.squareRoot())
    }

    /// Root-mean-square error, sqrt(Σ (q - f)² / count); 0 when empty.
    public var rmsError: Double { count > 0 ? (errorEnergy / Double(count)).squareRoot() : 0 }

    /// Accumulates one tensor: `reference` float values and the `raw` int8 values of the same
    /// elements in the same order, with the int8 tensor's `scale` and `zeroPoint`.
    /// Precondition: equal element counts (callers check shapes first).
    public mutating func add(reference: UnsafeBufferPointer<Float>, raw: UnsafeBufferPointer<Int8>, scale: Double, zeroPoint: Int) {
        precondition(reference.count == raw.count, "reference and int8 tensors differ in element count")
        let lowest = Double(-128 - zeroPoint) * scale - scale / 2
        let highest = Double(127 - zeroPoint) * scale + scale / 2
        var signal = 0.0, error = 0.0, quantized = 0.0, dot = 0.0, maxError = maxAbsError
        var low = 0, high = 0, outside = 0
        for i in 0..<raw.count {
            let r = raw[i]
            let f = Double(reference[i])
            let q = Double(Int(r) - zeroPoint) * scale
            let d = q - f
            signal += f * f
            error += d * d
            quantized += q * q
            dot += f * q
            maxError = max(maxError, abs(d))
            if r == -128 { low += 1 } else if r == 127 { high += 1 }
            if f < lowest || f > highest { outside += 1 }
        }
        count += raw.count
        signalEnergy += signal
        errorEnergy += error
        quantizedEnergy += quantized
        dotProduct += dot
        maxAbsError = maxError
        atMinimum += low
        atMaximum += high
        clipped += outside
    }

    /// `add(reference:raw:scale:zeroPoint:)` over arrays.
    public mutating func add(reference: [Float], raw: [Int8], scale: Double, zeroPoint: Int) {
        reference.withUnsafeBufferPointer { f in
            raw.withUnsafeBufferPointer { r in add(reference: f, raw: r, scale: scale, zeroPoint: zeroPoint) }
        }
    }

    /// The statistics of both sets of elements together.
    public mutating func merge(_ other: ErrorStatistics) {
        count += other.count
        signalEnergy += other.signalEnergy
        errorEnergy += other.errorEnergy
        quantizedEnergy += other.quantizedEnergy
        dotProduct += other.dotProduct
        maxAbsError = max(maxAbsError, other.maxAbsError)
        atMinimum += other.atMinimum
        atMaximum += other.atMaximum
        clipped += other.clipped
    }
}
