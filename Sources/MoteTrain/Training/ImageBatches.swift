import MoteImage

/// Images decoded in memory, delivered through MoteImage's `BatchStream`: a seeded shuffle per
/// epoch and augmentation keyed by (seed, epoch, image index), produced on a background thread
/// ahead of the trainer. With `shuffle` false and no augmentation it is an evaluation set in
/// stored order.
public final class ImageBatches: BatchProvider {
    public let stream: BatchStream
    private var epoch: EpochBatches?

    /// Batches of `images` (pixels × `scale` + `offset`).
    public init(images: DecodedImages, batchSize: Int, augmentation: Augmentation, seed: UInt64, shuffle: Bool,
                scale: Float = 1 / 255, offset: Float = 0) throws {
        stream = try BatchStream(images: images, batchSize: batchSize, augmentation: augmentation, scale: scale, offset: offset,
                                 seed: seed, shuffle: shuffle)
    }

    public var sampleCount: Int { stream.images.count }
    public var sampleShape: [Int] { [stream.images.height, stream.images.width, stream.images.channels] }
    public var classes: [String] { stream.images.classes }

    public func start(epoch: Int, batchIndex: Int, batchSize: Int) {
        precondition(batchSize == stream.batchSize, "ImageBatches: batch size \(batchSize), the stream makes \(stream.batchSize)")
        self.epoch = nil  // stops the previous producer before the next one starts
        self.epoch = stream.epoch(epoch, startingAt: batchIndex)
    }

    public func next(x: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) -> Int {
        guard let batch = epoch?.next() else { return 0 }
        batch.x.withUnsafeBufferPointer { x.update(from: $0.baseAddress!, count: $0.count) }
        for (i, y) in batch.y.enumerated() { labels[i] = Int32(y) }
        return batch.count
    }
}
