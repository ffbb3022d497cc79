/// The optimized int8 CONV_2D: the same bytes as `Conv2DReference`, from loops the compiler
/// vectorizes. Two inner forms:
///
/// - panel (filters up to `panelBudget` bytes, no groups): prepare repacks the weights once
///   into chunks of 16 or 32 output channels (`[chunk][k][lane]`, zero-padded), so the inner
///   loop broadcasts one input byte against a contiguous run of weights, with 4 pixels x 16
///   or 32 channels of accumulators in registers (`ConvKernels.panel4`); interior pixels read
///   the input rows in place, border pixels are gathered first; a 1x1 stride-1 conv runs all
///   its pixels as one sequence;
/// - dot (larger filters, grouped convs): each pixel's window is gathered (im2col) into
///   scratch and dotted with the filter rows as they are stored (OHWI), two pixels and four
///   output channels per pass; a 1x1 conv reads its input pixels in place (a GEMM).
///
/// Out-of-image taps are gathered as the input zero point, which contributes exactly nothing
/// once the folded bias (`bias + inputOffset * sum(weights)`) is added; requantization runs
/// over rows of accumulators (`RequantizationLanes`).
public enum Conv2DOptimized {
    /// Largest repacked filter, in bytes of persistent memory, that the panel form uses: the
    /// small-depth layers where dot products are too short to vectorize well fit (the first
    /// convs, 1x1 convs up to 64 x 128); larger layers keep their weights where they are
    /// (flash on a microcontroller) and take the dot form, which their long windows suit.
    ///
    /// 8 KB on 32-bit targets (microcontrollers: about 16 KB of arena on MobileNetV1-0.25, vww,
    /// 19 KB on the DS-CNN, kws). 20 KB on 64-bit ones (hosts, Linux boards), where RAM is
    /// plentiful: the panel's four pixels x 32 channels of accumulators beat the dot form's two
    /// pixels x four rows also on 3x3x32 windows (peer_seed_64's third conv, 18 KB: 0.139 to
    /// 0.127 ms per inference) and on 1x1 128 -> 128 convs (vww: 0.232 to 0.219 ms), for
    /// 18 KB more arena on the seed model and 82 KB more on vww; 32 KB and 64 KB budgets gained
    /// nothing more (bench/NOTES.md).
    #if _pointerBitWidth(_64)
    public static let panelBudget = 20480
    #else
    public static let panelBudget = 8192
    #endif

    /// Pixels whose accumulators are requantized together: a multiple of 4 with at most 8 KB
    /// of accumulators (one requantization pass per batch amortizes its set-up).
    public static func pixelBatch(channels: Int) -> Int {
        max(4, min(32, 2048 / max(channels, 1)) & ~3)
    }

    /// Output channels after padding each chunk to 16 or 32 lanes.
    public static func paddedDepth(_ outputDepth: Int) -> Int {
        var remaining = outputDepth, total = 0
        while remaining > 0 {
            let width = remaining > 16 ? 32 : 16
            total &+= width
            remaining &-= width
        }
        return total
    }

    /// Window rows a panel chunk holds: `k` rounded up to a multiple of 4, so that a kernel
    /// table's `panelPack` can lay the window out in 4-byte groups, and 4 rows more, where it
    /// may keep values derived from the weights once at prepare (the AVX-512 layout: each
    /// lane's weight sum). The Swift layout leaves the extra rows 0 and never reads them. A
    /// chunk of `width` lanes is `width * paddedWindow(k)` bytes.
    public static func paddedWindow(_ k: Int) -> Int {
        ((k &+ 3) & ~3) &+ 4
    }

    /// Bytes of the repacked filter for the panel form, or 0 when the dot form is used.
    public static func panelBytes(windowBytes k: Int, outputDepth: Int, groups: Int) -> Int {
        guard groups == 1, k >= 1, k <= KernelTable.panelPackWindow, outputDepth >= 1, outputDepth <= panelBudget else { return 0 }
        let bytes = paddedDepth(outputDepth) &* paddedWindow(k)
        return bytes <= panelBudget ? bytes : 0
    }

