import XCTest
import MoteImage

/// Real faces from ../shared/data/faces against Pillow (saved once): the whole decode matches
/// Pillow's libjpeg decode byte for byte (FNV-1a hash), and decode + resize to 64×64 equals
/// tflite_peer.py's preprocessing (`convert(mode).resize((64, 64), NEAREST|BILINEAR)`).
final class FacesTests: XCTestCase {
    func testRealFacesMatchPillow() throws {
        let faces = try Fixtures.faces()
        let entries = try Fixtures.manifest()["faces"] as! [[String: Any]]
        XCTAssertEqual(entries.count, 4)
        for e in entries {
            let path = faces.appendingPathComponent("val").appendingPathComponent(e["file"] as! String).path
            let rgb = try JPEG.decode(path: path, channels: 3)
            let gray = try JPEG.decode(path: path, channels: 1)
            XCTAssertEqual(rgb.width, e["width"] as? Int)
            XCTAssertEqual(Fixtures.fnv1a64(rgb.pixels), e["rgb_fnv1a64"] as? String, "\(path) RGB decode")
            XCTAssertEqual(Fixtures.fnv1a64(gray.pixels), e["gray_fnv1a64"] as? String, "\(path) L decode")
            for method in [ResizeMethod.nearest, .bilinear] {
                let expected = try Fixtures.bytes("faces/" + (e["rgb64_\(method.rawValue)"] as! String))
                XCTAssertEqual(maxDifference(rgb.resized(width: 64, height: 64, method: method).pixels, expected), 0, "\(path) \(method)")
            }
            let expectedGray = try Fixtures.bytes("faces/" + (e["gray64_nearest"] as! String))
            XCTAssertEqual(maxDifference(gray.resized(width: 64, height: 64, method: .nearest).pixels, expectedGray), 0)
        }
    }
}
