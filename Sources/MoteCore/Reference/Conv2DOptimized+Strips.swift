/// The strip form of the optimized CONV_2D, for spatial filters over few input channels (first
/// convs on RGB or mono images), where the panel form's four pixels x 16 or 32 channels spend
/// more on gathering windows (rows of 3 or 9 bytes) than on multiplying: the kernel table's
/// `stripImage` puts 16 output pixels of one row in the lanes, each output channel's weights in
/// a broadcast, and requantizes in the same pass.
/// Only a kernel table provides it (there is no Swift loop of this form: without the table
/// entries the panel form runs).
extension Conv2DOptimized {
    /// Output rows narrower than this keep the other forms (a strip is 16 pixels wide).
    public static let minimumStripWidth = 8

    /// Int32 words of `stripPack`'s filter (4 window bytes per output channel and group of 4,
    /// channels padded to a multiple of 8, then one word per padded channel), or 0 when the
    /// strip form does not apply: no table entries, groups, a 1x1 filter (the panel form reads
    /// those pixels in place, and was faster on vww's 8 -> 16), filter rows of fewer than 3
    /// bytes, a strip's input bytes per filter row over `KernelTable.stripSpan`, more groups
    /// than `KernelTable.stripMaxGroups`, rows narrower than `minimumStripWidth`, or more than
    /// `panelBudget` bytes.
    public static func stripWords(filterHeight fh: Int, filterWidth fw: Int, depth: Int, outputDepth: Int, strideWidth: Int,
                                  dilationWidth: Int, outputWidth: Int, groups: Int) -> Int {
        guard kernelTable.stripImage != nil, kernelTable.stripPack != nil, groups == 1, outputWidth >= minimumStripWidth,
              fh &* fw > 1 else { return 0 }
        let limit = KernelTable.stripSpan
        guard fh >= 1, fh <= KernelTable.stripMaxGroups, fw >= 1, fw <= limit, depth >= 1, depth <= limit,
              strideWidth >= 1, strideWidth <= limit, dilationWidth >= 1, dilationWidth <= limit,
              outputDepth >= 1, outputDepth <= panelBudget else { return 0 }
        guard fw &* depth >= 3, (15 &* strideWidth &+ (fw &- 1) &* dilationWidth &+ 1) &* depth <= limit else { return 0 }
        let groups4 = (fh &* fw &* depth &+ 3) / 4
        guard groups4 <= KernelTable.stripMaxGroups else { return 0 }
        let words = (groups4 &+ 1) &* ((outputDepth &+ 7) & ~7)
        return words &* 4 <= panelBudget ? words : 0
    }

    /// Runs the convolution image by image through the kernel table's `stripImage` (the caller
    /// checks that it is set); `packed` is `stripPack`'s filter.
    static func runStrips(_ g: ConvGeometry, _ lanes: RequantizationLanes, inputOffset: Int32, packed: UnsafePointer<Int32>,
                          input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
        guard let image = kernelTable.stripImage else { return }
        let imageSize = g.inputHeight &* g.inputWidth &* g.inputDepth
        let outputSize = g.outputHeight &* g.outputWidth &* g.outputDepth
        let pad = Int32(Int8(truncatingIfNeeded: 0 &- inputOffset))
        for b in 0..<g.batches {
            image(input + b &* imageSize, g.inputHeight, g.inputWidth, g.inputDepth, g.outputHeight, g.outputWidth, g.strideHeight,
                  g.strideWidth, g.padTop, g.padLeft, g.dilationHeight, g.dilationWidth, g.filterHeight, g.filterWidth, packed,
                  g.outputDepth, pad, output + b &* outputSize, lanes.rounding, lanes.negative, lanes.rightShift,
                  lanes.multipliers, lanes.leftShift, lanes.foldedBias, lanes.outputOffset, lanes.activationMin, lanes.activationMax)
        }
    }
}
