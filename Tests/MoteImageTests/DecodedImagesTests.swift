import Foundation
import XCTest
import MoteImage

/// Decoding a labeled folder made here: real JPEGs (compressed through libjpeg), a corrupt file,
/// a truncated one, a text file and a PNG named .jpg: the bad ones are skipped with their path
/// and reason, `strict` throws naming the first, and the good ones equal a one-by-one decode.
final class DecodedImagesTests: XCTestCase {
    private func makeFolder() throws -> (URL, [String: Image]) {
        let root = try Fixtures.temporaryFolder(self)
        var originals: [String: Image] = [:]
        for (i, name) in ["cat/a.jpg", "cat/b.jpg", "dog/c.jpg", "dog/d.jpeg", "dog/e.jpg"].enumerated() {
            let w = 40 + 7 * i, h = 30 + 5 * i
            var pixels = [UInt8](repeating: 0, count: w * h * 3)
            for k in pixels.indices { pixels[k] = UInt8(truncatingIfNeeded: (k * (i + 3)) / 5) }
            let image = Image(width: w, height: h, channels: 3, pixels: pixels)
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(try JPEG.encode(image, quality: 90, progressive: i == 2)).write(to: url)
            originals[url.path] = try JPEG.decode(path: url.path)
        }
        let good = try Data(contentsOf: root.appendingPathComponent("cat/a.jpg"))
        var corrupt = [UInt8](good)
        for k in stride(from: 200, to: corrupt.count - 2, by: 3) { corrupt[k] = 0xFF }  // markers everywhere in the scan
        try Data(corrupt).write(to: root.appendingPathComponent("cat/corrupt.jpg"))
        try good.prefix(good.count / 3).write(to: root.appendingPathComponent("cat/truncated.jpg"))
        try Data("hello\n".utf8).write(to: root.appendingPathComponent("dog/notes.jpg"))
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).write(to: root.appendingPathComponent("dog/picture.png"))
        return (root, originals)
    }

    func testBadFilesAreSkippedWithReasons() throws {
        let (root, originals) = try makeFolder()
        let ds = try ImageDataset.labeledFolder(root.path)
        XCTAssertEqual(ds.count, 9)
        var calls = 0
        let decoded = try DecodedImages.decode(ds, height: 16, width: 24, channels: 3, resize: .bilinear, threads: 2) { done, total in
            calls += 1
            XCTAssertLessThanOrEqual(done, total)
        }
        XCTAssertGreaterThan(calls, 0)
        XCTAssertEqual(decoded.count, 5)
        XCTAssertEqual(decoded.labels, [0, 0, 1, 1, 1])
        XCTAssertEqual(decoded.classes, ["cat", "dog"])
        let skipped = Dictionary(uniqueKeysWithValues: decoded.skipped.map { (($0.path as NSString).lastPathComponent, $0.reason) })
        XCTAssertEqual(Set(skipped.keys), ["truncated.jpg", "notes.jpg", "picture.png", "corrupt.jpg"], "\(decoded.skipped)")
        XCTAssertTrue(skipped["truncated.jpg"]!.contains("truncated"), skipped["truncated.jpg"]!)
        XCTAssertTrue(skipped["notes.jpg"]!.contains("text"))
        XCTAssertTrue(skipped["picture.png"]!.contains("PNG"))
        for (k, path) in decoded.paths.enumerated() {
            XCTAssertEqual(decoded.image(k), originals[path]!.resized(width: 24, height: 16, method: .bilinear), path)
        }
        // One thread gives the same bytes.
        let single = try DecodedImages.decode(ds, height: 16, width: 24, channels: 3, resize: .bilinear, threads: 1, progress: nil)
        XCTAssertEqual(single.pixels, decoded.pixels)
        // Grayscale decode of the same set.
        let gray = try DecodedImages.decode(ds, height: 8, width: 8, channels: 1, resize: .nearest, threads: 2, progress: nil)
        XCTAssertEqual(gray.image(0), originals[gray.paths[0]]!.converted(channels: 1).resized(width: 8, height: 8, method: .nearest))
    }

    func testStrictThrowsNamingTheFile() throws {
        let (root, _) = try makeFolder()
        let ds = try ImageDataset.labeledFolder(root.path)
        XCTAssertThrowsError(try DecodedImages.decode(ds, height: 8, width: 8, channels: 3, resize: .nearest, strict: true, progress: nil)) { error in
            XCTAssertTrue("\(error)".contains("cat/corrupt.jpg"), "\(error)")
        }
    }

    func testNothingDecodableIsAnError() throws {
        let root = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("x"), withIntermediateDirectories: true)
        try Data("text".utf8).write(to: root.appendingPathComponent("x/a.jpg"))
        let ds = try ImageDataset.labeledFolder(root.path)
        XCTAssertThrowsError(try DecodedImages.decode(ds, height: 8, width: 8, channels: 3, resize: .nearest, progress: nil)) { error in
            XCTAssertTrue("\(error)".contains("none of the 1 images"), "\(error)")
        }
    }
}
