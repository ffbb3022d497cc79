/// The optimized int8 DEPTHWISE_CONV_2D: the same bytes as `DepthwiseConv2DReference`, from
/// loops over contiguous bytes that the compiler vectorizes, with `SIMD16<Int32>`
/// accumulators kept in registers across the window's taps. Each output row is accumulated
/// into a row of int32 in scratch and requantized in one pass. Three forms fill that row:
///
/// - stride 1, depth multiplier 1, interior columns: output bytes `o ..< o + 16` of the row
///   (any mix of pixels and channels) read input bytes `o + tapOffset ..< o + 16 + tapOffset`
///   of each tap's input row and weights `w[tap][(o + j) % C]`, which a per-eval table of
///   each tap's weights repeated (`C + 16` bytes per tap, in scratch) serves contiguously; the
///   last block of the run ends exactly at the run's end, overlapping the one before;
/// - other pixels, depth multiplier 1: blocks of 16 channels per pixel; channels left over
///   go tap by tap;
/// - depth multiplier above 1: tap by tap, each in-image tap's input pixel first spread over
///   the output channels (`x[c / m]`).
///
/// When the kernel table has `depthwisePack` and `depthwiseRow` (MoteCoreDSP's AVX2 and
/// AVX-512 variants), depth multiplier 1 with at most `maxPackedTaps` taps goes through them instead
/// (`runPacked`): the filter packed once per eval in scratch, one call per output row, and
/// `accumulatorRows` rows per requantization pass. Before that, `depthwiseImage` (AVX-512
/// VNNI) is offered the whole image, requantized in the same pass, with `imageWorkBytes` of
/// the scratch; it declines the shapes it does not take.
///
/// A tap outside the image reads a row of input zero points, contributing
/// `zeroPoint * w = -inputOffset * w`, so that adding the folded bias (`bias + inputOffset *
/// sum of all taps' weights`) leaves exactly TFLite's `bias + sum over in-image taps of
/// w * (x + inputOffset)`.
public enum DepthwiseConv2DOptimized {
    /// Bytes of the repeated-weights table: `C + 16` per tap.
    static func tableBytes(_ g: ConvGeometry) -> Int { g.filterHeight &* g.filterWidth &* (g.outputDepth &+ 16) }

    /// Largest filter (taps) the packed row kernel (`KernelTable.depthwiseRow`) takes.
    static let maxPackedTaps = 64

    /// Whether the packed row kernels apply: multiplier 1 and at most `maxPackedTaps` taps.
    static func packs(_ g: ConvGeometry) -> Bool {
        g.filterDepth == 1 && g.filterHeight &* g.filterWidth <= maxPackedTaps
    }

    /// Lanes of the packed filter's period: the channels, or 32 when they divide 32 (so that a
    /// run of whole pixels finds its weights repeated in every 32-lane block).
    static func period(channels: Int) -> Int { channels < 32 && 32 % channels == 0 ? 32 : channels }

    /// Bytes of the packed filter (`KernelTable.DepthwisePack`): per pair of taps and 32-lane
    /// block of the period, 64 int16 values.
    static func packedBytes(_ g: ConvGeometry) -> Int {
        let pairs = (g.filterHeight &* g.filterWidth &+ 1) / 2
        return pairs &* ((period(channels: g.outputDepth) &+ 31) / 32) &* 128
    }

    /// Output rows accumulated before one requantization pass: with the packed row kernel,
    /// as many as fill `Conv2DOptimized.pixelBatch` pixels (narrow rows such as kws's 5 pixels
    /// would otherwise pay a requantization set-up per row), else 1.
    static func accumulatorRows(_ g: ConvGeometry) -> Int {
        packs(g) ? max(1, min(g.outputHeight, Conv2DOptimized.pixelBatch(channels: g.outputDepth) / g.outputWidth)) : 1
    }

    /// Bytes of the padded-row ring `KernelTable.depthwiseImage` works in (mote_dsp.h's
    /// dw_image): `(filterHeight - 1) * dilationHeight + 2` rows of
    /// `max((outputWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth + 1, padLeft + inputWidth)`
    /// pixels; 0 beyond 16 rows or when the filter is not `packs`' (the function is then not offered the image).
    static func imageWorkBytes(_ g: ConvGeometry) -> Int {
        let slots = (g.filterHeight &- 1) &* g.dilationHeight &+ 2
        guard packs(g), slots <= 16 else { return 0 }
        let span = (g.outputWidth &- 1) &* g.strideWidth &+ (g.filterWidth &- 1) &* g.dilationWidth &+ 1
        return ConvKernels.scratch(slots &* max(span, g.padLeft &+ g.inputWidth), g.outputDepth) ?? 0
    }

