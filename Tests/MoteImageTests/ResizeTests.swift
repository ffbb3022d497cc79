import XCTest
@testable import MoteImage

/// Resizing against Pillow's own `Image.resize` outputs (NEAREST, BILINEAR, BOX) saved in
/// Fixtures/resize: up- and down-scaling, odd sizes, one-axis resizes, 1 and 3 channels.
final class ResizeTests: XCTestCase {
    func testMatchesPillowExactly() throws {
        let cases = try Fixtures.manifest()["resize"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 42)
        var worst = 0
        for c in cases {
            let source = try Fixtures.bytes("resize/" + (c["source"] as! String))
            let image = Image(width: c["width"] as! Int, height: c["height"] as! Int, channels: c["channels"] as! Int, pixels: source)
            let method = ResizeMethod(rawValue: c["method"] as! String)!
            let expected = try Fixtures.bytes("resize/" + (c["expected"] as! String))
            let out = image.resized(width: c["outWidth"] as! Int, height: c["outHeight"] as! Int, method: method)
            let d = maxDifference(out.pixels, expected)
            worst = max(worst, d)
            XCTAssertEqual(d, 0, "\(c["expected"]!): max |Mote − Pillow| = \(d)")
        }
        XCTAssertEqual(worst, 0)
    }

    /// A hand-worked case: BOX shrinking 4 → 2 is the mean of pixel pairs, rounded half up;
    /// BILINEAR 4 → 2 has support 2: weights (1, 3, 3, 1)/8 around each centre, clipped at the edge.
    func testHandWorkedShrink() {
        let image = Image(width: 4, height: 1, channels: 1, pixels: [0, 10, 20, 31])
        XCTAssertEqual(image.resized(width: 2, height: 1, method: .area).pixels, [5, 26])  // 5, 25.5 → 26
        // Output 0: centre 1.0, taps x=0,1,2 weights 0.75, 0.75, 0.25 → (0·.75 + 10·.75 + 20·.25)/1.75 = 7.14 → 7.
        // Output 1: centre 3.0, taps x=1,2,3 weights 0.25, 0.75, 0.75 → (2.5 + 15 + 23.25)/1.75 = 23.29 → 23.
        XCTAssertEqual(image.resized(width: 2, height: 1, method: .bilinear).pixels, [7, 23])
        XCTAssertEqual(image.resized(width: 2, height: 1, method: .nearest).pixels, [10, 31])  // trunc(1.0), trunc(3.0)
    }

    func testIntoCallerBufferEqualsResized() throws {
        let source = try Fixtures.bytes("resize/s3_rgb.bin")
        let image = Image(width: 200, height: 200, channels: 3, pixels: source)
        for method in ResizeMethod.allCases {
            let plan = try ResizePlan(inWidth: 200, inHeight: 200, outWidth: 64, outHeight: 64, method: method)
            var buffer = [UInt8](repeating: 7, count: 64 * 64 * 3)
            buffer.withUnsafeMutableBufferPointer { image.resize(with: plan, into: $0) }
            XCTAssertEqual(buffer, image.resized(width: 64, height: 64, method: method).pixels)
        }
    }

    func testBadSizesAreErrors() {
        XCTAssertThrowsError(try ResizePlan(inWidth: 0, inHeight: 5, outWidth: 3, outHeight: 3, method: .bilinear)) { error in
            XCTAssertTrue("\(error)".contains("sizes must be positive"))
        }
    }
}
