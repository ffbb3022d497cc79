import XCTest
@testable import MoteImage

final class BatchStreamTests: XCTestCase {
    /// 10 tiny 4×5 RGB images whose pixels encode their index.
    private func images(count: Int = 10) -> DecodedImages {
        var pixels: [UInt8] = []
        for i in 0..<count { pixels += (0..<(4 * 5 * 3)).map { UInt8(truncatingIfNeeded: i * 20 + $0 % 7) } }
        return DecodedImages(height: 4, width: 5, channels: 3, pixels: pixels, labels: (0..<count).map { $0 % 2 },
                             classes: ["a", "b"], paths: (0..<count).map { "img\($0).jpg" })
    }

    func testEpochCoversEveryImageOnceWithTheLastPartialBatch() throws {
        let data = images()
        let stream = try BatchStream(images: data, batchSize: 4, augmentation: .none, scale: 0.5, offset: 1, seed: 3)
        XCTAssertEqual(stream.batchesPerEpoch, 3)
        let batches = Array(stream.epoch(0))
        XCTAssertEqual(batches.map(\.count), [4, 4, 2])
        let seen = batches.flatMap(\.indices)
        XCTAssertEqual(Set(seen), Set(0..<10))
        XCTAssertNotEqual(seen, Array(0..<10))  // shuffled
        for b in batches {
            XCTAssertEqual(b.y, b.indices.map { $0 % 2 })
            for (k, i) in b.indices.enumerated() {
                let expected = data.image(i).pixels.map { Float($0) * 0.5 + 1 }
                XCTAssertEqual(Array(b.x[(k * 60)..<((k + 1) * 60)]), expected)
            }
        }
    }

    func testSeededAndResumable() throws {
        let stream = try BatchStream(images: images(count: 37), batchSize: 8, augmentation: .kerasTutorial, seed: 11)
        let a = Array(stream.epoch(2)), b = Array(stream.epoch(2))
        XCTAssertEqual(a.map(\.x), b.map(\.x))
        XCTAssertEqual(a.map(\.indices), b.map(\.indices))
        XCTAssertNotEqual(a.map(\.indices), Array(stream.epoch(3)).map(\.indices))
        // Resuming at batch 3 sees exactly batches 3 and 4; each equals the synchronous batch.
        let resumed = Array(stream.epoch(2, startingAt: 3))
        XCTAssertEqual(resumed.map(\.indices), a[3...].map(\.indices))
        XCTAssertEqual(resumed.map(\.x), a[3...].map(\.x))
        XCTAssertEqual(stream.makeBatch(epoch: 2, batch: 1).x, a[1].x)
        // Another seed, other augmentations of the same images.
        let other = try BatchStream(images: images(count: 37), batchSize: 8, augmentation: .kerasTutorial, seed: 12)
        XCTAssertNotEqual(other.makeBatch(epoch: 2, batch: 0).x, a[0].x)
    }

    func testUnshuffledOrderAndEarlyStop() throws {
        let stream = try BatchStream(images: images(), batchSize: 3, seed: 0, shuffle: false)
        XCTAssertEqual(Array(stream.epoch(5)).flatMap(\.indices), Array(0..<10))
        // Dropping the iterator after one batch stops its producer (deinit waits for it).
        for _ in 0..<20 {
            let it = stream.epoch(0, depth: 1)
            XCTAssertEqual(it.next()?.indices, [0, 1, 2])
        }
        XCTAssertThrowsError(try BatchStream(images: images(), batchSize: 0))
        // Scale and offset from a model's preprocessing; a size mismatch is an error.
        let p = Preprocessing(height: 4, width: 5, channels: 3, resize: .nearest, scale: 2, offset: -3)
        let scaled = try BatchStream(images: images(), batchSize: 10, preprocessing: p, shuffle: false).makeBatch(epoch: 0, batch: 0)
        XCTAssertEqual(Array(scaled.x.prefix(3)), images().pixels.prefix(3).map { Float($0) * 2 - 3 })
        XCTAssertThrowsError(try BatchStream(images: images(), batchSize: 10, preprocessing: Preprocessing(height: 8, width: 8)))
    }
}