    /// Repacks an OHWI filter (`outputDepth` rows of `k` bytes, `panelBytes` of them) into
    /// panel chunks: with the installed kernel table's `panelPack` when it has one (its
    /// `panel4` reads that layout), else `[chunk][k][lane]`, chunks `width * paddedWindow(k)`
    /// bytes apart.
    public static func pack(_ filter: UnsafePointer<Int8>, windowBytes k: Int, outputDepth: Int, into panel: UnsafeMutablePointer<Int8>) {
        if let f = kernelTable.panelPack {
            f(filter, k, outputDepth, panel)
            return
        }
        let kp = paddedWindow(k)
        var first = 0
        var p = panel
        while first < outputDepth {
            let width = outputDepth &- first > 16 ? 32 : 16
            for i in 0..<kp {
                for j in 0..<width {
                    let c = first &+ j
                    p[i &* width &+ j] = c < outputDepth && i < k ? filter[c &* k &+ i] : 0
                }
            }
            p += width &* kp
            first &+= width
        }
    }

    /// How `scratchBytes` lays out a form's scratch: the Int32 accumulators of `batch` pixels
    /// of `channels` lanes each, then `patches` gathered windows of `patchStride` bytes, then
    /// (the column form) the padded image at `rest`.
    struct ScratchLayout {
        let channels: Int
        let batch: Int
        let patchStride: Int
        let acc: UnsafeMutablePointer<Int32>
        let patches: UnsafeMutablePointer<Int8>
        let rest: UnsafeMutableRawPointer

        @inline(__always)
        init(_ scratch: UnsafeMutableRawPointer, channels: Int, windowBytes k: Int, patches count: Int) {
            self.channels = channels
            batch = pixelBatch(channels: channels)
            patchStride = (k &+ 15) & ~15
            acc = scratch.bindMemory(to: Int32.self, capacity: batch &* channels)
            let start = scratch + 4 &* batch &* channels
            patches = start.bindMemory(to: Int8.self, capacity: count &* patchStride)
            rest = start + count &* patchStride
        }
    }

    /// Scratch bytes `run` needs (nil for shapes beyond `ConvKernels.scratchLimit`), laid out
    /// as `ScratchLayout` says: the accumulator batch, the patches (four for the panel forms,
    /// two for the dot form), and for `runColumns` the padded image.
    public static func scratchBytes(_ g: ConvGeometry, panel: Bool) -> Int? {
        let k = g.filterHeight &* g.filterWidth &* g.filterDepth
        let channels = panel ? paddedDepth(g.outputDepth) : g.outputDepth
        guard let patches = ConvKernels.scratch(panel ? 4 : 2, (k &+ 15) & ~15, plus: panel ? paddedImageBytes(g) : 0) else { return nil }
        return ConvKernels.scratch(4 &* pixelBatch(channels: channels), channels, plus: patches)
    }

    /// Every output pixel's window lies inside the image, rows read in place (`runPanel` then
    /// needs no gathering).
    static func allInside(_ g: ConvGeometry) -> Bool {
        let (rowLo, rowHi) = g.interiorRows, (colLo, colHi) = g.interiorColumns
        return rowLo == 0 && rowHi == g.outputHeight && colLo == 0 && colHi == g.outputWidth && g.dilationWidth == 1
    }

    /// Whether `run` with a panel needs no scratch beyond the lane constants: the kernel
    /// table's `panelRunRequantize` does a 1x1 stride-1 conv, or one whose windows are all
    /// inside the image (and that the column form does not take), in one pass into the output.
    public static func panelNeedsNoScratch(_ g: ConvGeometry) -> Bool {
        guard kernelTable.panelRunRequantize != nil else { return false }
        if g.filterHeight == 1 && g.filterWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1 { return true }
        return paddedImageBytes(g) == 0 && allInside(g)
    }

