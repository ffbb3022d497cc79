/// The window geometry of a 2-D convolution (CONV_2D, DEPTHWISE_CONV_2D) over NHWC tensors:
/// sizes, strides, dilations and the padding before the first row and column.
///
/// Every field is validated by the kernel's prepare: all sizes are at least 1, and every
/// index the routines form (`((b * H + y) * W + x) * C + c` of input, filter and output)
/// stays inside its tensor.
public struct ConvGeometry {
    /// The dimensions as 32-bit values (prepare validates that they fit: tensor byte counts are
    /// below 2^30), halving the operator parameters kept in the arena's persistent part.
    struct Stored {
        var batches, inputHeight, inputWidth, inputDepth: Int32
        var outputHeight, outputWidth, outputDepth: Int32
        var filterHeight, filterWidth, filterDepth: Int32
        var strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft: Int32
    }
    var stored = Stored(batches: 0, inputHeight: 0, inputWidth: 0, inputDepth: 0, outputHeight: 0, outputWidth: 0, outputDepth: 0,
                        filterHeight: 0, filterWidth: 0, filterDepth: 0, strideHeight: 0, strideWidth: 0,
                        dilationHeight: 0, dilationWidth: 0, padTop: 0, padLeft: 0)

    public var batches: Int { get { Int(stored.batches) } set { stored.batches = Int32(truncatingIfNeeded: newValue) } }
    public var inputHeight: Int { get { Int(stored.inputHeight) } set { stored.inputHeight = Int32(truncatingIfNeeded: newValue) } }
    public var inputWidth: Int { get { Int(stored.inputWidth) } set { stored.inputWidth = Int32(truncatingIfNeeded: newValue) } }
    /// Channels of the input tensor (for a grouped conv, `groups * filterDepth`).
    public var inputDepth: Int { get { Int(stored.inputDepth) } set { stored.inputDepth = Int32(truncatingIfNeeded: newValue) } }
    public var outputHeight: Int { get { Int(stored.outputHeight) } set { stored.outputHeight = Int32(truncatingIfNeeded: newValue) } }
    public var outputWidth: Int { get { Int(stored.outputWidth) } set { stored.outputWidth = Int32(truncatingIfNeeded: newValue) } }
    public var outputDepth: Int { get { Int(stored.outputDepth) } set { stored.outputDepth = Int32(truncatingIfNeeded: newValue) } }
    public var filterHeight: Int { get { Int(stored.filterHeight) } set { stored.filterHeight = Int32(truncatingIfNeeded: newValue) } }
    public var filterWidth: Int { get { Int(stored.filterWidth) } set { stored.filterWidth = Int32(truncatingIfNeeded: newValue) } }
    /// Input channels one filter sees: `inputDepth` for a plain conv, `inputDepth / groups`
    /// for a grouped one; for a depthwise conv, the depth multiplier.
    public var filterDepth: Int { get { Int(stored.filterDepth) } set { stored.filterDepth = Int32(truncatingIfNeeded: newValue) } }
    public var strideHeight: Int { get { Int(stored.strideHeight) } set { stored.strideHeight = Int32(truncatingIfNeeded: newValue) } }
    public var strideWidth: Int { get { Int(stored.strideWidth) } set { stored.strideWidth = Int32(truncatingIfNeeded: newValue) } }
    public var dilationHeight: Int { get { Int(stored.dilationHeight) } set { stored.dilationHeight = Int32(truncatingIfNeeded: newValue) } }
    public var dilationWidth: Int { get { Int(stored.dilationWidth) } set { stored.dilationWidth = Int32(truncatingIfNeeded: newValue) } }
    /// Rows and columns of implicit padding before the image (TFLite's `padding_values`);
    /// an odd total padding puts the extra row or column after the image.
    public var padTop: Int { get { Int(stored.padTop) } set { stored.padTop = Int32(truncatingIfNeeded: newValue) } }
    public var padLeft: Int { get { Int(stored.padLeft) } set { stored.padLeft = Int32(truncatingIfNeeded: newValue) } }

