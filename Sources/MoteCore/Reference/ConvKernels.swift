/// The inner loops of the optimized CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED routines,
/// written so that the compiler vectorizes them (PERF-NOTES.md): contiguous runs, hoisted
/// base pointers, wrapping arithmetic, and accumulators that stay in registers.
///
/// Two shapes of loop, chosen by what is contiguous:
/// - dot products over a contiguous window (`dot4`, `dot2x4`): plain scalar loops, which the
///   loop vectorizer turns into vector reductions;
/// - channel blocks (`panel4`, depthwise): `SIMD16<Int32>` accumulators, one lane per output
///   channel, fed by `widen` (an element loop, which compiles to one sign-extending load;
///   the stdlib's generic SIMD conversions do not).
///
/// They accumulate pure `sum(weight * input)` products: the input offset enters through the
/// folded bias (`RequantizationLanes.foldedBias`), so every sum wraps modulo 2^32 exactly as
/// TFLite's `sum(weight * (input + offset)) + bias` does.
public enum ConvKernels {
    /// Channels per SIMD block.
    public static let lanes = 16

    /// The largest scratch buffer the optimized routines ask for; beyond it (absurd shapes)
    /// a kernel runs its reference routine, which needs none.
    public static let scratchLimit = 1 << 24

    /// `a * b + c` for scratch sizes, or nil when it overflows or exceeds `scratchLimit`.
    public static func scratch(_ a: Int, _ b: Int, plus c: Int = 0) -> Int? {
        let (p, o) = a.multipliedReportingOverflow(by: b)
        guard !o, p >= 0, c >= 0, p <= scratchLimit, c <= scratchLimit, p &+ c <= scratchLimit else { return nil }
        return p &+ c
    }

    /// 16 consecutive int8 values as int32 lanes.
    @inline(__always)
    public static func widen(_ p: UnsafePointer<Int8>) -> SIMD16<Int32> {
        var v = SIMD16<Int32>()
        for j in 0..<16 { v[j] = Int32(p[j]) }
        return v
    }

