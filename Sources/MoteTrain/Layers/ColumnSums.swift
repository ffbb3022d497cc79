/// Column sums of a row-major matrix, added into an accumulator, with 16-wide SIMD when the
/// row length allows (the bias gradient of a convolution: Σ over output positions).
enum ColumnSums {
    @inline(__always)
    static func add(_ m: UnsafePointer<Float>, rows: Int, columns: Int, into acc: UnsafeMutablePointer<Float>) {
        if columns % 16 == 0 {
            let raw = UnsafeRawPointer(m), blocks = columns / 16
            for b in 0..<blocks {
                var s = SIMD16<Float>(repeating: 0)
                for r in 0..<rows {
                    s += raw.loadUnaligned(fromByteOffset: (r * columns + b * 16) * 4, as: SIMD16<Float>.self)
                }
                for k in 0..<16 { acc[b * 16 + k] += s[k] }
            }
            return
        }
        for r in 0..<rows {
            let row = m + r * columns
            for o in 0..<columns { acc[o] += row[o] }
        }
    }
}