    public init(batches: Int, inputHeight: Int, inputWidth: Int, inputDepth: Int,
                outputHeight: Int, outputWidth: Int, outputDepth: Int,
                filterHeight: Int, filterWidth: Int, filterDepth: Int,
                strideHeight: Int, strideWidth: Int, dilationHeight: Int, dilationWidth: Int,
                padTop: Int, padLeft: Int) {
        self.batches = batches
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputDepth = inputDepth
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.outputDepth = outputDepth
        self.filterHeight = filterHeight
        self.filterWidth = filterWidth
        self.filterDepth = filterDepth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
        self.padTop = padTop
        self.padLeft = padLeft
    }

    /// The largest stride or dilation factor accepted: far beyond any real model, small enough
    /// that no window computation can overflow a 32-bit `Int`.
    public static let maxStep = 0xFFFF

    /// One spatial dimension of a windowed op, as TFLite's `ComputeOutSize` and
    /// `ComputePaddingWithOffset` compute it: SAME gives `ceil(input / stride)` outputs, VALID
    /// gives `(input - effectiveFilter + stride) / stride` with
    /// `effectiveFilter = (filter - 1) * dilation + 1`; the padding before the image is half
    /// the total padding `(output - 1) * stride + effectiveFilter - input` (at least 0),
    /// rounded down. Nil when the output would be empty, a factor is outside `1...maxStep`,
    /// or a size overflows.
    public static func window(_ padding: Padding, input: Int, filter: Int, stride: Int, dilation: Int) -> (output: Int, padBefore: Int)? {
        guard input >= 1, filter >= 1, stride >= 1, stride <= maxStep, dilation >= 1, dilation <= maxStep else { return nil }
        let (span, o1) = (filter - 1).multipliedReportingOverflow(by: dilation)
        guard !o1, span < 0x3fff_ffff else { return nil }
        let effective = span + 1
        let output: Int
        switch padding {
        case .same: output = (input + stride - 1) / stride
        case .valid:
            guard input >= effective else { return nil }
            output = (input - effective + stride) / stride
        }
        guard output >= 1 else { return nil }
        let (reach, o2) = (output - 1).multipliedReportingOverflow(by: stride)
        guard !o2, reach < 0x3fff_ffff else { return nil }
        let total = reach + effective - input
        return (output, total > 0 ? total / 2 : 0)
    }

    /// The output rows `[lo, hi)` whose whole window (every filter row) lies inside the
    /// input: there the routines skip the bounds checks.
    public var interiorRows: (lo: Int, hi: Int) {
        ConvGeometry.interior(output: outputHeight, input: inputHeight, filter: filterHeight,
                              stride: strideHeight, dilation: dilationHeight, pad: padTop)
    }

    /// The output columns `[lo, hi)` whose whole window lies inside the input.
    public var interiorColumns: (lo: Int, hi: Int) {
        ConvGeometry.interior(output: outputWidth, input: inputWidth, filter: filterWidth,
                              stride: strideWidth, dilation: dilationWidth, pad: padLeft)
    }

    /// The outputs `o` in `[lo, hi)` with `o * stride - pad >= 0` and
    /// `o * stride - pad + (filter - 1) * dilation < input`; `lo == hi` when there are none.
    static func interior(output: Int, input: Int, filter: Int, stride: Int, dilation: Int, pad: Int) -> (lo: Int, hi: Int) {
        let lo = min((pad + stride - 1) / stride, output)
        let last = input - 1 - (filter - 1) * dilation + pad  // largest o * stride allowed
        let hi = last < 0 ? 0 : min(last / stride + 1, output)
        return hi > lo ? (lo, hi) : (lo, lo)
    }

    /// The filter taps `[lo, hi)` of one dimension that fall inside the input for a window
    /// starting at `origin` (which may be negative).
    @inline(__always)
    static func validTaps(origin: Int, filter: Int, dilation: Int, input: Int) -> (lo: Int, hi: Int) {
        let lo = origin >= 0 ? 0 : (dilation - 1 - origin) / dilation
        let room = input - 1 - origin  // largest tap offset inside the input
        let hi = room < 0 ? 0 : min(room / dilation + 1, filter)
        return hi > lo ? (lo, hi) : (lo, lo)
    }
}
