import Foundation
import XCTest
@testable import MoteImage

/// The warp against a float64 recomputation of the same affine map written here (Keras'
/// matrices multiplied out step by step, scipy's order-1 "nearest"-mode sampling), plus exact
/// cases: identity, flips, a 90° rotation.
final class AugmentationTests: XCTestCase {
    private func randomImage(_ h: Int, _ w: Int, _ c: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<(h * w * c)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    private func warp(_ src: [UInt8], _ h: Int, _ w: Int, _ c: Int, _ map: AffineMap, interpolation: Augmentation.Interpolation = .bilinear,
                      brightness: Double? = nil, scale: Float = 1, offset: Float = 0) -> [Float] {
        var out = [Float](repeating: .nan, count: h * w * c)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                AffineWarp.warp(s.baseAddress!, height: h, width: w, channels: c, map: map, interpolation: interpolation,
                                brightness: brightness, scale: scale, offset: offset, into: o.baseAddress!)
            }
        }
        return out
    }

    /// 3×3 matrix product, for building Keras' transform the way apply_affine_transform does.
    private func mul(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0.0) { $0 + a[i][$1] * b[$1][j] } } }
    }

    /// Keras: T = R·Shift·Shear·Zoom, then offset_center(T, h, w) = Off(o)·T·Off(−o), o = size/2 − 0.5;
    /// scipy reads input = T[:2,:2]·(r, c) + T[:2,2], bilinear with edge-clamped taps; flip after.
    private func reference(_ src: [UInt8], _ h: Int, _ w: Int, _ ch: Int, _ p: AugmentationParameters) -> [Double] {
        let th = p.theta * .pi / 180, sh = p.shear * .pi / 180
        let rot = [[cos(th), -sin(th), 0], [sin(th), cos(th), 0], [0, 0, 1]]
        let shift = [[1, 0, p.tx], [0, 1, p.ty], [0, 0, 1.0]]
        let shear = [[1, -sin(sh), 0], [0, cos(sh), 0], [0, 0, 1]]
        let zoom = [[p.zx, 0, 0], [0, p.zy, 0], [0, 0, 1.0]]
        let t = mul(mul(mul(rot, shift), shear), zoom)
        let orow = Double(h) / 2 - 0.5, ocol = Double(w) / 2 - 0.5
        let m = mul(mul([[1, 0, orow], [0, 1, ocol], [0, 0, 1]], t), [[1, 0, -orow], [0, 1, -ocol], [0, 0, 1]])
        func at(_ r: Int, _ c: Int, _ k: Int) -> Double {
            Double(src[(min(max(r, 0), h - 1) * w + min(max(c, 0), w - 1)) * ch + k])
        }
        var warped = [Double](repeating: 0, count: h * w * ch)
        for r in 0..<h {
            for c in 0..<w {
                let y = m[0][0] * Double(r) + m[0][1] * Double(c) + m[0][2]
                let x = m[1][0] * Double(r) + m[1][1] * Double(c) + m[1][2]
                let y0 = Int(floor(y)), x0 = Int(floor(x)), fy = y - floor(y), fx = x - floor(x)
                for k in 0..<ch {
                    warped[(r * w + c) * ch + k] = (1 - fy) * ((1 - fx) * at(y0, x0, k) + fx * at(y0, x0 + 1, k))
                        + fy * ((1 - fx) * at(y0 + 1, x0, k) + fx * at(y0 + 1, x0 + 1, k))
                }
            }
        }
        var out = warped
        for r in 0..<h {
            for c in 0..<w {
                let sr = p.flipVertical ? h - 1 - r : r, sc = p.flipHorizontal ? w - 1 - c : c
                for k in 0..<ch { out[(r * w + c) * ch + k] = warped[(sr * w + sc) * ch + k] }
            }
        }
        return out
    }

    func testWarpMatchesFloat64Recomputation() {
        var rng = SplitMix64(seed: 42)
        var worst = 0.0
        for trial in 0..<24 {
            let (h, w, c) = [(64, 64, 3), (37, 50, 3), (31, 17, 1)][trial % 3]
            let src = randomImage(h, w, c, seed: UInt64(trial))
            var aug = Augmentation.kerasTutorial
            aug.verticalFlip = true
            aug.shearRange = 30  // degrees, large enough to matter
            let p = aug.parameters(height: h, width: w, using: &rng)
            let got = warp(src, h, w, c, AffineMap.keras(p, height: h, width: w))
            let want = reference(src, h, w, c, p)
            for i in 0..<got.count { worst = max(worst, abs(Double(got[i]) - want[i])) }
        }
        print("augmentation warp: max |Mote − float64| = \(worst) (of 255)")
        XCTAssertLessThan(worst, 0.02)
    }

    /// The AVX2 loop (CMoteImage) gives the same floats as the Swift loop, on maps that reach far
    /// outside the image and widths that are not multiples of 8.
    func testAVX2LoopEqualsSwiftLoop() throws {
        guard AffineWarp.hasAVX2 else { throw XCTSkip("no AVX2 on this CPU") }
        var rng = SplitMix64(seed: 77)
        for trial in 0..<48 {
            let (h, w) = [(64, 64), (13, 21), (5, 3), (40, 67)][trial % 4]
            let channels = trial % 3 == 2 ? 1 : 3
            let src = randomImage(h, w, channels, seed: UInt64(100 + trial))
            var aug = Augmentation.kerasTutorial
            aug.verticalFlip = true
            aug.shearRange = 45
            aug.zoom = 0.3...2.5
            aug.widthShiftRange = 0.9; aug.heightShiftRange = 0.9
            let map = AffineMap.keras(aug.parameters(height: h, width: w, using: &rng), height: h, width: w)
            var a = [Float](repeating: .nan, count: h * w * channels), b = a, c = a
            src.withUnsafeBufferPointer { s in
                if channels == 3 {
                    AffineWarp.warpBilinear3(s.baseAddress!, height: h, width: w, map: map, scale: 1 / 255, offset: -0.25, into: &a)
                } else {
                    a = [Float](repeating: 0, count: h * w)
                }
                AffineWarp.warpBilinear(s.baseAddress!, height: h, width: w, channels: channels, map: map, scale: 1 / 255, offset: -0.25, into: &c)
                AffineWarp.warpBilinearAVX2(s.baseAddress!, height: h, width: w, channels: channels, map: map, scale: 1 / 255, offset: -0.25, into: &b)
            }
            if channels == 3 { XCTAssertEqual(a, b, "trial \(trial) \(h)x\(w)x3 warpBilinear3") }
            XCTAssertEqual(c, b, "trial \(trial) \(h)x\(w)x\(channels) warpBilinear")
        }
    }

    func testIdentityIsExactAndScaled() {
        let src = randomImage(9, 7, 3, seed: 1)
        XCTAssertEqual(warp(src, 9, 7, 3, .identity), src.map(Float.init))
        XCTAssertEqual(warp(src, 9, 7, 3, AffineMap.keras(AugmentationParameters(), height: 9, width: 7)), src.map(Float.init))
        XCTAssertEqual(warp(src, 9, 7, 3, .identity, scale: 1 / 255, offset: -0.5), src.map { Float($0) * (1 / 255) - 0.5 })
        var rng = SplitMix64(seed: 1)
        XCTAssertEqual(Augmentation.none.parameters(height: 9, width: 7, using: &rng), AugmentationParameters())
    }

    func testFlipsAndQuarterTurnAreExact() {
        let h = 6, w = 6
        let src = randomImage(h, w, 1, seed: 3)
        var p = AugmentationParameters()
        p.flipHorizontal = true
        let flipped = warp(src, h, w, 1, AffineMap.keras(p, height: h, width: w))
        for r in 0..<h { for c in 0..<w { XCTAssertEqual(flipped[r * w + c], Float(src[r * w + (w - 1 - c)])) } }
        p = AugmentationParameters(); p.flipVertical = true
        let upside = warp(src, h, w, 1, AffineMap.keras(p, height: h, width: w))
        for r in 0..<h { for c in 0..<w { XCTAssertEqual(upside[r * w + c], Float(src[(h - 1 - r) * w + c])) } }
        // θ = 90°: input = R·(p − o) + o reads row = o + (−(c − o)) = 5 − c, col = r (sin 90° = 1).
        p = AugmentationParameters(); p.theta = 90
        let turned = warp(src, h, w, 1, AffineMap.keras(p, height: h, width: w))
        for r in 0..<h { for c in 0..<w { XCTAssertEqual(turned[r * w + c], Float(src[(5 - c) * w + r]), accuracy: 1e-3) } }
        // A shift of 2 rows reads row r + 2, repeating the last row beyond the edge (fill nearest).
        p = AugmentationParameters(); p.tx = 2
        let shifted = warp(src, h, w, 1, AffineMap.keras(p, height: h, width: w))
        for r in 0..<h { for c in 0..<w { XCTAssertEqual(shifted[r * w + c], Float(src[min(r + 2, 5) * w + c])) } }
    }

    func testBrightnessFollowsPillowEnhance() {
        let src: [UInt8] = [0, 10, 100, 200, 255, 128]
        XCTAssertEqual(warp(src, 1, 6, 1, .identity, brightness: 1.3), [0, 13, 130, 255, 255, 166])  // trunc(1.3·v), clipped
        XCTAssertEqual(warp(src, 1, 6, 1, .identity, brightness: 0.5), [0, 5, 50, 100, 127, 64])
    }

    func testParametersFollowKerasRanges() {
        var minima = [Double](repeating: .infinity, count: 6), maxima = [Double](repeating: -.infinity, count: 6)
        var flips = 0
        for i in 0..<4000 {
            let p = Augmentation.kerasTutorial.parameters(height: 64, width: 48, seed: 7, epoch: 0, index: i)
            let v = [p.theta, p.tx, p.ty, p.shear, p.zx, p.zy]
            for k in 0..<6 { minima[k] = min(minima[k], v[k]); maxima[k] = max(maxima[k], v[k]) }
            if p.flipHorizontal { flips += 1 }
            XCTAssertFalse(p.flipVertical); XCTAssertNil(p.brightness)
        }
        let bounds: [(Double, Double)] = [(-40, 40), (-12.8, 12.8), (-9.6, 9.6), (-0.2, 0.2), (0.8, 1.2), (0.8, 1.2)]
        for k in 0..<6 {
            XCTAssertGreaterThanOrEqual(minima[k], bounds[k].0); XCTAssertLessThan(maxima[k], bounds[k].1)
            let span = bounds[k].1 - bounds[k].0
            XCTAssertLessThan(minima[k] - bounds[k].0, span * 0.01); XCTAssertLessThan(bounds[k].1 - maxima[k], span * 0.01)
        }
        XCTAssertEqual(Double(flips) / 4000, 0.5, accuracy: 0.04)
        // Keyed by (seed, epoch, index): independent of call order, different across keys.
        let a = Augmentation.kerasTutorial.parameters(height: 64, width: 64, seed: 7, epoch: 3, index: 11)
        XCTAssertEqual(a, Augmentation.kerasTutorial.parameters(height: 64, width: 64, seed: 7, epoch: 3, index: 11))
        XCTAssertNotEqual(a, Augmentation.kerasTutorial.parameters(height: 64, width: 64, seed: 7, epoch: 4, index: 11))
        XCTAssertNotEqual(a, Augmentation.kerasTutorial.parameters(height: 64, width: 64, seed: 8, epoch: 3, index: 11))
    }

    func testInvalidParametersAreErrors() {
        var a = Augmentation.kerasTutorial
        a.rotationRange = -1
        XCTAssertThrowsError(try a.validate())
        a = Augmentation(zoomRange: 1.5)
        XCTAssertThrowsError(try a.validate())
    }

    /// Cost of one 64×64×3 warp (the trainer's budget is a few microseconds per image).
    func testWarpCost() {
        let src = randomImage(64, 64, 3, seed: 5)
        var out = [Float](repeating: 0, count: 64 * 64 * 3)
        let maps = (0..<256).map { AffineMap.keras(Augmentation.kerasTutorial.parameters(height: 64, width: 64, seed: 1, epoch: 0, index: $0), height: 64, width: 64) }
        let start = Date()
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for _ in 0..<8 { for m in maps { AffineWarp.warp(s.baseAddress!, height: 64, width: 64, channels: 3, map: m, scale: 1 / 255, offset: 0, into: o.baseAddress!) } }
            }
        }
        let perImage = Date().timeIntervalSince(start) / Double(8 * maps.count)
        print("augmentation warp 64x64x3: \(String(format: "%.1f", perImage * 1e6)) µs per image (build configuration of this test run)")
        XCTAssertLessThan(perImage, 0.002)
    }
}