    /// Scratch bytes `run` needs: at least `imageWorkBytes`, and the accumulator rows (`accumulatorRows`), a row of input zero points (what an
    /// out-of-image tap reads), and the largest of the repeated-weights table (stride 1), one
    /// spread input pixel (depth multiplier above 1) and the packed filter (multiplier 1).
    /// Nil for shapes beyond `ConvKernels.scratchLimit`.
    public static func scratchBytes(_ g: ConvGeometry) -> Int? {
        let pad = (g.inputDepth &+ 15) & ~15
        guard let table = ConvKernels.scratch(g.filterHeight &* g.filterWidth, g.outputDepth &+ 16) else { return nil }
        // At most 32 pairs of taps of at most 2^15 blocks (channels <= 2^20): below 2^28.
        let packed = packs(g) ? packedBytes(g) : 0
        guard let extra = ConvKernels.scratch(1, pad, plus: max(max(g.strideWidth == 1 && g.filterDepth == 1 ? table : 0, g.outputDepth), packed) &+ 16) else {
            return nil
        }
        guard let rows = ConvKernels.scratch(4 &* g.outputWidth &* accumulatorRows(g), g.outputDepth, plus: extra) else { return nil }
        return max(rows, imageWorkBytes(g))
    }

    public static func run(_ g: ConvGeometry, _ lanes: RequantizationLanes, inputOffset: Int32,
                           input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                           scratch: UnsafeMutableRawPointer) {
        let channels = g.outputDepth
        if let image = kernelTable.depthwiseImage, imageWorkBytes(g) > 0,
           runImage(g, lanes, inputOffset: inputOffset, input: input, filter: filter, output: output, scratch: scratch, image: image) {
            return
        }
        let rowBytes = g.outputWidth &* channels
        let accBytes = 4 &* rowBytes &* accumulatorRows(g)
        let acc = scratch.bindMemory(to: Int32.self, capacity: accBytes / 4)
        let padBytes = (g.inputDepth &+ 15) & ~15
        let padRow = (scratch + accBytes).bindMemory(to: Int8.self, capacity: padBytes)
        let zeroPoint = Int8(truncatingIfNeeded: 0 &- inputOffset)
        for i in 0..<padBytes { padRow[i] = zeroPoint }
        let extra = (scratch + (accBytes &+ padBytes)).bindMemory(to: Int8.self, capacity: max(tableBytes(g), channels))
        let taps = g.filterHeight &* g.filterWidth
        if packs(g), let pack = kernelTable.depthwisePack, let row = kernelTable.depthwiseRow {
            let packed = UnsafeMutableRawPointer(extra).bindMemory(to: Int16.self, capacity: packedBytes(g) / 2)
            pack(filter, taps, channels, period(channels: channels), packed)
            runPacked(g, lanes, input: input, packed: UnsafePointer(packed), padRow: UnsafePointer(padRow), row: row, acc: acc,
                      output: output)
            return
        }
        let segments = g.strideWidth == 1 && g.filterDepth == 1
        if segments {
            // Each tap's weights, then its first 16 again: `table[t * (C + 16) + i] = w[t][i % C]`.
            for t in 0..<taps {
                let w = filter + t &* channels, row = extra + t &* (channels &+ 16)
                for i in 0..<channels { row[i] = w[i] }
                for i in channels..<(channels &+ 16) { row[i] = row[i &- channels] }
            }
        }
        let (rowLo, rowHi) = g.interiorRows
        let (colLo, colHi) = g.interiorColumns
        let imageSize = g.inputHeight &* g.inputWidth &* g.inputDepth
        var out = output
        for b in 0..<g.batches {
            let image = input + b &* imageSize
            for oy in 0..<g.outputHeight {
                var lo = g.outputWidth, hi = g.outputWidth
                if segments && oy >= rowLo && oy < rowHi && (colHi &- colLo) &* channels >= 16 {
                    lo = colLo
                    hi = colHi
                    accumulateRun(g, image: image, table: UnsafePointer(extra), oy: oy, from: colLo, to: colHi, acc)
                }
                for ox in 0..<g.outputWidth where ox < lo || ox >= hi {
                    accumulatePixel(g, image: image, filter: filter, oy: oy, ox: ox, padRow: UnsafePointer(padRow),
                                    spread: g.filterDepth > 1 ? extra : nil, acc + ox &* channels)
                }
                ConvKernels.requantize(lanes, acc, accStride: channels, rows: g.outputWidth, first: 0, count: channels, out: out, outStride: channels)
                out += rowBytes
            }
        }
    }

