/// STRIDED_SLICE as TFLite 2.21 computes it (`strided_slice.cc` `BuildStridedSliceParams`,
/// `strided_slice_logic.h` `StridedSliceStartForAxis`/`StridedSliceEndForAxis`,
/// `reference_ops::StridedSlice`).
///
/// The masks are resolved once into an "effective" index space: the ellipsis expands to the
/// dimensions the begin/end/strides vectors do not name, each `new_axis_mask` bit outside the
/// ellipsis inserts a dimension of size 1, and dimensions past the vectors take their full
/// range. Per effective dimension of size `n`, with begin `b`, end `e` and stride `s != 0`:
/// - start: `b + n` if `b < 0`; clamped to `[0, n]` (`s > 0`) or `[-1, n - 1]` (`s < 0`);
///   `begin_mask` makes it `0` (`s > 0`) or `n - 1` (`s < 0`), after the clamp;
/// - stop: with `shrink_axis_mask` `start + 1` (or `start` when `start >= n`); otherwise
///   `e` (plus start when `offset`), `+ n` if negative, clamped like start; `end_mask` makes
///   it `n` (`s > 0`) or `-1` (`s < 0`);
/// - the positions `start, start + s, ...` strictly before stop (in the stride's direction).
/// The output is every combination in row-major order; shrunk dimensions are dropped from
/// its shape.
public struct StridedSlicePlan {
    /// Sources of an effective dimension's range.
    static let fullRange: Int32 = -1
    static let newAxis: Int32 = -2

    /// The number of effective dimensions.
    public private(set) var rank: Int
    /// The effective input shape (1 for inserted axes).
    var dims: InlineArray<6, Int32>
    /// Per effective dimension: the begin/end/strides element it reads, or `fullRange`, `newAxis`.
    var source: InlineArray<6, Int32>
    /// Effective-dimension bit masks.
    var beginMask: Int32
    var endMask: Int32
    var shrinkMask: Int32
    var offset: Bool

    /// Resolves the masks for an input of shape `input` and begin/end/strides vectors of
    /// `count` elements. Nil when the effective rank exceeds 6 or the masks make the mapping
    /// reach outside the input's dimensions or the vectors.
    public init?(input: TensorShape, count: Int, beginMask: Int32, endMask: Int32, ellipsisMask: Int32,
                 newAxisMask: Int32, shrinkAxisMask: Int32, offset: Bool) {
        guard count >= 0, count <= 32 else { return nil }
        let inputRank = input.rank
        var addedAxes = 0
        for i in 0..<count where (ellipsisMask >> Int32(i)) & 1 == 0 && (newAxisMask >> Int32(i)) & 1 != 0 { addedAxes += 1 }
        let effective = inputRank + addedAxes
        guard effective <= TensorShape.maxRank else { return nil }

        // Which effective dimensions the ellipsis covers, and which are new axes.
        var ellipsisBits = 0, newAxisBits = 0
        var ellipsisStart = effective, expanded = 0
        var i = 0
        while i < effective {
            if (Int(ellipsisMask) >> i) & 1 != 0 {
                ellipsisStart = i
                let end = max(i + 1, min(i + 1 + addedAxes + inputRank - count, effective))
                expanded = end - ellipsisStart - 1
                while i < end {
                    ellipsisBits |= 1 << i
                    i += 1
                }
                continue
            }
            if (Int(newAxisMask) >> (i - expanded)) & 1 != 0 { newAxisBits |= 1 << i }
            i += 1
        }

        rank = effective
        dims = InlineArray(repeating: 1)
        source = InlineArray(repeating: StridedSlicePlan.fullRange)
        self.beginMask = 0
        self.endMask = 0
        shrinkMask = 0
        self.offset = offset
        var addedEllipsis = 0, inserted = 0
        for i in 0..<effective {
            let bit: Int32 = 1 << Int32(i)
            if (ellipsisBits >> i) & 1 != 0 {
                addedEllipsis = max(0, i - ellipsisStart)
            } else if (newAxisBits >> i) & 1 != 0 {
                source[i] = StridedSlicePlan.newAxis
                inserted += 1
                continue
            } else if i < count + expanded {
                let orig = i - addedEllipsis
                guard orig >= 0, orig < count else { return nil }
                source[i] = Int32(truncatingIfNeeded: orig)
                let origBit: Int32 = 1 << Int32(orig)
                if beginMask & origBit != 0 { self.beginMask |= bit }
                if endMask & origBit != 0 { self.endMask |= bit }
                if shrinkAxisMask & origBit != 0 { shrinkMask |= bit }
            }
            let d = i - inserted
            guard d >= 0, d < inputRank else { return nil }
            dims[i] = Int32(truncatingIfNeeded: input[d])
        }
        // Every effective dimension but the inserted ones consumes one input dimension.
        guard effective - inserted == inputRank else { return nil }
    }

    /// Whether effective dimension `i` is shrunk (dropped from the output shape).
    public func isShrunk(_ i: Int) -> Bool { (shrinkMask >> Int32(i)) & 1 != 0 }

    /// The output rank: effective dimensions that are not shrunk.
    public var outputRank: Int {
        var n = 0
        for i in 0..<rank where !isShrunk(i) { n += 1 }
        return n
    }

