import Foundation

/// A dataset decoded once into memory: `count` images of `height × width × channels` bytes
/// (HWC, image after image), their labels and paths, and the files that could not be decoded.
public struct DecodedImages: Sendable {
    public var count: Int
    public var height: Int
    public var width: Int
    public var channels: Int
    /// `count · height · width · channels` samples.
    public var pixels: [UInt8]
    public var labels: [Int]
    public var classes: [String]
    /// The path of each decoded image, in the same order as `labels`.
    public var paths: [String]
    /// Files left out, with the reason (corrupt, truncated, not a JPEG, unreadable).
    public var skipped: [(path: String, reason: String)]

    public init(height: Int, width: Int, channels: Int, pixels: [UInt8], labels: [Int], classes: [String],
                paths: [String], skipped: [(path: String, reason: String)] = []) {
        precondition(pixels.count == labels.count * height * width * channels && paths.count == labels.count,
                     "DecodedImages: \(pixels.count) samples, \(labels.count) labels, \(paths.count) paths")
        self.count = labels.count
        self.height = height
        self.width = width
        self.channels = channels
        self.pixels = pixels
        self.labels = labels
        self.classes = classes
        self.paths = paths
        self.skipped = skipped
    }

    /// Samples per image: `height · width · channels`.
    public var imageSize: Int { height * width * channels }

    /// Image `i` as an `Image`.
    public func image(_ i: Int) -> Image {
        Image(width: width, height: height, channels: channels, pixels: Array(pixels[(i * imageSize)..<((i + 1) * imageSize)]))
    }

    /// Decodes every item: JPEG → `channels` (Pillow's conversion) → `resize` to `width×height`
    /// (Pillow-exact; one prepared plan per source size). Work is split over `threads` threads
    /// (images interleaved), and `progress(done, total)` is called on the calling thread about
    /// ten times a second and once at the end. Files that fail are listed in `skipped` with the
    /// reason and left out, keeping the dataset's order for the rest; with `strict` the first
    /// failure (in dataset order) is thrown instead, naming the file. Throws also when nothing
    /// decodes or the sizes are invalid.
    public static func decode(_ dataset: ImageDataset, height: Int, width: Int, channels: Int, resize: ResizeMethod,
                              strict: Bool = false, threads: Int = 2, progress: ((Int, Int) -> Void)? = nil) throws -> DecodedImages {
        guard height > 0, width > 0, channels == 1 || channels == 3 else {
            throw ImageError(.invalidArgument, "decode: size \(width)x\(height)x\(channels) (channels must be 1 or 3)")
        }
        let n = dataset.items.count
        guard n > 0 else { throw ImageError(.dataset, "the dataset lists no images") }
        let size = height * width * channels
        let failures = FailureTable(count: n)
        let done = Counter()
        let workers = max(1, min(threads, n))
        let items = dataset.items
        // Decoded straight into the result, then compacted over the failed slots in place, so a
        // large dataset needs its pixel memory once.
        var pixels = [UInt8](unsafeUninitializedCapacity: n * size) { buffer, initialized in
            let out = SendablePointer(buffer.baseAddress!)
            let group = DispatchGroup()
            for t in 0..<workers {
                DispatchQueue.global().async(group: group) {
                    var plans: [Int: ResizePlan] = [:]
                    var i = t
                    while i < n {
                        let slot = UnsafeMutableBufferPointer(start: out.pointer + i * size, count: size)
                        do {
                            let image = try JPEG.decode(path: items[i].path, channels: channels)
                            let key = image.width << 32 | image.height
                            let plan: ResizePlan
                            if let p = plans[key] { plan = p } else {
                                plan = try ResizePlan(inWidth: image.width, inHeight: image.height, outWidth: width, outHeight: height, method: resize)
                                plans[key] = plan
                            }
                            image.resize(with: plan, into: slot)
                        } catch {
                            slot.initialize(repeating: 0)
                            failures.set(i, (error as? ImageError) ?? ImageError(.corrupt, "\(error)"))
                        }
                        done.increment()
                        i += workers
                    }
                }
            }
            while group.wait(timeout: .now() + 0.1) == .timedOut { progress?(done.value, n) }
            initialized = n * size
        }
        progress?(n, n)

        var skipped: [(path: String, reason: String)] = []
        var labels: [Int] = [], paths: [String] = []
        var kept = 0
        try pixels.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<n {
                if let error = failures.get(i) {
                    if strict { throw error.at(items[i].path) }
                    skipped.append((items[i].path, error.message))
                    continue
                }
                if kept != i, let base = buffer.baseAddress {
                    (base + kept * size).update(from: base + i * size, count: size)
                }
                kept += 1
                labels.append(items[i].label)
                paths.append(items[i].path)
            }
        }
        pixels.removeLast((n - kept) * size)
        guard !labels.isEmpty else {
            throw ImageError(.dataset, "none of the \(n) images could be decoded" + (skipped.first.map { " (first: \($0.path): \($0.reason))" } ?? ""))
        }
        return DecodedImages(height: height, width: width, channels: channels, pixels: pixels, labels: labels,
                             classes: dataset.classes, paths: paths, skipped: skipped)
    }
}

/// A raw pointer handed to worker threads that write disjoint ranges of it.
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    init(_ pointer: UnsafeMutablePointer<UInt8>) { self.pointer = pointer }
}

/// Per-item errors written by worker threads (disjoint indices, under a lock).
final class FailureTable: @unchecked Sendable {
    private var errors: [ImageError?]
    private let lock = NSLock()
    init(count: Int) { errors = [ImageError?](repeating: nil, count: count) }
    func set(_ i: Int, _ error: ImageError) { lock.lock(); errors[i] = error; lock.unlock() }
    func get(_ i: Int) -> ImageError? { lock.lock(); defer { lock.unlock() }; return errors[i] }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

extension DecodedImages {
    /// `decode(_:height:width:channels:resize:strict:threads:progress:)` with the size, channels and
    /// resize of a model's preprocessing (its scale and offset apply later, in `BatchStream`).
    public static func decode(_ dataset: ImageDataset, preprocessing p: Preprocessing, strict: Bool = false, threads: Int = 2,
                              progress: ((Int, Int) -> Void)? = nil) throws -> DecodedImages {
        try decode(dataset, height: p.height, width: p.width, channels: p.channels, resize: p.resize, strict: strict,
                   threads: threads, progress: progress)
    }
}