    /// `KernelTable.depthwiseImage` on each image of the batch, the scratch as its work; false
    /// (nothing written) when it declines the shape.
    static func runImage(_ g: ConvGeometry, _ lanes: RequantizationLanes, inputOffset: Int32, input: UnsafePointer<Int8>,
                         filter: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, scratch: UnsafeMutableRawPointer,
                         image: KernelTable.DepthwiseImage) -> Bool {
        let work = scratch.bindMemory(to: Int8.self, capacity: imageWorkBytes(g))
        let imageSize = g.inputHeight &* g.inputWidth &* g.inputDepth, outputSize = g.outputHeight &* g.outputWidth &* g.outputDepth
        for b in 0..<g.batches {
            let done = image(input + b &* imageSize, g.inputHeight, g.inputWidth, g.outputDepth, g.outputHeight, g.outputWidth,
                             g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.dilationHeight, g.dilationWidth, filter,
                             g.filterHeight, g.filterWidth, 0 &- inputOffset, work, imageWorkBytes(g), output + b &* outputSize,
                             lanes.rounding, lanes.negative, lanes.rightShift, lanes.multipliers, lanes.leftShift, lanes.foldedBias,
                             lanes.outputOffset, lanes.activationMin, lanes.activationMax)
            // It declines by shape and constants alone, so on the first image or never.
            if done == 0 { return false }
        }
        return true
    }

    /// Multiplier 1 with the packed row kernel: one `row` call per output row (interior
    /// columns read in place at a fixed offset per pixel, border pixels tap by tap from the
    /// image or the pad row), `accumulatorRows` rows per requantization pass.
    static func runPacked(_ g: ConvGeometry, _ lanes: RequantizationLanes, input: UnsafePointer<Int8>, packed: UnsafePointer<Int16>,
                          padRow: UnsafePointer<Int8>, row: KernelTable.DepthwiseRow, acc: UnsafeMutablePointer<Int32>,
                          output: UnsafeMutablePointer<Int8>) {
        let channels = g.outputDepth
        let rowBytes = g.outputWidth &* channels
        let (colLo, colHi) = g.interiorColumns
        let imageSize = g.inputHeight &* g.inputWidth &* channels
        let batchRows = accumulatorRows(g)
        var out = output
        for b in 0..<g.batches {
            let image = input + b &* imageSize
            var oy = 0
            while oy < g.outputHeight {
                let rows = min(batchRows, g.outputHeight &- oy)
                for r in 0..<rows {
                    row(image, g.inputHeight, g.inputWidth, channels, (oy &+ r) &* g.strideHeight &- g.padTop, g.strideWidth, g.padLeft,
                        g.dilationHeight, g.dilationWidth, packed, g.filterHeight, g.filterWidth, padRow, g.outputWidth, colLo, colHi,
                        acc + r &* rowBytes)
                }
                ConvKernels.requantize(lanes, acc, accStride: channels, rows: rows &* g.outputWidth, first: 0, count: channels, out: out,
                                       outStride: channels)
                out += rows &* rowBytes
                oy &+= rows
            }
        }
    }

