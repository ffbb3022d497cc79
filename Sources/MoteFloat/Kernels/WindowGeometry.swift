/// The geometry of a 2-D sliding-window operator (convolution, depthwise convolution,
/// pooling) over NHWC tensors, with padding computed exactly as TFLite does.
///
/// Output position `(oy, ox)` and filter tap `(ky, kx)` read input row
/// `oy · strideHeight − padTop + ky · dilationHeight` and column
/// `ox · strideWidth − padLeft + kx · dilationWidth`; positions outside the input are padding.
public struct WindowGeometry: Equatable, Sendable {
    /// TFLite's `Padding`: `same` gives `ceil(input / stride)` outputs, `valid` gives
    /// `(input − effectiveFilter + stride) / stride` (rounded down), where
    /// `effectiveFilter = (filter − 1) · dilation + 1`.
    public enum Padding: Equatable, Sendable { case same, valid }

    /// Images in the batch (N).
    public var batch: Int
    /// Input rows (H).
    public var inputHeight: Int
    /// Input columns (W).
    public var inputWidth: Int
    /// Input channels (the innermost NHWC dimension).
    public var channels: Int
    /// Window rows (KH).
    public var filterHeight: Int
    /// Window columns (KW).
    public var filterWidth: Int
    /// Rows between consecutive windows (at least 1).
    public var strideHeight: Int
    /// Columns between consecutive windows (at least 1).
    public var strideWidth: Int
    /// Rows between consecutive taps of a window (1: adjacent).
    public var dilationHeight: Int
    /// Columns between consecutive taps of a window (1: adjacent).
    public var dilationWidth: Int
    /// Padding rows before the first input row (an odd total puts the extra row after the image).
    public var padTop: Int
    /// Padding columns before the first input column.
    public var padLeft: Int
    /// Output rows.
    public var outputHeight: Int
    /// Output columns.
    public var outputWidth: Int

    /// A geometry with every field given explicitly (no validation; use the padding
    /// initializer for TFLite semantics).
    public init(batch: Int, inputHeight: Int, inputWidth: Int, channels: Int,
                filterHeight: Int, filterWidth: Int, strideHeight: Int, strideWidth: Int,
                dilationHeight: Int, dilationWidth: Int, padTop: Int, padLeft: Int,
                outputHeight: Int, outputWidth: Int) {
        self.batch = batch
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.channels = channels
        self.filterHeight = filterHeight
        self.filterWidth = filterWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
        self.padTop = padTop
        self.padLeft = padLeft
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    /// The geometry TFLite computes (`ComputeOutSize`, `ComputePaddingWithOffset`): output
    /// sizes as described by `Padding`, and padding before the image of
    /// `max(0, (output − 1) · stride + effectiveFilter − input) / 2` (rounded down).
    /// Nil when a size or factor is below 1, or the output would be empty.
    public init?(padding: Padding, batch: Int, inputHeight: Int, inputWidth: Int, channels: Int,
                 filterHeight: Int, filterWidth: Int, strideHeight: Int = 1, strideWidth: Int = 1,
                 dilationHeight: Int = 1, dilationWidth: Int = 1) {
        guard batch >= 1, channels >= 1,
              let rows = Self.window(padding, input: inputHeight, filter: filterHeight, stride: strideHeight, dilation: dilationHeight),
              let cols = Self.window(padding, input: inputWidth, filter: filterWidth, stride: strideWidth, dilation: dilationWidth)
        else { return nil }
        self.init(batch: batch, inputHeight: inputHeight, inputWidth: inputWidth, channels: channels,
                  filterHeight: filterHeight, filterWidth: filterWidth, strideHeight: strideHeight, strideWidth: strideWidth,
                  dilationHeight: dilationHeight, dilationWidth: dilationWidth, padTop: rows.padBefore, padLeft: cols.padBefore,
                  outputHeight: rows.output, outputWidth: cols.output)
    }

    /// One spatial dimension: the output size and the padding before the input (see the
    /// padding initializer), or nil when a size or factor is below 1 or the output is empty.
    public static func window(_ padding: Padding, input: Int, filter: Int, stride: Int, dilation: Int) -> (output: Int, padBefore: Int)? {
        guard input >= 1, filter >= 1, stride >= 1, dilation >= 1, filter <= 1 << 20, dilation <= 1 << 20 else { return nil }
        let effective = (filter - 1) * dilation + 1
        let output: Int
        switch padding {
        case .same: output = (input + stride - 1) / stride
        case .valid: output = input >= effective ? (input - effective + stride) / stride : 0
        }
        guard output >= 1 else { return nil }
        let total = max(0, (output - 1) * stride + effective - input)
        return (output, total / 2)
    }

    /// Elements of one input image (`inputHeight · inputWidth · channels`).
    public var inputImageCount: Int { inputHeight * inputWidth * channels }
    /// Output positions of one image (`outputHeight · outputWidth`).
    public var outputPositions: Int { outputHeight * outputWidth }
    /// Length of one im2col row: `filterHeight · filterWidth · channels`.
    public var patchLength: Int { filterHeight * filterWidth * channels }
    /// True when the window reads each input pixel exactly once at its own position
    /// (1×1 filter, stride 1, no padding): im2col would be the identity.
    public var isPointwise: Bool {
        filterHeight == 1 && filterWidth == 1 && strideHeight == 1 && strideWidth == 1 && padTop == 0 && padLeft == 0
            && outputHeight == inputHeight && outputWidth == inputWidth
    }
}
