/// Optional replacements for the int8 inner loops of the optimized CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED, MAX_POOL_2D and AVERAGE_POOL_2D routines, as TFLite Micro's CMSIS-NN kernels replace its reference
/// ones: a module beside the core (MoteCoreDSP, over the C target CMoteDSP) fills the table
/// with functions written for the running CPU's instruction set, and each primitive calls its
/// table entry when it is set, else its own Swift loop.
///
/// Contract of every entry: it computes exactly what the Swift loop it replaces computes,
/// bit for bit (sums of int8 products wrap modulo 2^32 as `&+` does; requantization rounds as
/// `RequantizationLanes.requantize`), reads only the bytes that loop reads and writes only
/// the outputs it writes. So a model's output bytes do not depend on which entries are set.
/// A few entries have no Swift loop of their own (`stripPack` / `stripImage`, the fused
/// `panelRunRequantize`): their contract is the reference kernel's result.
///
/// The table is a plain global, nil everywhere until something installs entries: set it once
/// at start-up, before any interpreter is prepared (it is read without synchronization, and
/// CONV_2D's prepare packs its weights for the installed table and sizes its scratch for it:
/// `panelPack`, the strip form, the one-pass panel), and do not change it while an interpreter
/// prepared under it is used (CONV_2D then falls back to its reference routine, exact but
/// slow). MoteCore itself never writes it.
///
/// The function types use only pointers and `Int` (C's `ptrdiff_t`), so that they match the
/// C declarations in `mote_dsp.h` and MoteCore needs to import nothing.
public struct KernelTable {
    /// `ConvKernels.dotRows`: `out[i] = sum over k < count of x[k] * w[i * stride + k]` for
    /// `i < rows`, and with `y` (a second input, may be nil) also `out[outStride + i]`.
    /// Arguments: x, y, w, stride, count, rows, out, outStride.
    public typealias DotRows = @convention(c) (UnsafePointer<Int8>, UnsafePointer<Int8>?, UnsafePointer<Int8>, Int, Int, Int,
                                               UnsafeMutablePointer<Int32>, Int) -> Void