    /// Stride 1, multiplier 1, output columns `from ..< to` of row `oy`, every tap inside the
    /// image: 16-byte blocks of the output row (`(to - from) * C >= 16`).
    @inline(__always)
    static func accumulateRun(_ g: ConvGeometry, image: UnsafePointer<Int8>, table: UnsafePointer<Int8>, oy: Int, from: Int, to: Int,
                              _ acc: UnsafeMutablePointer<Int32>) {
        let channels = g.inputDepth
        let stride = channels &+ 16
        let originY = oy &* g.strideHeight &- g.padTop
        let start = from &* channels, end = to &* channels
        if let f = kernelTable.depthwiseRun {
            let first = image + ((originY &* g.inputWidth &- g.padLeft) &* channels &+ start)
            f(first, g.dilationHeight &* g.inputWidth &* channels, g.dilationWidth &* channels, g.filterHeight, g.filterWidth,
              table, channels, start, end &- start, acc + start)
            return
        }
        var o = start
        while o < end {
            if o &+ 32 <= end {
                // Two blocks per pass: twice the independent work per loop step.
                let phase0 = o % channels, phase1 = (o &+ 16) % channels
                var a = SIMD16<Int32>(), b = SIMD16<Int32>()
                var t = 0
                for ky in 0..<g.filterHeight {
                    let inputRow = image + ((originY &+ ky &* g.dilationHeight) &* g.inputWidth &- g.padLeft) &* channels
                    for kx in 0..<g.filterWidth {
                        let x = inputRow + (o &+ kx &* g.dilationWidth &* channels)
                        let w = table + t &* stride
                        a &+= ConvKernels.widen(w + phase0) &* ConvKernels.widen(x)
                        b &+= ConvKernels.widen(w + phase1) &* ConvKernels.widen(x + 16)
                        t &+= 1
                    }
                }
                ConvKernels.store(a, acc + o)
                ConvKernels.store(b, acc + (o &+ 16))
                o &+= 32
                continue
            }
            if o &+ 16 > end { o = end &- 16 }
            let phase = o % channels
            var a = SIMD16<Int32>()
            var t = 0
            for ky in 0..<g.filterHeight {
                let inputRow = image + ((originY &+ ky &* g.dilationHeight) &* g.inputWidth &- g.padLeft) &* channels
                for kx in 0..<g.filterWidth {
                    let x = inputRow + (o &+ kx &* g.dilationWidth &* channels)
                    a &+= ConvKernels.widen(table + (t &* stride &+ phase)) &* ConvKernels.widen(x)
                    t &+= 1
                }
            }
            ConvKernels.store(a, acc + o)
            o &+= 16
        }
    }

    /// One output pixel's channels, any stride, multiplier and position. An out-of-image tap
    /// reads `padRow` (input zero points), contributing `zeroPoint * w = -inputOffset * w`.
    @inline(__always)
    static func accumulatePixel(_ g: ConvGeometry, image: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, oy: Int, ox: Int,
                                padRow: UnsafePointer<Int8>, spread: UnsafeMutablePointer<Int8>?, _ acc: UnsafeMutablePointer<Int32>) {
        let channels = g.outputDepth
        let originY = oy &* g.strideHeight &- g.padTop, originX = ox &* g.strideWidth &- g.padLeft
        if let f = kernelTable.depthwisePixel {
            f(image, g.inputHeight, g.inputWidth, g.inputDepth, originY, originX, g.dilationHeight, g.dilationWidth,
              filter, g.filterHeight, g.filterWidth, channels, g.filterDepth, padRow, acc)
            return
        }
        @inline(__always) func pixel(_ ky: Int, _ kx: Int) -> UnsafePointer<Int8> {
            let iy = originY &+ ky &* g.dilationHeight, ix = originX &+ kx &* g.dilationWidth
            let inside = iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth
            return inside ? image + (iy &* g.inputWidth &+ ix) &* g.inputDepth : padRow
        }
        var first = 0
        if spread == nil {
            while first &+ 32 <= channels {
                var a = SIMD16<Int32>(), b = SIMD16<Int32>()
                for ky in 0..<g.filterHeight {
                    for kx in 0..<g.filterWidth {
                        let w = filter + ((ky &* g.filterWidth &+ kx) &* channels &+ first)
                        let x = pixel(ky, kx) + first
                        a &+= ConvKernels.widen(w) &* ConvKernels.widen(x)
                        b &+= ConvKernels.widen(w + 16) &* ConvKernels.widen(x + 16)
                    }
                }
                ConvKernels.store(a, acc + first)
                ConvKernels.store(b, acc + (first &+ 16))
                first &+= 32
            }
            while first &+ 16 <= channels {
                var a = SIMD16<Int32>()
                for ky in 0..<g.filterHeight {
                    for kx in 0..<g.filterWidth {
                        let w = filter + ((ky &* g.filterWidth &+ kx) &* channels &+ first)
                        a &+= ConvKernels.widen(w) &* ConvKernels.widen(pixel(ky, kx) + first)
                    }
                }
                ConvKernels.store(a, acc + first)
                first &+= 16
            }
            if first == channels { return }
        }
        // The channels left over, or all of them with a depth multiplier above 1.
        let count = channels &- first
        let a = acc + first
        for c in 0..<count { a[c] = 0 }
        for ky in 0..<g.filterHeight {
            for kx in 0..<g.filterWidth {
                let w = filter + ((ky &* g.filterWidth &+ kx) &* channels &+ first)
                var x = pixel(ky, kx) + first
                if let spread {
                    let m = g.filterDepth
                    for c in 0..<count { spread[c] = x[c / m] }
                    x = UnsafePointer(spread)
                }
                for c in 0..<count { a[c] &+= Int32(w[c]) &* Int32(x[c]) }
            }
        }
    }
}
