/// A source of labelled batches for `Trainer.fit` and evaluation.
///
/// An epoch's order (and augmentation) must be a pure function of the epoch number, so a run
/// resumed from a checkpoint at (epoch, batch) sees exactly the batches the interrupted run would have.
public protocol BatchProvider: AnyObject {
    /// The number of samples per epoch.
    var sampleCount: Int { get }
    /// The per-sample shape (`[H, W, C]`).
    var sampleShape: [Int] { get }
    /// The class names (index = label).
    var classes: [String] { get }
    /// Starts delivering epoch `epoch` in batches of `batchSize`, beginning with batch `batchIndex`.
    func start(epoch: Int, batchIndex: Int, batchSize: Int)
    /// Writes the next batch into `x` (samples × `sampleShape` floats) and `labels`, and returns
    /// its size: `batchSize`, less for the last batch, 0 when the epoch is over.
    func next(x: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) -> Int
}

/// Samples held in memory as floats, delivered in a seeded shuffled order per epoch
/// (Fisher-Yates driven by `SeededGenerator(seed:, keys: epoch)`), or in stored order when
/// `shuffle` is false. No augmentation: for tests, synthetic data and evaluation sets.
public final class ArrayBatches: BatchProvider {
    public let sampleShape: [Int]
    public let classes: [String]
    private let values: [Float]
    private let labels: [Int32]
    private let seed: UInt64
    private let shuffle: Bool
    private var order: [Int] = []
    private var position = 0
    private var batchSize = 1

    /// `values` holds `labels.count` samples of `sampleShape`, one after the other.
    public init(values: [Float], labels: [Int], sampleShape: [Int], classes: [String], shuffle: Bool, seed: UInt64) throws {
        let per = sampleShape.reduce(1, *)
        guard per > 0, values.count == per * labels.count else {
            throw TrainError("\(values.count) values do not make \(labels.count) samples of \(sampleShape)")
        }
        guard labels.allSatisfy({ $0 >= 0 && $0 < classes.count }) else { throw TrainError("a label is outside 0..<\(classes.count)") }
        self.values = values
        self.labels = labels.map { Int32($0) }
        self.sampleShape = sampleShape
        self.classes = classes
        self.shuffle = shuffle
        self.seed = seed
    }

    public var sampleCount: Int { labels.count }

    /// The sample order of `epoch`.
    public func order(epoch: Int) -> [Int] {
        var o = Array(0..<labels.count)
        guard shuffle else { return o }
        var rng = SeededGenerator(seed: seed, keys: UInt64(epoch))
        if o.count > 1 {
            for i in stride(from: o.count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                o.swapAt(i, j)
            }
        }
        return o
    }

    public func start(epoch: Int, batchIndex: Int, batchSize: Int) {
        order = order(epoch: epoch)
        self.batchSize = batchSize
        position = min(order.count, batchIndex * batchSize)
    }

    public func next(x: UnsafeMutablePointer<Float>, labels out: UnsafeMutablePointer<Int32>) -> Int {
        let n = min(batchSize, order.count - position)
        guard n > 0 else { return 0 }
        let per = sampleShape.reduce(1, *)
        values.withUnsafeBufferPointer { v in
            for i in 0..<n {
                let s = order[position + i]
                (x + i * per).update(from: v.baseAddress! + s * per, count: per)
                out[i] = labels[s]
            }
        }
        position += n
        return n
    }
}
