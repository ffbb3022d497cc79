/// Image-to-column packing for convolution as a matrix multiply, over NHWC images.
///
/// Row `r = (n · outputHeight + oy) · outputWidth + ox` of the packed matrix holds the
/// `filterHeight · filterWidth · channels` input values the window at output `(n, oy, ox)`
/// reads, ordered `(ky, kx, c)` like one output channel of a TFLite OHWI filter; taps in the
/// padding are 0. So `output[r, o] = Σ_k packed[r, k] · filter[o, k]` is the convolution.
public enum Im2Col {
    /// Packs all `geometry.batch` images of `input` into `output`
    /// (`batch · outputPositions` rows of `patchLength` values, row-major).
    public static func pack(input: UnsafePointer<Float>, geometry g: WindowGeometry, output: UnsafeMutablePointer<Float>) {
        let c = g.channels
        let rowLength = g.patchLength
        let span = g.filterWidth * c, lineStride = g.inputWidth * c, tapRowStride = g.dilationHeight * lineStride
        var row = output
        for n in 0..<g.batch {
            let image = input + n * g.inputImageCount
            for oy in 0..<g.outputHeight {
                let y0 = oy * g.strideHeight - g.padTop
                let rowsInside = y0 >= 0 && y0 + (g.filterHeight - 1) * g.dilationHeight < g.inputHeight
                for ox in 0..<g.outputWidth {
                    let x0 = ox * g.strideWidth - g.padLeft
                    if rowsInside, g.dilationWidth == 1, x0 >= 0, x0 + g.filterWidth <= g.inputWidth {
                        // The whole window is inside the image: one contiguous run per filter row.
                        var src = image + y0 * lineStride + x0 * c
                        var dst = row
                        for _ in 0..<g.filterHeight {
                            copy(src, to: dst, count: span)
                            src += tapRowStride
                            dst += span
                        }
                    } else {
                        packBorder(image, g, y0: y0, x0: x0, into: row)
                    }
                    row += rowLength
                }
            }
        }
    }

    /// One im2col row of a window that overlaps the padding (or is dilated horizontally).
    private static func packBorder(_ image: UnsafePointer<Float>, _ g: WindowGeometry, y0: Int, x0: Int, into row: UnsafeMutablePointer<Float>) {
        let c = g.channels
        var dst = row
        for ky in 0..<g.filterHeight {
            let y = y0 + ky * g.dilationHeight
            if y < 0 || y >= g.inputHeight {
                dst.update(repeating: 0, count: g.filterWidth * c)
                dst += g.filterWidth * c
                continue
            }
            let line = image + y * g.inputWidth * c
            for kx in 0..<g.filterWidth {
                let x = x0 + kx * g.dilationWidth
                if x < 0 || x >= g.inputWidth {
                    dst.update(repeating: 0, count: c)
                } else {
                    copy(line + x * c, to: dst, count: c)
                }
                dst += c
            }
        }
    }

    /// Copies `count` floats with unaligned vector moves: the runs here are short (a filter
    /// row of a few channels), where a `memcpy` call per run costs more than the copy.
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 <= count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        if i + 4 <= count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self), toByteOffset: 4 * i, as: SIMD4<Float>.self)
            i += 4
        }
        while i < count {
            dst[i] = src[i]
            i += 1
        }
    }

    /// The adjoint of `pack` (col2im): adds every value of the packed matrix `columns` back
    /// into the input position it was read from, into `input` (which is not cleared first);
    /// values of padding taps are dropped. This is the input gradient of a convolution
    /// computed as `pack` followed by a multiply.
    public static func unpackAdding(columns: UnsafePointer<Float>, geometry g: WindowGeometry, input: UnsafeMutablePointer<Float>) {
        let c = g.channels
        var row = columns
        for n in 0..<g.batch {
            let image = input + n * g.inputImageCount
            for oy in 0..<g.outputHeight {
                let y0 = oy * g.strideHeight - g.padTop
                for ox in 0..<g.outputWidth {
                    let x0 = ox * g.strideWidth - g.padLeft
                    var src = row
                    for ky in 0..<g.filterHeight {
                        let y = y0 + ky * g.dilationHeight
                        for kx in 0..<g.filterWidth {
                            let x = x0 + kx * g.dilationWidth
                            if y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth {
                                let dst = image + (y * g.inputWidth + x) * c
                                for i in 0..<c { dst[i] += src[i] }
                            }
                            src += c
                        }
                    }
                    row += g.patchLength
                }
            }
        }
    }
}
