/// CONCATENATION (and PACK, which is a concatenation along a new axis of size 1 per input):
/// inputs that agree on every dimension except `axis` are joined along it, in input order.
/// Works on raw elements of any size, so float and int32 tensors share it.
public enum Concatenation {
    /// The operator's parameters, in elements.
    public struct Parameters: Equatable, Sendable {
        /// Product of the dimensions before the axis.
        public let outer: Int
        /// Per input: elements of one outer slice (its axis size times the inner product).
        public let sliceCounts: [Int]

        /// Concatenation of tensors shaped `inputShapes` along `axis` (0-based, already
        /// normalized), or nil when ranks or non-axis dimensions differ.
        public init?(inputShapes: [[Int]], axis: Int) {
            guard let first = inputShapes.first, axis >= 0, axis < first.count else { return nil }
            for s in inputShapes {
                guard s.count == first.count else { return nil }
                for i in 0..<s.count where i != axis && s[i] != first[i] { return nil }
            }
            outer = first[..<axis].reduce(1, *)
            let inner = first[(axis + 1)...].reduce(1, *)
            sliceCounts = inputShapes.map { $0[axis] * inner }
        }

        /// The joined shape along `axis`.
        public static func outputShape(_ inputShapes: [[Int]], axis: Int) -> [Int] {
            var s = inputShapes[0]
            s[axis] = inputShapes.reduce(0) { $0 + $1[axis] }
            return s
        }
    }

    /// Copies the inputs into `output`; `inputs[i]` points at input i (elements of type T).
    public static func forward<T>(_ p: Parameters, inputs: UnsafePointer<UnsafePointer<T>>, output: UnsafeMutablePointer<T>) {
        var dst = output
        for o in 0..<p.outer {
            for i in 0..<p.sliceCounts.count {
                let n = p.sliceCounts[i]
                dst.update(from: inputs[i] + o * n, count: n)
                dst += n
            }
        }
    }
}
