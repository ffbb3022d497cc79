import Foundation

/// Mini-batches over images decoded in memory, for training and evaluation.
/// Per epoch the image order is a seeded shuffle (`SplitMix64(seed:keys: epoch)`, Fisher–Yates),
/// or the stored order with `shuffle: false`; batches hold `batchSize` images and the last partial
/// batch is kept. Each image is augmented with parameters keyed by (seed, epoch, image index)
/// (`Augmentation.parameters(height:width:seed:epoch:index:)`), one affine warp, and written as
/// `pixel × scale + offset`. Everything is a pure function of (seed, epoch, batch index), so a run
/// resumed at batch k of an epoch sees exactly the batches it would have seen.
public final class BatchStream: @unchecked Sendable {
    public let images: DecodedImages
    public let batchSize: Int
    public let augmentation: Augmentation
    public let scale: Float
    public let offset: Float
    public let seed: UInt64
    public let shuffle: Bool

    public init(images: DecodedImages, batchSize: Int, augmentation: Augmentation = .none, scale: Float = 1 / 255, offset: Float = 0,
                seed: UInt64 = 0, shuffle: Bool = true) throws {
        guard batchSize > 0 else { throw ImageError(.invalidArgument, "batch size must be positive, not \(batchSize)") }
        guard images.count > 0 else { throw ImageError(.invalidArgument, "no images to batch") }
        try augmentation.validate()
        self.images = images
        self.batchSize = batchSize
        self.augmentation = augmentation
        self.scale = scale
        self.offset = offset
        self.seed = seed
        self.shuffle = shuffle
    }

    /// A stream scaling pixels with a model's preprocessing (`pixel × scale + offset`); the images
    /// must have been decoded at its size and channels.
    public convenience init(images: DecodedImages, batchSize: Int, augmentation: Augmentation = .none, preprocessing p: Preprocessing,
                            seed: UInt64 = 0, shuffle: Bool = true) throws {
        guard images.height == p.height, images.width == p.width, images.channels == p.channels else {
            throw ImageError(.invalidArgument, "images are \(images.width)x\(images.height)x\(images.channels), preprocessing wants \(p.width)x\(p.height)x\(p.channels)")
        }
        try self.init(images: images, batchSize: batchSize, augmentation: augmentation, scale: p.scale, offset: p.offset, seed: seed, shuffle: shuffle)
    }

    /// `ceil(count / batchSize)`.
    public var batchesPerEpoch: Int { (images.count + batchSize - 1) / batchSize }

    /// The image indices of `epoch` in batch order.
    public func order(epoch: Int) -> [Int] {
        let all = Array(0..<images.count)
        guard shuffle else { return all }
        var rng = SplitMix64(seed: seed, keys: UInt64(truncatingIfNeeded: epoch))
        return ImageDataset.shuffle(all, &rng)
    }

    /// Batch `batch` of `epoch`, computed on the calling thread.
    public func makeBatch(epoch: Int, batch: Int) -> Batch {
        makeBatch(epoch: epoch, batch: batch, order: order(epoch: epoch))
    }

    func makeBatch(epoch: Int, batch: Int, order: [Int]) -> Batch {
        let start = batch * batchSize, end = min(start + batchSize, order.count)
        precondition(start >= 0 && start < end, "batch \(batch) out of range")
        let indices = Array(order[start..<end])
        let size = images.imageSize
        var x = [Float](repeating: 0, count: indices.count * size)
        x.withUnsafeMutableBufferPointer { out in
            images.pixels.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() {
                    augmentImage(i, epoch: epoch, source: src.baseAddress! + i * size, into: out.baseAddress! + k * size)
                }
            }
        }
        return Batch(x: x, y: indices.map { images.labels[$0] }, indices: indices)
    }

    /// Image `index` of `epoch`, augmented and scaled, into `output` (`imageSize` floats).
    public func augmentImage(_ index: Int, epoch: Int, source: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<Float>) {
        let h = images.height, w = images.width
        if augmentation.isNone {
            AffineWarp.warp(source, height: h, width: w, channels: images.channels, map: .identity, scale: scale, offset: offset, into: output)
            return
        }
        let p = augmentation.parameters(height: h, width: w, seed: seed, epoch: epoch, index: index)
        AffineWarp.warp(source, height: h, width: w, channels: images.channels, map: AffineMap.keras(p, height: h, width: w),
                        interpolation: augmentation.interpolation, brightness: p.brightness, scale: scale, offset: offset, into: output)
    }

    /// The batches of `epoch` from batch `start` on, made on a background thread that stays up to
    /// `depth` batches ahead of the consumer (2 = double buffering). Stopping early (dropping the
    /// iterator) stops the thread.
    public func epoch(_ epoch: Int, startingAt start: Int = 0, depth: Int = 2) -> EpochBatches {
        EpochBatches(stream: self, epoch: epoch, start: max(0, start), depth: max(1, depth))
    }
}
