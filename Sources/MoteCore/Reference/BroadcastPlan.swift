/// How a broadcasting binary element-wise operator walks its operands: numpy broadcasting of
/// two shapes of rank up to 6 (TFLite's `BroadcastBinaryFunction6DSlow`, `BroadcastAdd6DSlow`,
/// `BroadcastMul6DSlow`), with the output visited in row-major order.
///
/// Dimensions of size 1 are dropped and adjacent dimensions that both operands traverse the
/// same way (both contiguous, or both broadcast) are merged, so the innermost loop is as long
/// as possible; the element visited at each output position is unchanged, hence so are the
/// results of any per-element function.
public struct BroadcastPlan {
    /// The number of merged dimensions in use (0 for a single element).
    public private(set) var rank: Int
    /// Merged output extents, outermost first.
    var dims: InlineArray<6, Int32>
    /// Element strides of each operand per merged dimension (0 where it is broadcast).
    var strides1: InlineArray<6, Int32>
    var strides2: InlineArray<6, Int32>
    /// The number of output elements.
    public private(set) var count: Int

    /// The broadcast output shape of `a` and `b`: shapes aligned at their last dimension,
    /// missing leading dimensions taken as 1; per dimension both extents equal, or one is 1
    /// and the output takes the other. Nil when the shapes are incompatible.
    public static func outputShape(_ a: TensorShape, _ b: TensorShape) -> TensorShape? {
        let rank = max(a.rank, b.rank)
        var out = TensorShape(rank: rank)
        for i in 0..<rank {
            let da = a.extended(i, toRank: rank), db = b.extended(i, toRank: rank)
            if da == db || db == 1 {
                out[i] = da
            } else if da == 1 {
                out[i] = db
            } else {
                return nil
            }
        }
        return out
    }

    /// The plan for operands of shapes `a` and `b`; nil when they do not broadcast.
    public init?(_ a: TensorShape, _ b: TensorShape) {
        guard let out = BroadcastPlan.outputShape(a, b) else { return nil }
        let full = out.rank
        // Row-major element strides of each operand in the output's coordinates.
        var sa = InlineArray<6, Int32>(repeating: 0), sb = InlineArray<6, Int32>(repeating: 0)
        var na = 1, nb = 1
        var i = full - 1
        while i >= 0 {
            let da = a.extended(i, toRank: full), db = b.extended(i, toRank: full)
            sa[i] = da == 1 ? 0 : Int32(truncatingIfNeeded: na)
            sb[i] = db == 1 ? 0 : Int32(truncatingIfNeeded: nb)
            na &*= da
            nb &*= db
            i -= 1
        }
        // Merge from the innermost dimension outwards into a compact plan.
        var dims = InlineArray<6, Int32>(repeating: 1)
        var m1 = InlineArray<6, Int32>(repeating: 0), m2 = InlineArray<6, Int32>(repeating: 0)
        var merged = 0  // dimensions collected, innermost first
        i = full - 1
        while i >= 0 {
            let d = Int32(truncatingIfNeeded: out[i])
            if d != 1 {
                if merged > 0, sa[i] == m1[merged - 1] &* dims[merged - 1], sb[i] == m2[merged - 1] &* dims[merged - 1] {
                    dims[merged - 1] &*= d
                } else {
                    dims[merged] = d
                    m1[merged] = sa[i]
                    m2[merged] = sb[i]
                    merged += 1
                }
            }
            i -= 1
        }
        // Store outermost first.
        self.dims = InlineArray(repeating: 1)
        strides1 = InlineArray(repeating: 0)
        strides2 = InlineArray(repeating: 0)
        for k in 0..<merged {
            self.dims[k] = dims[merged - 1 - k]
            strides1[k] = m1[merged - 1 - k]
            strides2[k] = m2[merged - 1 - k]
        }
        rank = merged
        count = out.elementCount ?? 0
    }
}

/// A per-element function of a binary element-wise operator (the `binary_func` of TFLite's
/// broadcast drivers), specialized statically.
public protocol ElementwiseBinaryFunction {
    associatedtype Element
    associatedtype Params
    static func apply(_ x: Element, _ y: Element, _ p: Params) -> Element
}

/// The one loop of ADD, SUB and MUL: applies `F` at every output position of `plan`.
public enum BroadcastBinary {
    /// `output[i] = F.apply(input1[j1(i)], input2[j2(i)], params)` for every output index `i`
    /// in row-major order, `j1`/`j2` the broadcast source indices. The buffers must hold the
    /// elements the plan was made for.
    @inline(__always)
    public static func run<F: ElementwiseBinaryFunction>(
        _ f: F.Type, _ plan: BroadcastPlan, _ params: F.Params,
        _ input1: UnsafePointer<F.Element>, _ input2: UnsafePointer<F.Element>, _ output: UnsafeMutablePointer<F.Element>
    ) {
        let rank = plan.rank
        guard plan.count > 0 else { return }
        if rank == 0 {
            output[0] = F.apply(input1[0], input2[0], params)
            return
        }
        let inner = Int(plan.dims[rank - 1])
        let inner1 = plan.strides1[rank - 1], inner2 = plan.strides2[rank - 1]
        // The odometer over the outer dimensions.
        var index = InlineArray<6, Int32>(repeating: 0)
        var o1 = 0, o2 = 0, out = 0
        while true {
            let a = input1 + o1, b = input2 + o2, c = output + out
            // After merging, the innermost dimension is contiguous in at least one operand and
            // broadcast (stride 0) or contiguous in the other.
            if inner1 != 0 && inner2 != 0 {
                for j in 0..<inner { c[j] = F.apply(a[j], b[j], params) }
            } else if inner2 == 0 {
                let y = b[0]
                for j in 0..<inner { c[j] = F.apply(a[j], y, params) }
            } else {
                let x = a[0]
                for j in 0..<inner { c[j] = F.apply(x, b[j], params) }
            }
            out &+= inner
            // Advance the outer dimensions, innermost first.
            var d = rank - 2
            while d >= 0 {
                index[d] &+= 1
                o1 &+= Int(plan.strides1[d])
                o2 &+= Int(plan.strides2[d])
                if index[d] < plan.dims[d] { break }
                o1 &-= Int(plan.strides1[d]) &* Int(plan.dims[d])
                o2 &-= Int(plan.strides2[d]) &* Int(plan.dims[d])
                index[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }
}
