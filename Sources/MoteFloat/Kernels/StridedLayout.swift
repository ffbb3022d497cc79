/// Shapes padded on the left to `rank` dimensions and their row-major strides: the common
/// indexing of the broadcasting, reduction and padding kernels (at most `maxRank` dimensions).
public struct StridedLayout: Equatable, Sendable {
    /// The highest rank the kernels accept.
    public static let maxRank = 6

    /// The dimensions, left-padded with 1 to `maxRank`.
    public var dims: [Int]
    /// Row-major strides of `dims` (elements).
    public var strides: [Int]

    /// The layout of `shape`, or nil when it has more than `maxRank` dimensions.
    public init?(_ shape: [Int]) {
        guard shape.count <= Self.maxRank else { return nil }
        dims = [Int](repeating: 1, count: Self.maxRank - shape.count) + shape
        strides = [Int](repeating: 0, count: Self.maxRank)
        var s = 1
        for i in stride(from: Self.maxRank - 1, through: 0, by: -1) {
            strides[i] = s
            s *= dims[i]
        }
    }

    /// The element count.
    public var count: Int { dims.reduce(1, *) }
}