    /// Runs the convolution (see `Conv2DReference.run` for the semantics); `panel` is the
    /// repacked filter when `panelBytes` is not 0, and `scratch` holds `scratchBytes`.
    public static func run(_ g: ConvGeometry, _ lanes: RequantizationLanes, inputOffset: Int32, panel: UnsafePointer<Int8>?,
                           input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                           scratch: UnsafeMutableRawPointer) {
        if let panel {
            if g.filterHeight == 1 && g.filterWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1 {
                runPointwise(g, lanes, panel: panel, input: input, output: output, scratch: scratch)
            } else if paddedImageBytes(g) > 0 {
                runColumns(g, lanes, inputOffset: inputOffset, panel: panel, input: input, output: output, scratch: scratch)
            } else {
                runPanel(g, lanes, inputOffset: inputOffset, panel: panel, input: input, output: output, scratch: scratch)
            }
        } else {
            runDot(g, lanes, inputOffset: inputOffset, input: input, filter: filter, output: output, scratch: scratch)
        }
    }

    /// A 1x1 stride-1 conv with a panel: every pixel of every image in one sequence (input
    /// and output pixels are contiguous): one `panelRunRequantize` call when the kernel table
    /// has it, else a batch of pixels per `accumulateRun` and `requantize`.
    static func runPointwise(_ g: ConvGeometry, _ lanes: RequantizationLanes, panel: UnsafePointer<Int8>,
                             input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, scratch: UnsafeMutableRawPointer) {
        let depth = g.inputDepth
        let total = g.batches &* g.outputHeight &* g.outputWidth
        if let f = kernelTable.panelRunRequantize {
            f(input, depth, depth, 1, depth, total, total, 0, panel, g.outputDepth, output, g.outputDepth, lanes.rounding, lanes.negative,
              lanes.rightShift, lanes.multipliers, lanes.leftShift, lanes.foldedBias, lanes.outputOffset, lanes.activationMin,
              lanes.activationMax)
            return
        }
        let s = ScratchLayout(scratch, channels: paddedDepth(g.outputDepth), windowBytes: depth, patches: 4)
        let padded = s.channels, batch = s.batch, acc = s.acc
        var start = 0
        while start < total {
            let count = min(batch, total &- start)
            let win = ConvKernels.Windows(base: input + start &* depth, pixelStride: depth, rowStride: depth, rows: 1, run: depth)
            accumulateRun(win, pixels: count, panel: panel, windowBytes: depth, outputDepth: g.outputDepth, acc, accStride: padded)
            ConvKernels.requantize(lanes, acc, accStride: padded, rows: count, first: 0, count: g.outputDepth,
                             out: output + start &* g.outputDepth, outStride: g.outputDepth)
            start &+= count
        }
    }

    /// Four pixels' accumulators for every output channel, chunk by chunk of the panel.
    @inline(__always)
    static func accumulatePanels(_ win: ConvKernels.Windows, panel: UnsafePointer<Int8>, windowBytes k: Int, outputDepth: Int,
                                 _ acc: UnsafeMutablePointer<Int32>, accStride: Int) {
        var first = 0
        var chunk = panel
        while first < outputDepth {
            let width = outputDepth &- first > 16 ? 32 : 16
            ConvKernels.panel4(win, panel: chunk, width: width, acc + first, accStride: accStride)
            chunk += width &* paddedWindow(k)
            first &+= width
        }
    }

    /// `pixels` pixels' accumulators (pixel `p`'s window at `win.base + p * win.pixelStride`)
    /// for every output channel: the kernel table's `panelRun` in one call when it has one,
    /// else four pixels at a time, a last partial group ending at the last pixel (overlapping
    /// the one before: the same sums written again), or one pixel at a time when there are
    /// fewer than four. Reads only those pixels' windows.
    @inline(__always)
    static func accumulateRun(_ win: ConvKernels.Windows, pixels: Int, panel: UnsafePointer<Int8>, windowBytes k: Int, outputDepth: Int,
                              _ acc: UnsafeMutablePointer<Int32>, accStride: Int) {
        if let f = kernelTable.panelRun {
            f(win.base, win.pixelStride, win.rowStride, win.rows, win.run, pixels, panel, outputDepth, acc, accStride)
            return
        }
        if pixels < 4 {
            for p in 0..<pixels {
                var one = win
                one.base = win.base + p &* win.pixelStride
                one.pixelStride = 0
                accumulatePanels(one, panel: panel, windowBytes: k, outputDepth: outputDepth, acc + p &* accStride, accStride: 0)
            }
            return
        }
        var p = 0
        while p < pixels {
            let q = min(p, pixels &- 4)
            var four = win
            four.base = win.base + q &* win.pixelStride
            accumulatePanels(four, panel: panel, windowBytes: k, outputDepth: outputDepth, acc + q &* accStride, accStride: accStride)
            p &+= 4
        }
    }

