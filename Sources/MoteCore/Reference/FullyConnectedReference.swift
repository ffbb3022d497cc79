/// The shape of a FULLY_CONNECTED: `rows` input rows of `depth` values, `units` outputs each.
public struct FullyConnectedShape {
    /// Input rows (the product of all input dimensions divided by `depth`).
    public var rows: Int
    /// Values per row, `filter.shape[1]`.
    public var depth: Int
    /// Outputs per row, `filter.shape[0]`.
    public var units: Int

    public init(rows: Int, depth: Int, units: Int) {
        self.rows = rows
        self.depth = depth
        self.units = units
    }
}

/// TFLite 2.21's reference int8 FULLY_CONNECTED (`reference_integer_ops::FullyConnected` for
/// per-tensor weights, `FullyConnectedPerChannel` for per-channel ones): the semantics every
/// optimized variant must reproduce byte for byte.
///
/// `acc = bias[n] + sum over k of (filter[n, k] + weightsOffset) * (input[r, k] + inputOffset)`,
/// then `Requantization.outputSingleRounding` (TF 2.21 rounds FULLY_CONNECTED once; see the
/// fixtures' conformance rule). `weightsOffset` is 0 for per-channel weights, which TFLite
/// defines as symmetric. Accumulation wraps modulo 2^32.
public enum FullyConnectedReference {
    /// Runs the layer: `input` `[rows, depth]`, `filter` `[units, depth]`, `bias` (optional)
    /// `[units]`, `output` `[rows, units]`.
    public static func run(_ s: FullyConnectedShape, _ q: Requantization, weightsOffset: Int32, input: UnsafePointer<Int8>,
                           filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>) {
        for r in 0..<s.rows {
            let row = input + (r &* s.depth)
            for n in 0..<s.units {
                let weights = filter + (n &* s.depth)
                var acc: Int32 = 0
                for k in 0..<s.depth {
                    acc &+= (Int32(weights[k]) &+ weightsOffset) &* (Int32(row[k]) &+ q.inputOffset)
                }
                if let bias { acc &+= bias[n] }
                output[r &* s.units &+ n] = q.outputSingleRounding(acc, channel: n)
            }
        }
    }
}
