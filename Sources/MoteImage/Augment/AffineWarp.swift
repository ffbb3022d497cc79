import CMoteImage

/// Samples an 8-bit HWC image through an `AffineMap` into floats, `value × scale + offset`.
/// Bilinear: taps at floor(row), floor(row)+1 and floor(col), floor(col)+1, each index clamped to
/// the image (scipy's `mode="nearest"`: edge pixels repeat), weights (1−f, f) per axis; nearest:
/// the pixel at floor(x + ½), clamped. Coordinates are computed in Double at each row start and
/// in Float along the row; interpolation runs in Float. An identity map copies exactly.
public enum AffineWarp {
    /// `brightness`: when set, each interpolated sample v becomes `min(255, trunc(b · trunc(v)))`
    /// (Keras' brightness shift through Pillow) before scaling.
    public static func warp(_ source: UnsafePointer<UInt8>, height: Int, width: Int, channels: Int, map: AffineMap,
                            interpolation: Augmentation.Interpolation = .bilinear, brightness: Double? = nil,
                            scale: Float, offset: Float, into output: UnsafeMutablePointer<Float>) {
        let count = height * width * channels
        // With a brightness factor the samples are first warped unscaled, then shifted and scaled.
        let (s, o) = brightness == nil ? (scale, offset) : (1, 0)
        if map.isIdentity {
            for i in 0..<count { output[i] = Float(source[i]) * s + o }
        } else if interpolation == .nearest {
            warpNearest(source, height: height, width: width, channels: channels, map: map, scale: s, offset: o, into: output)
        } else if (channels == 3 || channels == 1) && hasAVX2 {
            warpBilinearAVX2(source, height: height, width: width, channels: channels, map: map, scale: s, offset: o, into: output)
        } else if channels == 3 {
            warpBilinear3(source, height: height, width: width, map: map, scale: s, offset: o, into: output)
        } else {
            warpBilinear(source, height: height, width: width, channels: channels, map: map, scale: s, offset: o, into: output)
        }
        if let brightness {
            let b = Float(brightness)
            for i in 0..<count { output[i] = brightnessShift(output[i], factor: b) * scale + offset }
        }
    }

    /// Keras' `apply_brightness_shift(x, b, scale=False)` on one sample: the 8-bit round trip
    /// (`array_to_img` truncates to uint8), then Pillow's `ImageEnhance.Brightness` (a blend with
    /// black: truncation, clipped to 255 when b > 1).
    @inline(__always) static func brightnessShift(_ v: Float, factor b: Float) -> Float {
        let v8 = Float(Int(max(0, min(255, v))))
        return Float(Int(min(255, b * v8)))
    }

    /// Whether the CPU runs CMoteImage's AVX2 loop (identical floats to the Swift loops).
    static let hasAVX2 = mote_image_has_avx2() != 0

    /// CMoteImage's AVX2 version of `warpBilinear3` / `warpBilinear` for 1 or 3 channels (eight
    /// pixels at a time, gathered taps). Its 4-byte loads may read up to three bytes past the last
    /// pixel, so the source is copied into a buffer with room for that (a 12 KB copy for
    /// 64×64×3, small next to the warp).
    static func warpBilinearAVX2(_ source: UnsafePointer<UInt8>, height: Int, width: Int, channels: Int, map: AffineMap,
                                 scale: Float, offset: Float, into output: UnsafeMutablePointer<Float>) {
        let count = height * width * channels
        let padded = UnsafeMutablePointer<UInt8>.allocate(capacity: count + 4)
        defer { padded.deallocate() }
        padded.update(from: source, count: count)
        (padded + count).initialize(repeating: 0, count: 4)
        let m = [map.m00, map.m01, map.m10, map.m11, map.t0, map.t1]
        m.withUnsafeBufferPointer { mote_warp_bilinear_avx2(padded, height, width, channels, $0.baseAddress!, scale, offset, output) }
    }

    /// The floor of a coordinate clamped to [−1, limit + 1] and its fraction. Beyond that range
    /// both taps clamp to the same edge pixel anyway, so the clamp changes no result and lets a
    /// truncating conversion stand in for floor.
    @inline(__always) static func split(_ v: Float, limit: Float) -> (Int, Float) {
        let c = Swift.min(Swift.max(v, -1), limit + 1)
        // c + 1 ≥ 0, so the truncating conversion is floor; Int32 keeps it a single cvttss2si.
        let i = Int32(c + 1) &- 1
        return (Int(i), c - Float(i))
    }

    @inline(__always) static func clampIndex(_ i: Int, _ limit: Int) -> Int {
        i < 0 ? 0 : (i > limit ? limit : i)
    }