    static func runPanel(_ g: ConvGeometry, _ lanes: RequantizationLanes, inputOffset: Int32, panel: UnsafePointer<Int8>,
                         input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, scratch: UnsafeMutableRawPointer) {
        let depth = g.inputDepth
        let k = g.filterHeight &* g.filterWidth &* depth
        let imageSize = g.inputHeight &* g.inputWidth &* depth
        let inputRow = g.inputWidth &* depth
        let perImage = g.outputHeight &* g.outputWidth
        let fused = kernelTable.panelRunRequantize
        if let f = fused, allInside(g) {
            // Every window inside its image (VALID padding, or none needed): each image's pixels
            // in one call, groups running on across output rows; no scratch.
            for b in 0..<g.batches {
                let origin = input + (b &* imageSize &- g.padTop &* inputRow &- g.padLeft &* depth)
                f(origin, g.strideWidth &* depth, g.dilationHeight &* inputRow, g.filterHeight, g.filterWidth &* depth, perImage,
                  g.outputWidth, g.strideHeight &* inputRow, panel, g.outputDepth, output + b &* perImage &* g.outputDepth,
                  g.outputDepth, lanes.rounding, lanes.negative, lanes.rightShift, lanes.multipliers, lanes.leftShift,
                  lanes.foldedBias, lanes.outputOffset, lanes.activationMin, lanes.activationMax)
            }
            return
        }
        let s = ScratchLayout(scratch, channels: paddedDepth(g.outputDepth), windowBytes: k, patches: 4)
        let padded = s.channels, batch = s.batch, acc = s.acc, patchStride = s.patchStride, patches = s.patches
        let gathered = ConvKernels.Windows(base: UnsafePointer(patches), pixelStride: patchStride, rowStride: k, rows: 1, run: k)
        let padValue = Int8(truncatingIfNeeded: 0 &- inputOffset)
        let (rowLo, rowHi) = g.interiorRows
        let (colLo, colHi) = g.interiorColumns
        let total = g.batches &* perImage
        // Output pixel p of the sequence over images and rows: (image, row, column).
        @inline(__always) func locate(_ p: Int) -> (Int, Int, Int) {
            let b = p / perImage, rest = p &- b &* perImage
            let oy = rest / g.outputWidth
            return (b, oy, rest &- oy &* g.outputWidth)
        }
        // Whether the pixel's window is inside the image (read in place), as a run of them.
        @inline(__always) func inside(_ oy: Int, _ ox: Int) -> Bool {
            oy >= rowLo && oy < rowHi && ox >= colLo && ox < colHi && g.dilationWidth == 1
        }
        // A batch at a time: each row's run of interior pixels read in place by one
        // `accumulateRun`, the other pixels gathered, up to four (across rows) per call. With
        // the kernel table's `panelRunRequantize` the interior runs are requantized in the same
        // call and the gathered pixels right after theirs, so the batch needs no pass of its own.
        // Rows first ..< first + rows of the batch at pixel `start` (passed, not captured: a
        // captured var would be boxed, an allocation the embedded build rejects).
        @inline(__always) func requantize(_ start: Int, _ first: Int, _ rows: Int) {
            ConvKernels.requantize(lanes, acc + first &* padded, accStride: padded, rows: rows, first: 0, count: g.outputDepth,
                                   out: output + (start &+ first) &* g.outputDepth, outStride: g.outputDepth)
        }
        var start = 0
        while start < total {
            let count = min(batch, total &- start)
            var j = 0
            while j < count {
                let (b, oy, ox) = locate(start &+ j)
                if inside(oy, ox) {
                    let n = min(count &- j, colHi &- ox)
                    let iy = oy &* g.strideHeight &- g.padTop, ix = ox &* g.strideWidth &- g.padLeft
                    let win = ConvKernels.Windows(base: input + (b &* imageSize &+ iy &* inputRow &+ ix &* depth),
                                                  pixelStride: g.strideWidth &* depth, rowStride: g.dilationHeight &* inputRow,
                                                  rows: g.filterHeight, run: g.filterWidth &* depth)
                    if let f = fused {
                        f(win.base, win.pixelStride, win.rowStride, win.rows, win.run, n, n, 0, panel, g.outputDepth,
                          output + (start &+ j) &* g.outputDepth, g.outputDepth, lanes.rounding, lanes.negative, lanes.rightShift,
                          lanes.multipliers, lanes.leftShift, lanes.foldedBias, lanes.outputOffset, lanes.activationMin,
                          lanes.activationMax)
                    } else {
                        accumulateRun(win, pixels: n, panel: panel, windowBytes: k, outputDepth: g.outputDepth, acc + j &* padded,
                                      accStride: padded)
                    }
                    j &+= n
                    continue
                }
                var n = 0
                while n < 4 && j &+ n < count {
                    let (bq, yq, xq) = n == 0 ? (b, oy, ox) : locate(start &+ j &+ n)
                    if n > 0 && inside(yq, xq) { break }
                    ConvKernels.im2col(g, image: input + bq &* imageSize, oy: yq, ox: xq, channelBase: 0, depth: depth,
                                       padValue: padValue, patch: patches + n &* patchStride)
                    n &+= 1
                }
                accumulateRun(gathered, pixels: n, panel: panel, windowBytes: k, outputDepth: g.outputDepth, acc + j &* padded, accStride: padded)
                if fused != nil { requantize(start, j, n) }
                j &+= n
            }
            if fused == nil { requantize(start, 0, count) }
            start &+= count
        }
    }

