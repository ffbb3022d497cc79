import MoteFloat

/// Spatial padding of convolutions and pools, with TensorFlow's (and TFLite's) exact geometry.
public enum Padding: String, Sendable, Codable, CaseIterable {
    /// No padding: `out = ⌊(in − k) / stride⌋ + 1`.
    case valid
    /// `out = ⌈in / stride⌉`; the total padding `max((out − 1)·stride + k − in, 0)` is split with
    /// the smaller half before (top/left), as TensorFlow does.
    case same
}

/// The geometry of a 2-D sliding window over an `H×W×C` sample (convolution or pool).
struct Window2D: Equatable, Sendable {
    let inH: Int, inW: Int, channels: Int
    let kH: Int, kW: Int
    let strideH: Int, strideW: Int
    let outH: Int, outW: Int
    /// Padding before the first row / column.
    let padTop: Int, padLeft: Int

    init(inH: Int, inW: Int, channels: Int, kH: Int, kW: Int, strideH: Int, strideW: Int, padding: Padding) throws {
        guard kH > 0, kW > 0, strideH > 0, strideW > 0 else { throw TrainError("window \(kH)×\(kW) stride \(strideH)×\(strideW) must be positive") }
        self.inH = inH; self.inW = inW; self.channels = channels
        self.kH = kH; self.kW = kW; self.strideH = strideH; self.strideW = strideW
        switch padding {
        case .valid:
            guard inH >= kH, inW >= kW else { throw TrainError("input \(inH)×\(inW) is smaller than the \(kH)×\(kW) window (valid padding)") }
            outH = (inH - kH) / strideH + 1
            outW = (inW - kW) / strideW + 1
            padTop = 0; padLeft = 0
        case .same:
            outH = (inH + strideH - 1) / strideH
            outW = (inW + strideW - 1) / strideW
            padTop = max((outH - 1) * strideH + kH - inH, 0) / 2
            padLeft = max((outW - 1) * strideW + kW - inW, 0) / 2
        }
        guard outH > 0, outW > 0 else { throw TrainError("input \(inH)×\(inW) gives an empty output") }
    }

    /// The window of `layer` (its description, for errors) over one `H×W×C` sample of `inputShape`.
    init(sample inputShape: [Int], kernel: (Int, Int), strides: (Int, Int), padding: Padding, layer: String) throws {
        guard inputShape.count == 3 else { throw TrainError("\(layer) needs an H×W×C input, got \(inputShape)") }
        try self.init(inH: inputShape[0], inW: inputShape[1], channels: inputShape[2], kH: kernel.0, kW: kernel.1,
                      strideH: strides.0, strideW: strides.1, padding: padding)
    }

    /// Elements of one input sample.
    var inputCount: Int { inH * inW * channels }
    /// Columns of the im2col matrix: `kH·kW·C`.
    var patchCount: Int { kH * kW * channels }
    /// Rows of the im2col matrix: output positions.
    var positions: Int { outH * outW }
    /// True when im2col is the identity (1×1 window, stride 1, no padding).
    var isPointwise: Bool { kH == 1 && kW == 1 && strideH == 1 && strideW == 1 }

    /// MoteFloat's geometry of one sample, for its `Im2Col.pack` (the forward passes' im2col):
    /// row `oy·outW + ox`, column `(ky·kW + kx)·C + c`, zeros in the padding.
    var floatGeometry: WindowGeometry {
        WindowGeometry(batch: 1, inputHeight: inH, inputWidth: inW, channels: channels, filterHeight: kH, filterWidth: kW,
                       strideHeight: strideH, strideWidth: strideW, dilationHeight: 1, dilationWidth: 1,
                       padTop: padTop, padLeft: padLeft, outputHeight: outH, outputWidth: outW)
    }

    /// The adjoint of im2col (col2im): adds every column-matrix entry into the input position it was
    /// read from (`dx` must be zeroed by the caller; padding entries are dropped).
    func col2imAdd(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        let c = channels
        let rowLen = kW * c
        var src = col
        for oy in 0..<outH {
            let iy0 = oy * strideH - padTop
            for ox in 0..<outW {
                let ix0 = ox * strideW - padLeft
                if ix0 >= 0 && ix0 + kW <= inW {
                    // The kernel row is inside: one contiguous run of kW·C floats per row.
                    for ky in 0..<kH {
                        let iy = iy0 + ky
                        if iy >= 0 && iy < inH {
                            let d = dx + (iy * inW + ix0) * c
                            for i in 0..<rowLen { d[i] += src[i] }
                        }
                        src += rowLen
                    }
                    continue
                }
                for ky in 0..<kH {
                    let iy = iy0 + ky
                    for kx in 0..<kW {
                        let ix = ix0 + kx
                        if iy >= 0 && iy < inH && ix >= 0 && ix < inW {
                            let d = dx + (iy * inW + ix) * c
                            for ch in 0..<c { d[ch] += src[ch] }
                        }
                        src += c
                    }
                }
            }
        }
    }
}
