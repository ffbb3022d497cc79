import Foundation

/// Float SOFTMAX along the innermost dimension:
/// `output[r, i] = e^(β·(x[r, i] − max_j x[r, j])) / Σ_j e^(β·(x[r, j] − max_j x[r, j]))`
/// for `rows` rows of `depth` values (subtracting the row maximum keeps `e^` finite).
public enum Softmax {
    /// Runs the softmax; `output` may be `input`.
    public static func forward(beta: Float, rows: Int, depth: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x = input + r * depth, y = output + r * depth
            var top = -Float.infinity
            for i in 0..<depth { top = max(top, x[i]) }
            var sum: Float = 0
            for i in 0..<depth {
                let e = expf((x[i] - top) * beta)
                y[i] = e
                sum += e
            }
            let inverse = 1 / sum
            for i in 0..<depth { y[i] *= inverse }
        }
    }
}