    /// Start, stop and stride of effective dimension `i` for the int32 vectors `begin`,
    /// `end`, `strides` (read unaligned). The stride is 0 only when the strides vector says so.
    public func range(_ i: Int, begin: UnsafeRawPointer, end: UnsafeRawPointer, strides: UnsafeRawPointer) -> (start: Int32, stop: Int32, stride: Int32) {
        let n = dims[i]
        let src = source[i]
        var b: Int32 = 0, e: Int32 = 0, s: Int32 = 1
        var masked = src == StridedSlicePlan.fullRange
        if src == StridedSlicePlan.newAxis {
            e = 1
        } else if src >= 0 {
            b = begin.loadUnaligned(fromByteOffset: 4 &* Int(src), as: Int32.self)
            e = end.loadUnaligned(fromByteOffset: 4 &* Int(src), as: Int32.self)
            s = strides.loadUnaligned(fromByteOffset: 4 &* Int(src), as: Int32.self)
            masked = false
        }
        let bit: Int32 = 1 << Int32(i)
        let beginMasked = masked || beginMask & bit != 0
        let endMasked = masked || endMask & bit != 0

        var start = b
        if start < 0 { start &+= n }
        start = s > 0 ? StridedSlicePlan.clamp(start, 0, n) : StridedSlicePlan.clamp(start, -1, n &- 1)
        if beginMasked { start = s > 0 ? 0 : n &- 1 }

        if shrinkMask & bit != 0 { return (start, start >= n ? start : start &+ 1, s) }
        var stop = e
        if offset { stop &+= start }
        if stop < 0 { stop &+= n }
        stop = s > 0 ? StridedSlicePlan.clamp(stop, 0, n) : StridedSlicePlan.clamp(stop, -1, n &- 1)
        if endMasked { stop = s > 0 ? n : -1 }
        return (start, stop, s)
    }

    /// TFLite's `strided_slice::Clamp`: `hi` wins when `v > hi`, then `lo` when `v < lo`.
    @inline(__always)
    static func clamp(_ v: Int32, _ lo: Int32, _ hi: Int32) -> Int32 {
        hi < v ? hi : (v < lo ? lo : v)
    }

    /// The number of positions of a range: `ceil((stop - start) / stride)`, at least 0.
    public static func count(start: Int32, stop: Int32, stride: Int32) -> Int {
        if stride > 0 {
            guard stop > start else { return 0 }
            return Int((UInt32(bitPattern: stop &- start) &- 1) / stride.magnitude) &+ 1
        }
        if stride < 0 {
            guard start > stop else { return 0 }
            return Int((UInt32(bitPattern: start &- stop) &- 1) / stride.magnitude) &+ 1
        }
        return 0
    }

    /// Copies the slice from `input` to `output`, writing at most `capacity` elements of
    /// `elementSize` bytes (1, 2, 4 or 8) in row-major order. A zero stride writes nothing.
    public func run(begin: UnsafeRawPointer, end: UnsafeRawPointer, strides: UnsafeRawPointer,
                    _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, capacity: Int, elementSize: Int) {
        switch elementSize {
        case 1: gather(UInt8.self, begin, end, strides, input, output, capacity)
        case 2: gather(UInt16.self, begin, end, strides, input, output, capacity)
        case 4: gather(UInt32.self, begin, end, strides, input, output, capacity)
        case 8: gather(UInt64.self, begin, end, strides, input, output, capacity)
        default: return
        }
    }

    func gather<T: BitwiseCopyable>(_: T.Type, _ begin: UnsafeRawPointer, _ end: UnsafeRawPointer, _ strides: UnsafeRawPointer,
                                    _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, _ capacity: Int) {
        guard rank > 0 else {
            if capacity > 0 { output.storeBytes(of: input.loadUnaligned(as: T.self), as: T.self) }
            return
        }
        // Per dimension: the first position's element offset, the offset step, the count.
        var first = InlineArray<6, Int>(repeating: 0), step = InlineArray<6, Int>(repeating: 0), counts = InlineArray<6, Int>(repeating: 0)
        var elementStride = 1
        var base = 0
        var d = rank - 1
        while d >= 0 {
            let r = range(d, begin: begin, end: end, strides: strides)
            guard r.stride != 0 else { return }
            counts[d] = StridedSlicePlan.count(start: r.start, stop: r.stop, stride: r.stride)
            if counts[d] == 0 { return }
            first[d] = Int(r.start) &* elementStride
            step[d] = Int(r.stride) &* elementStride
            base &+= first[d]
            elementStride &*= Int(dims[d])
            d -= 1
        }
        let size = MemoryLayout<T>.stride
        var index = InlineArray<6, Int>(repeating: 0)
        var offset = base, written = 0
        let last = rank - 1
        while written < capacity {
            output.storeBytes(of: input.loadUnaligned(fromByteOffset: offset &* size, as: T.self), toByteOffset: written &* size, as: T.self)
            written &+= 1
            // Advance the odometer, innermost dimension first.
            var k = last
            while k >= 0 {
                index[k] &+= 1
                offset &+= step[k]
                if index[k] < counts[k] { break }
                offset &-= step[k] &* counts[k]
                index[k] = 0
                k -= 1
            }
            if k < 0 { return }
        }
    }
}