    /// Stores 16 lanes at `p` (4-byte aligned).
    @inline(__always)
    static func store(_ v: SIMD16<Int32>, _ p: UnsafeMutablePointer<Int32>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Int32>.self)
    }

    /// `out[i] = sum over k < count of x[k] * w[i * stride + k]` for `i` in `0..<4`.
    @inline(__always)
    public static func dot4(_ x: UnsafePointer<Int8>, _ w: UnsafePointer<Int8>, stride: Int, count: Int, _ out: UnsafeMutablePointer<Int32>) {
        let w0 = w, w1 = w + stride, w2 = w + 2 &* stride, w3 = w + 3 &* stride
        var a0: Int32 = 0, a1: Int32 = 0, a2: Int32 = 0, a3: Int32 = 0
        for k in 0..<count {
            let v = Int32(x[k])
            a0 &+= v &* Int32(w0[k])
            a1 &+= v &* Int32(w1[k])
            a2 &+= v &* Int32(w2[k])
            a3 &+= v &* Int32(w3[k])
        }
        out[0] = a0
        out[1] = a1
        out[2] = a2
        out[3] = a3
    }

    /// Two inputs `x`, `y` against four weight rows: `out[i]` and `out[outStride + i]`.
    @inline(__always)
    public static func dot2x4(_ x: UnsafePointer<Int8>, _ y: UnsafePointer<Int8>, _ w: UnsafePointer<Int8>, stride: Int, count: Int,
                              _ out: UnsafeMutablePointer<Int32>, outStride: Int) {
        let w0 = w, w1 = w + stride, w2 = w + 2 &* stride, w3 = w + 3 &* stride
        var a0: Int32 = 0, a1: Int32 = 0, a2: Int32 = 0, a3: Int32 = 0
        var b0: Int32 = 0, b1: Int32 = 0, b2: Int32 = 0, b3: Int32 = 0
        for k in 0..<count {
            let u = Int32(x[k]), v = Int32(y[k])
            let c0 = Int32(w0[k]), c1 = Int32(w1[k]), c2 = Int32(w2[k]), c3 = Int32(w3[k])
            a0 &+= u &* c0
            a1 &+= u &* c1
            a2 &+= u &* c2
            a3 &+= u &* c3
            b0 &+= v &* c0
            b1 &+= v &* c1
            b2 &+= v &* c2
            b3 &+= v &* c3
        }
        out[0] = a0
        out[1] = a1
        out[2] = a2
        out[3] = a3
        let o = out + outStride
        o[0] = b0
        o[1] = b1
        o[2] = b2
        o[3] = b3
    }

    /// `sum over k < count of x[k] * w[k]`.
    @inline(__always)
    public static func dot1(_ x: UnsafePointer<Int8>, _ w: UnsafePointer<Int8>, count: Int) -> Int32 {
        var a: Int32 = 0
        for k in 0..<count { a &+= Int32(x[k]) &* Int32(w[k]) }
        return a
    }

    /// `out[i] = sum over k < count of x[k] * w[i * stride + k]` for `i < n`, and with `y`
    /// (a second input) also `out[outStride + i]`.
    @inline(__always)
    public static func dotRows(_ x: UnsafePointer<Int8>, _ y: UnsafePointer<Int8>?, _ w: UnsafePointer<Int8>, stride: Int, count: Int,
                               rows n: Int, _ out: UnsafeMutablePointer<Int32>, outStride: Int) {
        if let f = kernelTable.dotRows {
            f(x, y, w, stride, count, n, out, outStride)
            return
        }
        var i = 0
        if let y {
            while i &+ 4 <= n {
                dot2x4(x, y, w + i &* stride, stride: stride, count: count, out + i, outStride: outStride)
                i &+= 4
            }
            while i < n {
                out[i] = dot1(x, w + i &* stride, count: count)
                out[outStride &+ i] = dot1(y, w + i &* stride, count: count)
                i &+= 1
            }
        } else {
            while i &+ 4 <= n {
                dot4(x, w + i &* stride, stride: stride, count: count, out + i)
                i &+= 4
            }
            while i < n {
                out[i] = dot1(x, w + i &* stride, count: count)
                i &+= 1
            }
        }
    }

    /// `lanes.requantize(acc, accStride:, rows:, first:, count:, out:, outStride:)`, through the
    /// kernel table's entry when it is set.
    @inline(__always)
    public static func requantize(_ lanes: RequantizationLanes, _ acc: UnsafePointer<Int32>, accStride: Int, rows: Int, first: Int,
                                  count: Int, out: UnsafeMutablePointer<Int8>, outStride: Int) {
        if let f = kernelTable.requantize {
            f(acc, accStride, rows, count, out, outStride, lanes.rounding + first, lanes.negative + first, lanes.rightShift + first,
              lanes.multipliers + first, lanes.leftShift + first, lanes.foldedBias + first, lanes.outputOffset,
              lanes.activationMin, lanes.activationMax)
        } else {
            lanes.requantize(acc, accStride: accStride, rows: rows, first: first, count: count, out: out, outStride: outStride)
        }
    }

    /// A run of pixels' windows as `panel4` reads them: pixel `p`'s window is `rows` runs of
    /// `run` bytes at `base + p * pixelStride + r * rowStride`, its bytes in filter order.
    public struct Windows {
        public var base: UnsafePointer<Int8>
        public var pixelStride: Int
        public var rowStride: Int
        public var rows: Int
        public var run: Int
    }

    /// Four pixels times one chunk of 16 or 32 output channels, `width` lanes of the panel
    /// (`panel[k * width + j]` for window byte `k`): `acc[p * accStride + j]`.
    @inline(__always)
    public static func panel4(_ win: Windows, panel: UnsafePointer<Int8>, width: Int, _ acc: UnsafeMutablePointer<Int32>, accStride: Int) {
        if let f = kernelTable.panel4 {
            f(win.base, win.pixelStride, win.rowStride, win.rows, win.run, panel, width, acc, accStride)
            return
        }
        if width == 32 {
            panel4x32(win, panel: panel, acc, accStride: accStride)
        } else {
            panel4x16(win, panel: panel, acc, accStride: accStride)
        }
    }

    @inline(__always)
    static func panel4x16(_ win: Windows, panel: UnsafePointer<Int8>, _ acc: UnsafeMutablePointer<Int32>, accStride: Int) {
        var a0 = SIMD16<Int32>(), a1 = SIMD16<Int32>(), a2 = SIMD16<Int32>(), a3 = SIMD16<Int32>()
        var wk = panel
        for r in 0..<win.rows {
            let s0 = win.base + r &* win.rowStride
            let s1 = s0 + win.pixelStride, s2 = s0 + 2 &* win.pixelStride, s3 = s0 + 3 &* win.pixelStride
            for i in 0..<win.run {
                let w = widen(wk)
                a0 &+= w &* SIMD16(repeating: Int32(s0[i]))
                a1 &+= w &* SIMD16(repeating: Int32(s1[i]))
                a2 &+= w &* SIMD16(repeating: Int32(s2[i]))
                a3 &+= w &* SIMD16(repeating: Int32(s3[i]))
                wk += 16
            }
        }
        store(a0, acc)
        store(a1, acc + accStride)
        store(a2, acc + 2 &* accStride)
        store(a3, acc + 3 &* accStride)
    }

    @inline(__always)
    static func panel4x32(_ win: Windows, panel: UnsafePointer<Int8>, _ acc: UnsafeMutablePointer<Int32>, accStride: Int) {
        var a0 = SIMD16<Int32>(), a1 = SIMD16<Int32>(), a2 = SIMD16<Int32>(), a3 = SIMD16<Int32>()
        var b0 = SIMD16<Int32>(), b1 = SIMD16<Int32>(), b2 = SIMD16<Int32>(), b3 = SIMD16<Int32>()
        var wk = panel
        for r in 0..<win.rows {
            let s0 = win.base + r &* win.rowStride
            let s1 = s0 + win.pixelStride, s2 = s0 + 2 &* win.pixelStride, s3 = s0 + 3 &* win.pixelStride
            for i in 0..<win.run {
                let w = widen(wk), v = widen(wk + 16)
                let x0 = SIMD16(repeating: Int32(s0[i])), x1 = SIMD16(repeating: Int32(s1[i]))
                let x2 = SIMD16(repeating: Int32(s2[i])), x3 = SIMD16(repeating: Int32(s3[i]))
                a0 &+= w &* x0
                a1 &+= w &* x1
                a2 &+= w &* x2
                a3 &+= w &* x3
                b0 &+= v &* x0
                b1 &+= v &* x1
                b2 &+= v &* x2
                b3 &+= v &* x3
                wk += 32
            }
        }
        store(a0, acc)
        store(b0, acc + 16)
        store(a1, acc + accStride)
        store(b1, acc + (accStride &+ 16))
        store(a2, acc + 2 &* accStride)
        store(b2, acc + (2 &* accStride &+ 16))
        store(a3, acc + 3 &* accStride)
        store(b3, acc + (3 &* accStride &+ 16))
    }

    /// Copies the window of output pixel `(oy, ox)` over input channels
    /// `channelBase ..< channelBase + depth` into `patch`, in filter order
    /// (`filterHeight * filterWidth * depth` bytes); taps outside the image get `padValue`
    /// (the input zero point, whose folded contribution is exactly zero).
    ///
    /// Shallow inputs (fewer than 16 channels, all of them) without dilation across columns go
    /// row by row: a filter row's in-image taps are one contiguous run of the input row, copied
    /// at once, with the pad values before and after it (a row outside the image is all pad),
    /// instead of a bounds check and a copy of a few bytes per tap. Deeper inputs keep the copy
    /// per tap, whose whole-vector stores the dot kernels' loads that follow are forwarded
    /// from (a long run copied byte-wise slowed `dot_rows` on the seed model by 8%).
    @inline(__always)
    public static func im2col(_ g: ConvGeometry, image: UnsafePointer<Int8>, oy: Int, ox: Int, channelBase: Int, depth: Int,
                              padValue: Int8, patch: UnsafeMutablePointer<Int8>) {
        let originY = oy &* g.strideHeight &- g.padTop, originX = ox &* g.strideWidth &- g.padLeft
        let rowBytes = g.filterWidth &* depth
        if g.dilationWidth == 1 && depth == g.inputDepth && depth < 16 {
            // The filter columns inside the image: kx in lo ..< hi.
            let lo = min(max(0 &- originX, 0), g.filterWidth), hi = max(min(g.inputWidth &- originX, g.filterWidth), lo)
            let before = lo &* depth, inside = (hi &- lo) &* depth
            var p = patch
            for ky in 0..<g.filterHeight {
                let iy = originY &+ ky &* g.dilationHeight
                if iy >= 0 && iy < g.inputHeight {
                    let src = image + ((iy &* g.inputWidth &+ originX &+ lo) &* depth)
                    for i in 0..<before { p[i] = padValue }
                    for i in 0..<inside { p[before &+ i] = src[i] }
                    for i in (before &+ inside)..<rowBytes { p[i] = padValue }
                } else {
                    for i in 0..<rowBytes { p[i] = padValue }
                }
                p += rowBytes
            }
            return
        }
        var p = patch
        for ky in 0..<g.filterHeight {
            let iy = originY &+ ky &* g.dilationHeight
            let rowInside = iy >= 0 && iy < g.inputHeight
            for kx in 0..<g.filterWidth {
                let ix = originX &+ kx &* g.dilationWidth
                if rowInside && ix >= 0 && ix < g.inputWidth {
                    let src = image + ((iy &* g.inputWidth &+ ix) &* g.inputDepth &+ channelBase)
                    for i in 0..<depth { p[i] = src[i] }
                } else {
                    for i in 0..<depth { p[i] = padValue }
                }
                p += depth
            }
        }
    }
}
