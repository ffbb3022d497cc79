import Foundation
import XCTest
@testable import MoteImage

/// The warp against outputs saved once from scipy 1.17 and Keras 3.15 (Fixtures/augment):
/// `scipy.ndimage.affine_transform(order=1, mode="nearest")` over Mote's own map, and Keras 3's
/// legacy `apply_affine_transform` itself.
final class AugmentationFixtureTests: XCTestCase {
    private func manifest() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("augment/manifest.json"))) as! [String: Any]
    }

    private func floats(_ name: String) throws -> [Float] {
        let bytes = try Fixtures.bytes("augment/" + name)
        return bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    private func parameters(_ p: [String: Any]) -> AugmentationParameters {
        var q = AugmentationParameters()
        q.theta = (p["theta"] as! NSNumber).doubleValue; q.tx = (p["tx"] as! NSNumber).doubleValue; q.ty = (p["ty"] as! NSNumber).doubleValue
        q.shear = (p["shear"] as! NSNumber).doubleValue; q.zx = (p["zx"] as! NSNumber).doubleValue; q.zy = (p["zy"] as! NSNumber).doubleValue
        return q
    }

    private func warp(_ c: [String: Any], _ p: AugmentationParameters) throws -> [Float] {
        let h = c["height"] as! Int, w = c["width"] as! Int
        let src = try Fixtures.bytes("augment/" + (c["image"] as! String))
        var out = [Float](repeating: .nan, count: h * w * 3)
        src.withUnsafeBufferPointer { s in
            AffineWarp.warp(s.baseAddress!, height: h, width: w, channels: 3, map: AffineMap.keras(p, height: h, width: w), scale: 1, offset: 0, into: &out)
        }
        return out
    }

    func testSamplingMatchesScipy() throws {
        let cases = try manifest()["scipy_cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 10)
        var worst: Float = 0
        for c in cases {
            let got = try warp(c, parameters(c["params"] as! [String: Any])), want = try floats(c["expected"] as! String)
            let d = zip(got, want).map { abs($0 - $1) }.max()!
            worst = max(worst, d)
            XCTAssertLessThan(d, 0.01, "\(c["expected"]!)")
        }
        print("augmentation vs scipy affine_transform(order=1, mode=nearest): max |Mote − scipy| = \(worst)")
    }

    /// Keras 3 swaps rows and columns for channels-last images: its (θ, tx, ty, zx, zy) is Mote's
    /// (−θ, ty, tx, zy, zx) on a square image (shear 0, which does not map onto Mote's form).
    func testKeras3ApplyAffineTransform() throws {
        let cases = try manifest()["keras_cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 3)
        var worst: Float = 0
        for c in cases {
            let k = parameters(c["params"] as! [String: Any])
            var p = AugmentationParameters()
            p.theta = -k.theta; p.tx = k.ty; p.ty = k.tx; p.zx = k.zy; p.zy = k.zx
            let got = try warp(c, p), want = try floats(c["expected"] as! String)
            let d = zip(got, want).map { abs($0 - $1) }.max()!
            worst = max(worst, d)
            XCTAssertLessThan(d, 0.01, "\(c["expected"]!)")
        }
        print("augmentation vs Keras 3 apply_affine_transform: max |Mote − Keras| = \(worst)")
    }

    /// Keras' brightness shift (through Pillow's ImageEnhance) on fractional samples, saved from
    /// Keras 3.15: x = a · 0.97 + 0.6 with factors 1.3 and 0.6; must be equal exactly.
    func testBrightnessMatchesKeras() throws {
        let a = try Fixtures.bytes("augment/a24.bin").map { Float($0) * 0.97 + 0.6 }
        for (b, name) in [(Float(1.3), "brightness_1.3.bin"), (Float(0.6), "brightness_0.6.bin")] {
            let want = try floats(name)
            XCTAssertEqual(a.map { AffineWarp.brightnessShift($0, factor: b) }, want, name)
        }
    }
}
