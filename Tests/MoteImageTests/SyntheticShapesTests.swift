import Foundation
import XCTest
@testable import MoteImage

/// The built-in demo dataset: deterministic, balanced, and what it says it is.
final class SyntheticShapesTests: XCTestCase {
    func testSameSeedSameImagesOtherSeedOtherImages() {
        let a = SyntheticShapes(width: 32, height: 24, seed: 5), b = SyntheticShapes(width: 32, height: 24, seed: 5)
        let c = SyntheticShapes(width: 32, height: 24, seed: 6)
        for i in [0, 1, 17] {
            XCTAssertEqual(a.render(i), b.render(i), "image \(i) must depend only on (seed, index)")
            XCTAssertEqual(a.render(i).count, 32 * 24 * 3)
            XCTAssertNotEqual(a.render(i), c.render(i))
        }
        XCTAssertNotEqual(a.render(0), a.render(2))
    }

    /// Every consecutive pair holds one image of each class, so any even prefix is balanced.
    func testLabelsAreBalancedInPairs() {
        let g = SyntheticShapes(seed: 11)
        var counts = [0, 0]
        for pair in 0..<500 {
            let l0 = g.label(of: 2 * pair), l1 = g.label(of: 2 * pair + 1)
            XCTAssertEqual(l0 + l1, 1, "pair \(pair)")
            counts[l0] += 1
            counts[l1] += 1
        }
        XCTAssertEqual(counts, [500, 500])
        let firsts = (0..<500).map { g.label(of: 2 * $0) }.reduce(0, +)
        XCTAssertTrue(firsts > 200 && firsts < 300, "the class order inside pairs is shuffled: \(firsts) of 500")
    }

    /// Every image holds a textured object on a shaded background: far from a flat image.
    func testImagesAreNotFlat() {
        let g = SyntheticShapes(width: 48, height: 48, seed: 3)
        for i in 0..<6 {
            let px = g.render(i).map(Double.init)
            let mean = px.reduce(0, +) / Double(px.count)
            let variance = px.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(px.count)
            XCTAssertGreaterThan(variance.squareRoot(), 8, "image \(i) has standard deviation \(variance.squareRoot())")
        }
    }

    func testWrittenDatasetIsALabeledFolderThatDecodes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mote-synth-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let g = SyntheticShapes(width: 40, height: 40, seed: 9)
        let written = try g.writeDataset(root: root, train: 10, val: 4)
        XCTAssertEqual(written.train, 10)
        let train = try ImageDataset.labeledFolder(root + "/train"), val = try ImageDataset.labeledFolder(root + "/val")
        XCTAssertEqual(train.classes, SyntheticShapes.classes)
        XCTAssertEqual(train.items.count, 10)
        XCTAssertEqual(val.items.count, 4)
        for item in train.items {
            let index = Int(URL(fileURLWithPath: item.path).deletingPathExtension().lastPathComponent)!
            XCTAssertEqual(item.label, g.label(of: index), item.path)
            let image = try JPEG.decode(path: item.path)
            XCTAssertEqual(image.width, 40)
            // JPEG keeps each 8×8 block's mean luma (its DC term) closely, even where it smooths the pixel
            // noise (chroma is subsampled, so only luma is compared).
            let rendered = g.render(index)
            for by in 0..<5 {
                for bx in 0..<5 {
                    var a = 0.0, b = 0.0
                    for y in (by * 8)..<(by * 8 + 8) {
                        for x in (bx * 8)..<(bx * 8 + 8) {
                            for (c, w) in [0.299, 0.587, 0.114].enumerated() {
                                a += w * Double(image.pixels[(y * 40 + x) * 3 + c])
                                b += w * Double(rendered[(y * 40 + x) * 3 + c])
                            }
                        }
                    }
                    XCTAssertEqual(a / 64, b / 64, accuracy: 3, "\(item.path) block (\(bx), \(by))")
                }
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + ".partial-\(getpid())"))
    }
}