    static func runDot(_ g: ConvGeometry, _ lanes: RequantizationLanes, inputOffset: Int32,
                       input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                       scratch: UnsafeMutableRawPointer) {
        let groups = g.inputDepth / g.filterDepth
        let perGroup = g.outputDepth / groups
        let k = g.filterHeight &* g.filterWidth &* g.filterDepth
        let depth = g.outputDepth
        let s = ScratchLayout(scratch, channels: depth, windowBytes: k, patches: 2)
        let batch = s.batch, acc = s.acc, patchStride = s.patchStride, patches = s.patches
        let padValue = Int8(truncatingIfNeeded: 0 &- inputOffset)
        // A 1x1 conv without groups has no padding (SAME gives none for a 1x1 window) and
        // reads each input pixel in place.
        let inPlace = g.filterHeight == 1 && g.filterWidth == 1 && groups == 1
        let imageSize = g.inputHeight &* g.inputWidth &* g.inputDepth
        let perImage = g.outputHeight &* g.outputWidth
        let total = g.batches &* perImage
        // The window of pixel `p` of the flat sequence for group `grp`, gathered into `patch`
        // unless it can be read in place.
        @inline(__always) func window(_ p: Int, _ grp: Int, _ patch: UnsafeMutablePointer<Int8>) -> UnsafePointer<Int8> {
            let b = p / perImage, oy = (p &- b &* perImage) / g.outputWidth
            let ox = p &- b &* perImage &- oy &* g.outputWidth
            let image = input + b &* imageSize
            if inPlace {
                return image + ((oy &* g.strideHeight &* g.inputWidth &+ ox &* g.strideWidth) &* g.inputDepth)
            }
            ConvKernels.im2col(g, image: image, oy: oy, ox: ox, channelBase: grp &* g.filterDepth, depth: g.filterDepth,
                               padValue: padValue, patch: patch)
            return UnsafePointer(patch)
        }
        var start = 0
        while start < total {
            let count = min(batch, total &- start)
            var j = 0
            while j < count {
                let pair = j &+ 1 < count
                for grp in 0..<groups {
                    let x = window(start &+ j, grp, patches)
                    let y: UnsafePointer<Int8>? = pair ? window(start &+ j &+ 1, grp, patches + patchStride) : nil
                    let first = grp &* perGroup
                    ConvKernels.dotRows(x, y, filter + first &* k, stride: k, count: k, rows: perGroup,
                                        acc + (j &* depth &+ first), outStride: depth)
                }
                j &+= pair ? 2 : 1
            }
            ConvKernels.requantize(lanes, acc, accStride: depth, rows: count, first: 0, count: depth, out: output + start &* depth, outStride: depth)
            start &+= count
        }
    }
}
