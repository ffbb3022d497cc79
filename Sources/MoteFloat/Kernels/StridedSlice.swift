/// STRIDED_SLICE as TFLite computes it (`strided_slice_logic.h`), for masks `begin_mask`,
/// `end_mask` and `shrink_axis_mask` (`ellipsis_mask` and `new_axis_mask` are not supported):
/// along dimension i, indices run from `start` towards `stop` in steps of `strides[i]`, where a
/// negative begin or end counts from the end, values are clamped to the dimension, a set
/// begin (end) mask bit means the first (last) element in the stepping direction, and a set
/// shrink bit takes the single element at `begin[i]` and removes the dimension.
public enum StridedSlice {
    /// The resolved slice: per input dimension the first index, the step and the count.
    public struct Parameters: Equatable, Sendable {
        /// The input's shape.
        public let inputShape: [Int]
        /// Per input dimension, the first index taken.
        public let starts: [Int]
        /// Per input dimension, the step between taken indices (negative: backwards).
        public let steps: [Int]
        /// Per input dimension, how many indices are taken.
        public let counts: [Int]
        /// The output shape (shrunk dimensions removed).
        public let outputShape: [Int]

        /// Nil when the lengths disagree, a stride is 0, or a shrunk index is out of range.
        public init?(inputShape: [Int], begin: [Int], end: [Int], strides: [Int],
                     beginMask: Int, endMask: Int, shrinkAxisMask: Int, offset: Bool = false) {
            let r = inputShape.count
            guard begin.count <= r, end.count == begin.count, strides.count == begin.count else { return nil }
            var starts = [Int](), steps = [Int](), counts = [Int](), out = [Int]()
            for i in 0..<r {
                let dim = inputShape[i]
                guard i < begin.count else {
                    starts.append(0); steps.append(1); counts.append(dim); out.append(dim)
                    continue
                }
                let step = strides[i]
                guard step != 0 else { return nil }
                if shrinkAxisMask & (1 << i) != 0 {
                    var b = begin[i]
                    if b < 0 { b += dim }
                    guard b >= 0, b < dim else { return nil }
                    starts.append(b); steps.append(1); counts.append(1)
                    continue
                }
                func clampIndex(_ v: Int) -> Int {
                    step > 0 ? min(max(v, 0), dim) : min(max(v, -1), dim - 1)
                }
                var start: Int
                if beginMask & (1 << i) != 0 {
                    start = step > 0 ? 0 : dim - 1
                } else {
                    start = begin[i] < 0 ? begin[i] + dim : begin[i]
                    start = clampIndex(start)
                }
                var stop: Int
                if endMask & (1 << i) != 0 {
                    stop = step > 0 ? dim : -1
                } else {
                    var e = end[i]
                    if offset { e += begin[i] }
                    stop = e < 0 ? e + dim : e
                    stop = clampIndex(stop)
                }
                let n = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
                starts.append(start); steps.append(step); counts.append(n); out.append(n)
            }
            self.inputShape = inputShape
            self.starts = starts
            self.steps = steps
            self.counts = counts
            outputShape = out
        }

        /// Output elements.
        public var outputCount: Int { counts.reduce(1, *) }
    }

    /// Copies the selected elements in row-major output order (no allocation).
    public static func forward<T>(_ p: Parameters, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>) {
        let r = p.inputShape.count
        let total = p.outputCount
        if total == 0 { return }
        if r == 0 { output[0] = input[0]; return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * r) { scratch in
            // scratch[0..<r]: input strides; scratch[r..<2r]: the odometer over output indices.
            var step = 1
            for d in Swift.stride(from: r - 1, through: 0, by: -1) {
                scratch[d] = step
                step *= p.inputShape[d]
                scratch[r + d] = 0
            }
            for i in 0..<total {
                var offset = 0
                for d in 0..<r { offset += (p.starts[d] + scratch[r + d] * p.steps[d]) * scratch[d] }
                output[i] = input[offset]
                var d = r - 1
                while d >= 0 {
                    scratch[r + d] += 1
                    if scratch[r + d] < p.counts[d] { break }
                    scratch[r + d] = 0
                    d -= 1
                }
            }
        }
    }
}