    /// `ConvKernels.panel4`: four pixels' windows (`ConvKernels.Windows`: base, pixelStride,
    /// rowStride, rows, run) against one 16- or 32-lane chunk of a repacked filter:
    /// `acc[p * accStride + j] = sum over k of window_p[k] * panel[k * width + j]`.
    /// Arguments: base, pixelStride, rowStride, rows, run, panel, width, acc, accStride.
    public typealias Panel4 = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, UnsafePointer<Int8>, Int,
                                              UnsafeMutablePointer<Int32>, Int) -> Void

    /// Packs an OHWI filter (`outputDepth` rows of `k` bytes, `k <= panelPackWindow`) into
    /// panel chunks of 16 or 32 lanes, each `width * Conv2DOptimized.paddedWindow(k)` bytes, in the order
    /// the same table's `panel4` reads (which then computes the sums above of the unpacked
    /// weights). When nil, `panel4` reads `Conv2DOptimized.pack`'s `[chunk][k][lane]` layout.
    /// Arguments: filter, k, outputDepth, panel.
    public typealias PanelPack = @convention(c) (UnsafePointer<Int8>, Int, Int, UnsafeMutablePointer<Int8>) -> Void

    /// `Conv2DOptimized.accumulateRun`: `pixels` pixels' windows (pixel `p` at
    /// `base + p * pixelStride`, as `panel4` reads four) against every chunk of the panel:
    /// `acc[p * accStride + j]` for `j < outputDepth` (a chunk's lanes past `outputDepth` get
    /// unspecified values). Reads only those pixels' windows.
    /// Arguments: base, pixelStride, rowStride, rows, run, pixels, panel, outputDepth, acc, accStride.
    public typealias PanelRun = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, Int, UnsafePointer<Int8>, Int,
                                                UnsafeMutablePointer<Int32>, Int) -> Void

    /// `panelRun`'s sums requantized as `RequantizationLanes.requantize` does (the lane
    /// pointers at the first channel), written as bytes: `out[p * outStride + j]` for
    /// `j < outputDepth`. The pixels may span output rows of `columns` pixels: pixel `p`'s window
    /// starts at `base + (p / columns) * yStep + (p % columns) * pixelStride`.
    /// Arguments: base, pixelStride, rowStride, rows, run, pixels, columns, yStep, panel,
    /// outputDepth, out, outStride, rounding, negative, rightShift, multipliers, leftShift,
    /// foldedBias, outputOffset, activationMin, activationMax.
    public typealias PanelRunRequantize = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, Int, Int, Int, UnsafePointer<Int8>, Int,
                                                          UnsafeMutablePointer<Int8>, Int, UnsafePointer<Int64>, UnsafePointer<Int64>,
                                                          UnsafePointer<Int64>, UnsafePointer<Int32>, UnsafePointer<Int32>,
                                                          UnsafePointer<Int32>, Int32, Int32, Int32) -> Void

    /// Packs an OHWI filter for `stripImage` (`Conv2DOptimized.stripWords` int32 words).
    /// Arguments: filter, filterHeight, filterWidth, depth, outputDepth, packed.
    public typealias StripPack = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, UnsafeMutablePointer<Int32>) -> Void

    /// `Conv2DOptimized.runStrips` for one image: a convolution without groups, requantized as
    /// `RequantizationLanes.requantize` does: output pixel `(oy, ox)`'s window starts at input
    /// row `oy * strideHeight - padTop`, column `ox * strideWidth - padLeft`, taps outside the
    /// image read `padValue`; `out[(oy * outputWidth + ox) * outputDepth + c]`. Shapes as
    /// `Conv2DOptimized.stripWords` admits.
    /// Arguments: image, inputHeight, inputWidth, depth, outputHeight, outputWidth, strideHeight,
    /// strideWidth, padTop, padLeft, dilationHeight, dilationWidth, filterHeight, filterWidth,
    /// packed, outputDepth, padValue, out, rounding, negative, rightShift, multipliers,
    /// leftShift, foldedBias, outputOffset, activationMin, activationMax.
    public typealias StripImage = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
                                                  Int, UnsafePointer<Int32>, Int, Int32, UnsafeMutablePointer<Int8>,
                                                  UnsafePointer<Int64>, UnsafePointer<Int64>, UnsafePointer<Int64>,
                                                  UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafePointer<Int32>,
                                                  Int32, Int32, Int32) -> Void

    /// Widest run of input bytes a strip reads per filter row (C: `MOTE_STRIP_SPAN`).
    public static let stripSpan = 128
    /// Most 4-byte groups of a strip filter's window (C: `MOTE_STRIP_MAX_GROUPS`).
    public static let stripMaxGroups = 64

    /// Longest window that `panelPack` packs and its `panel4` reads (C: `MOTE_PANEL_PACK_WINDOW`);
    /// longer ones keep `Conv2DOptimized.pack`'s layout and the Swift loop.
    public static let panelPackWindow = 2048

    /// `DepthwiseConv2DOptimized.accumulateRun`: stride 1, multiplier 1, output bytes
    /// `o = start + i` for `i < count`, every tap inside the image:
    /// `acc[i] = sum over (ky, kx) of table[(ky * filterWidth + kx) * (channels + 16) + o % channels]
    ///           * input[ky * rowStride + kx * tapStride + i]`.
    /// Arguments: input, rowStride, tapStride, filterHeight, filterWidth, table, channels, start,
    /// count, acc.
    public typealias DepthwiseRun = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, UnsafePointer<Int8>, Int, Int, Int,
                                                    UnsafeMutablePointer<Int32>) -> Void

    /// `DepthwiseConv2DOptimized.accumulatePixel`: one output pixel whose window starts at
    /// input row `originY`, column `originX`: `acc[c]` for `c < channels` is the sum over taps of
    /// `filter[(ky * filterWidth + kx) * channels + c] * x[c / multiplier]`, `x` the tap's input
    /// pixel when inside the image, else `padRow`.
    /// Arguments: image, inputHeight, inputWidth, inputDepth, originY, originX, dilationHeight,
    /// dilationWidth, filter, filterHeight, filterWidth, channels, multiplier, padRow, acc.
    public typealias DepthwisePixel = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, Int, Int, Int, UnsafePointer<Int8>,
                                                      Int, Int, Int, Int, UnsafePointer<Int8>, UnsafeMutablePointer<Int32>) -> Void

    /// `RequantizationLanes.requantize` over all `count` channels with the lanes' formula (the
    /// lane pointers already offset to the first channel). Arguments: acc, accStride, rows,
    /// count, out, outStride, rounding, negative, rightShift, multipliers, leftShift,
    /// foldedBias, outputOffset, activationMin, activationMax.
    public typealias Requantize = @convention(c) (UnsafePointer<Int32>, Int, Int, Int, UnsafeMutablePointer<Int8>, Int,
                                                  UnsafePointer<Int64>, UnsafePointer<Int64>, UnsafePointer<Int64>,
                                                  UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafePointer<Int32>,
                                                  Int32, Int32, Int32) -> Void

    /// `Pool2DOptimized.maxRun` / `averageRun` over one run of output pixels whose windows
    /// are `rows x columns` cells (both at least 1): for `i < pixels`, `k < channels`,
    /// `out[i * channels + k]` pools `src[i * pixelStride + y * rowStride + x * channels + k]`
    /// over `y < rows`, `x < columns` (the maximum, or the sum divided by `rows * columns`
    /// rounded half away from zero), clamped to `activationMin...activationMax`.
    /// Arguments: src, rowStride, pixelStride, rows, columns, channels, pixels, out,
    /// activationMin, activationMax.
    public typealias PoolRun = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, Int, Int, UnsafeMutablePointer<Int8>,
                                               Int32, Int32) -> Void
    /// Packs a depthwise filter (multiplier 1, `taps` taps of `channels` weights) for
    /// `depthwiseRow`: `depthwisePackedCount(taps:period:)` int16 values.
    /// Arguments: filter, taps, channels, period (`DepthwiseConv2DOptimized.period`), packed.
    public typealias DepthwisePack = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, UnsafeMutablePointer<Int16>) -> Void

    /// Depthwise, multiplier 1, one output row of `count` pixels: pixel `ox`'s window at input
    /// row `originY` and column `ox * strideWidth - padLeft`; `acc[ox * channels + c]` is the
    /// sum over taps of `filter[tap * channels + c] * x[c]`, `x` the tap's input pixel when
    /// inside the image, else `padRow`. Columns `colLo ..< colHi` have every tap inside
    /// horizontally (`ConvGeometry.interiorColumns`). At most
    /// `DepthwiseConv2DOptimized.maxPackedTaps` taps.
    /// Arguments: image, inputHeight, inputWidth, channels, originY, strideWidth, padLeft,
    /// dilationHeight, dilationWidth, packed, filterHeight, filterWidth, padRow, count, colLo,
    /// colHi, acc.
    public typealias DepthwiseRow = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, Int, Int, Int, Int,
                                                    UnsafePointer<Int16>, Int, Int, UnsafePointer<Int8>, Int, Int, Int,
                                                    UnsafeMutablePointer<Int32>) -> Void

    /// `DepthwiseConv2DOptimized.run` for one image, multiplier 1, requantized: the
    /// `outputHeight x outputWidth x channels` bytes, taps outside the image reading `padValue`
    /// (the input zero point); `work` is scratch of `workBytes` bytes (it needs
    /// `DepthwiseConv2DOptimized.imageWorkBytes`). Returns 1 when done, 0 with nothing
    /// written for shapes or constants it does not take (the caller then uses `depthwiseRow`).
    /// Arguments: image, inputHeight, inputWidth, channels, outputHeight, outputWidth,
    /// strideHeight, strideWidth, padTop, padLeft, dilationHeight, dilationWidth, filter,
    /// filterHeight, filterWidth, padValue, work, workBytes, out, rounding, negative,
    /// rightShift, multipliers, leftShift, foldedBias, outputOffset, activationMin, activationMax.
    public typealias DepthwiseImage = @convention(c) (UnsafePointer<Int8>, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
                                                      UnsafePointer<Int8>, Int, Int, Int32, UnsafeMutablePointer<Int8>, Int,
                                                      UnsafeMutablePointer<Int8>, UnsafePointer<Int64>, UnsafePointer<Int64>,
                                                      UnsafePointer<Int64>, UnsafePointer<Int32>, UnsafePointer<Int32>,
                                                      UnsafePointer<Int32>, Int32, Int32, Int32) -> Int

    /// `ChannelRequantization.lanes`' loops: the lane constants of `n` channels from their
    /// multipliers and shifts, the same values. Arguments: multipliers, shifts, n, single
    /// rounding (1) or double (0), rounding, negative, rightShift, wideMultipliers, leftShift.
    public typealias RequantizationLanesFill = @convention(c) (UnsafePointer<Int32>, UnsafePointer<Int8>, Int, Int,
                                                               UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>,
                                                               UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>,
                                                               UnsafeMutablePointer<Int32>) -> Void

    public var dotRows: DotRows?
    public var panel4: Panel4?
    public var depthwiseRun: DepthwiseRun?
    public var depthwisePixel: DepthwisePixel?
    public var requantize: Requantize?
    public var maxPool: PoolRun?
    public var averagePool: PoolRun?
    /// The packed depthwise row kernel: used (both set) instead of `depthwiseRun` and
    /// `depthwisePixel` for multiplier 1.
    public var depthwisePack: DepthwisePack?
    public var depthwiseRow: DepthwiseRow?
    /// The panel layout `panel4` reads, when not the Swift one (see `PanelPack`).
    public var panelPack: PanelPack?
    /// `panel4` over a run of pixels and all chunks in one call (nil: the Swift loop calls `panel4`).
    public var panelRun: PanelRun?
    /// `panelRun` and the requantization in one pass (nil: the two passes).
    public var panelRunRequantize: PanelRunRequantize?
    /// The strip form of CONV_2D (both set, or the form is not used).
    public var stripPack: StripPack?
    public var stripImage: StripImage?
    /// The whole-image depthwise form (nil: `depthwiseRow` and `requantize`).
    public var depthwiseImage: DepthwiseImage?
    public var requantizationLanes: RequantizationLanesFill?

    /// Every entry nil: the Swift loops.
    public init() {
        dotRows = nil
        panel4 = nil
        depthwiseRun = nil
        depthwisePixel = nil
        requantize = nil
        maxPool = nil
        averagePool = nil
        depthwisePack = nil
        depthwiseRow = nil
        panelPack = nil
        panelRun = nil
        panelRunRequantize = nil
        stripPack = nil
        stripImage = nil
        depthwiseImage = nil
        requantizationLanes = nil
    }
}

/// The kernel table the optimized routines consult (see `KernelTable`); all nil until a
/// module such as MoteCoreDSP installs entries.
public nonisolated(unsafe) var kernelTable = KernelTable()