    static func warpBilinear3(_ source: UnsafePointer<UInt8>, height: Int, width: Int, map: AffineMap,
                              scale: Float, offset: Float, into output: UnsafeMutablePointer<Float>) {
        let maxRow = Float(height - 1), maxCol = Float(width - 1)
        let lastRow = height - 1, lastCol = width - 1
        let dr = Float(map.m01), dc = Float(map.m11)
        let stride = width * 3
        for r in 0..<height {
            let start = map.apply(row: Double(r), col: 0)
            let y0 = Float(start.row), x0 = Float(start.col)
            let out = output + r * stride
            for c in 0..<width {
                // From the row start, not accumulated, so the error stays at Float's rounding.
                let (yi, fy) = split(y0 + Float(c) * dr, limit: maxRow)
                let (xi, fx) = split(x0 + Float(c) * dc, limit: maxCol)
                let p00: UnsafePointer<UInt8>, p01: UnsafePointer<UInt8>, p10: UnsafePointer<UInt8>, p11: UnsafePointer<UInt8>
                if yi >= 0 && yi < lastRow && xi >= 0 && xi < lastCol {
                    // Interior: the four taps are neighbours (most pixels).
                    p00 = source + yi * stride + xi * 3
                    p01 = p00 + 3; p10 = p00 + stride; p11 = p10 + 3
                } else {
                    let r0 = clampIndex(yi, lastRow) * stride, r1 = clampIndex(yi + 1, lastRow) * stride
                    let c0 = clampIndex(xi, lastCol) * 3, c1 = clampIndex(xi + 1, lastCol) * 3
                    p00 = source + r0 + c0; p01 = source + r0 + c1; p10 = source + r1 + c0; p11 = source + r1 + c1
                }
                let gy = 1 - fy, gx = 1 - fx
                let o = out + c * 3
                let top0 = gx * Float(p00[0]) + fx * Float(p01[0]), bottom0 = gx * Float(p10[0]) + fx * Float(p11[0])
                let top1 = gx * Float(p00[1]) + fx * Float(p01[1]), bottom1 = gx * Float(p10[1]) + fx * Float(p11[1])
                let top2 = gx * Float(p00[2]) + fx * Float(p01[2]), bottom2 = gx * Float(p10[2]) + fx * Float(p11[2])
                o[0] = (gy * top0 + fy * bottom0) * scale + offset
                o[1] = (gy * top1 + fy * bottom1) * scale + offset
                o[2] = (gy * top2 + fy * bottom2) * scale + offset
            }
        }
    }

    static func warpBilinear(_ source: UnsafePointer<UInt8>, height: Int, width: Int, channels: Int, map: AffineMap,
                             scale: Float, offset: Float, into output: UnsafeMutablePointer<Float>) {
        let maxRow = Float(height - 1), maxCol = Float(width - 1)
        let lastRow = height - 1, lastCol = width - 1
        let dr = Float(map.m01), dc = Float(map.m11)
        for r in 0..<height {
            let start = map.apply(row: Double(r), col: 0)
            let y0 = Float(start.row), x0 = Float(start.col)
            let out = output + r * width * channels
            for c in 0..<width {
                let (yi, fy) = split(y0 + Float(c) * dr, limit: maxRow)
                let (xi, fx) = split(x0 + Float(c) * dc, limit: maxCol)
                let r0 = clampIndex(yi, lastRow) * width, r1 = clampIndex(yi + 1, lastRow) * width
                let c0 = clampIndex(xi, lastCol), c1 = clampIndex(xi + 1, lastCol)
                let p00 = source + (r0 + c0) * channels, p01 = source + (r0 + c1) * channels
                let p10 = source + (r1 + c0) * channels, p11 = source + (r1 + c1) * channels
                let gy = 1 - fy, gx = 1 - fx
                // The same operations, in the same order, as warpBilinear3 and the AVX2 loop.
                for k in 0..<channels {
                    let top = gx * Float(p00[k]) + fx * Float(p01[k])
                    let bottom = gx * Float(p10[k]) + fx * Float(p11[k])
                    out[c * channels + k] = (gy * top + fy * bottom) * scale + offset
                }
            }
        }
    }

    static func warpNearest(_ source: UnsafePointer<UInt8>, height: Int, width: Int, channels: Int, map: AffineMap,
                            scale: Float, offset: Float, into output: UnsafeMutablePointer<Float>) {
        let maxRow = Float(height - 1), maxCol = Float(width - 1)
        let dr = Float(map.m01), dc = Float(map.m11)
        for r in 0..<height {
            let start = map.apply(row: Double(r), col: 0)
            let y0 = Float(start.row), x0 = Float(start.col)
            let out = output + r * width * channels
            for c in 0..<width {
                // floor(v + ½) of a coordinate clamped to [0, limit] (both ≥ 0: truncation is floor).
                let ri = Int(Swift.min(Swift.max(y0 + Float(c) * dr + 0.5, 0), maxRow))
                let ci = Int(Swift.min(Swift.max(x0 + Float(c) * dc + 0.5, 0), maxCol))
                let p = source + (ri * width + ci) * channels
                for k in 0..<channels { out[c * channels + k] = Float(p[k]) * scale + offset }
            }
        }
    }
}
