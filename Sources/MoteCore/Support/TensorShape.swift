/// The shape of a tensor: up to `TensorShape.maxRank` dimensions, stored inline (no allocation).
public struct TensorShape {
    /// The largest rank the core handles. TFLite's reference kernels handle at most 6 for
    /// broadcasting element-wise ops and strided slices, 4 or 5 elsewhere.
    public static let maxRank = 6

    /// The number of dimensions.
    public private(set) var rank: Int
    var storage: InlineArray<6, Int32>

    /// A scalar (rank 0).
    public init() {
        rank = 0
        storage = InlineArray(repeating: 1)
    }

    /// A shape of `rank` dimensions, each 1; `rank` is clamped to `0...maxRank`.
    public init(rank: Int) {
        self.rank = min(max(rank, 0), TensorShape.maxRank)
        storage = InlineArray(repeating: 1)
    }

    /// A shape from up to six explicit dimensions (trailing nils end the shape).
    public init(_ d0: Int, _ d1: Int? = nil, _ d2: Int? = nil, _ d3: Int? = nil, _ d4: Int? = nil, _ d5: Int? = nil) {
        self.init(rank: 0)
        append(d0)
        guard let d1 else { return }
        append(d1)
        guard let d2 else { return }
        append(d2)
        guard let d3 else { return }
        append(d3)
        guard let d4 else { return }
        append(d4)
        guard let d5 else { return }
        append(d5)
    }

    /// Dimension `i`; `i` must be below `rank`.
    @inline(__always)
    public subscript(i: Int) -> Int {
        get { Int(storage[i]) }
        set { storage[i] = Int32(truncatingIfNeeded: newValue) }
    }

    /// Dimension `i` counted from the front after left-padding with ones to `toRank`
    /// (numpy broadcasting alignment): `extended(0, toRank: 4)` of `[3, 5]` is 1.
    @inline(__always)
    public func extended(_ i: Int, toRank: Int) -> Int {
        let j = i - (toRank - rank)
        return j < 0 ? 1 : self[j]
    }

    /// The product of all dimensions (1 for a scalar), or nil if it overflows or a dimension
    /// is negative.
    public var elementCount: Int? {
        var n = 1
        for i in 0..<rank {
            let d = self[i]
            if d < 0 { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }

    /// The product of dimensions `from..<to`.
    public func product(from: Int, to: Int) -> Int {
        var n = 1
        var i = from
        while i < to { n &*= self[i]; i += 1 }
        return n
    }

    /// Appends a dimension; no effect at `maxRank`.
    public mutating func append(_ d: Int) {
        guard rank < TensorShape.maxRank else { return }
        rank += 1
        self[rank - 1] = d
    }

    /// Same rank and dimensions.
    public func equals(_ other: TensorShape) -> Bool {
        guard rank == other.rank else { return false }
        for i in 0..<rank where self[i] != other[i] { return false }
        return true
    }
}
