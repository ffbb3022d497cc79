import Foundation
import XCTest
import MoteImage

final class PreprocessingTests: XCTestCase {
    func testMetadataRoundTrip() throws {
        let json = #"{"input": {"height": 64, "width": 48, "channels": 1, "resize": "bilinear", "scale": 0.00392157, "offset": -0.5}, "classes": ["female", "male"]}"#
        let p = try XCTUnwrap(try Preprocessing(metadataJSON: Array(json.utf8)))
        XCTAssertEqual(p, Preprocessing(height: 64, width: 48, channels: 1, resize: .bilinear, scale: 0.00392157, offset: -0.5))
        XCTAssertEqual(try Preprocessing(metadataInput: p.metadataInput), p)
        let encoded = try JSONEncoder().encode(p)
        XCTAssertEqual(try JSONDecoder().decode(Preprocessing.self, from: encoded), p)
        XCTAssertNil(try Preprocessing(metadataJSON: Array(#"{"classes": []}"#.utf8)))
    }

    func testMetadataErrorsNameTheField() {
        func message(_ object: [String: Any]) -> String {
            do { _ = try Preprocessing(metadataInput: object); return "parsed" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(["width": 64]).contains("\"height\""))
        XCTAssertTrue(message(["height": 64, "width": 64, "channels": 4]).contains("\"channels\""))
        XCTAssertTrue(message(["height": 64, "width": 64, "resize": "cubic"]).contains("\"resize\""))
        XCTAssertTrue(message(["height": 64.5, "width": 64]).contains("\"height\""))
        XCTAssertTrue(message(["height": 64, "width": 64, "scale": "x"]).contains("\"scale\""))
        XCTAssertEqual(message(["height": 8, "width": 8]), "parsed")
    }

    /// load = decode → channels → Pillow resize → pixel × scale + offset, checked on the Pillow
    /// fixture (the 200×200 source resized to 64×64 by Pillow).
    func testLoadScalesThePillowResize() throws {
        let source = Image(width: 200, height: 200, channels: 3, pixels: try Fixtures.bytes("resize/s3_rgb.bin"))
        let expected = try Fixtures.bytes("resize/s3_rgb_64x64_bilinear.bin")
        let p = Preprocessing(height: 64, width: 64, channels: 3, resize: .bilinear, scale: 2 / 255, offset: -1)
        let x = p.load(source)
        XCTAssertEqual(x.count, 64 * 64 * 3)
        for i in stride(from: 0, to: x.count, by: 97) {
            XCTAssertEqual(x[i], Float(expected[i]) * (2 / 255) - 1)
        }
        // Gray from RGB uses Pillow's luma before resizing.
        let gray = Preprocessing(height: 64, width: 64, channels: 1, resize: .nearest, scale: 1, offset: 0).load(source)
        let luma = source.converted(channels: 1).resized(width: 64, height: 64, method: .nearest)
        XCTAssertEqual(gray, luma.pixels.map(Float.init))
        let r = Int(source.pixels[0]), g = Int(source.pixels[1]), b = Int(source.pixels[2])
        XCTAssertEqual(Int(source.converted(channels: 1).pixels[0]), (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16)
    }

    func testLoadPathNamesTheFileOnError() throws {
        let dir = try Fixtures.temporaryFolder(self)
        let path = dir.appendingPathComponent("bad.jpg").path
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Preprocessing(height: 8, width: 8).load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): not a JPEG file (it looks like text)")
        }
        let good = Fixtures.root.appendingPathComponent("jpeg/baseline.jpg").path
        XCTAssertEqual(try Preprocessing(height: 8, width: 8).load(path: good).count, 192)
    }
}
