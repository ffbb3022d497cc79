extension Image {
    /// The image with `channels` channels (1 or 3), converted as Pillow's `Image.convert` does:
    /// RGB → L is ITU-R 601-2 luma in Pillow's fixed point, `(R·19595 + G·38470 + B·7471 + 2¹⁵) >> 16`;
    /// L → RGB repeats the sample. The same channel count returns the image unchanged.
    public func converted(channels target: Int) -> Image {
        precondition(target == 1 || target == 3, "channels must be 1 or 3")
        if target == channels { return self }
        let count = width * height
        var out = [UInt8](repeating: 0, count: count * target)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                if target == 1 {
                    Image.rgbToLuma(src.baseAddress!, dst.baseAddress!, count: count)
                } else {
                    for i in 0..<count {
                        let v = src[i]
                        dst[3 * i] = v; dst[3 * i + 1] = v; dst[3 * i + 2] = v
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: target, pixels: out)
    }

    /// Pillow's RGB → L (`L24` in Convert.c), `count` pixels.
    @inlinable static func rgbToLuma(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count: Int) {
        for i in 0..<count {
            let r = UInt32(src[3 * i]), g = UInt32(src[3 * i + 1]), b = UInt32(src[3 * i + 2])
            dst[i] = UInt8(truncatingIfNeeded: (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
        }
    }

    /// Pillow's CMYK → RGB (`cmyk2rgb`): with nk = 255 − K, each of R, G, B is
    /// nk − round(C·nk / 255) in Pillow's MULDIV255 rounding, `count` pixels of 4 → 3 samples.
    @inlinable static func cmykToRGB(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count: Int, inverted: Bool) {
        for i in 0..<count {
            var s = (Int(src[4 * i]), Int(src[4 * i + 1]), Int(src[4 * i + 2]), Int(src[4 * i + 3]))
            if inverted { s = (255 - s.0, 255 - s.1, 255 - s.2, 255 - s.3) }
            let nk = 255 - s.3
            @inline(__always) func channel(_ c: Int) -> UInt8 {
                let t = c * nk + 128
                let v = nk - (((t >> 8) + t) >> 8)
                return UInt8(clamping: v)
            }
            dst[3 * i] = channel(s.0)
            dst[3 * i + 1] = channel(s.1)
            dst[3 * i + 2] = channel(s.2)
        }
    }
}
