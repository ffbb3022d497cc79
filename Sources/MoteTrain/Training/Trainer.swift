import Foundation

/// Settings of `Trainer.fit`.
public struct FitOptions: Sendable {
    public var epochs: Int
    public var batchSize: Int = 32
    /// The run's seed (data order and augmentation are the provider's; Dropout uses this).
    public var seed: UInt64 = 1
    /// Folder for `last.ckpt` (every epoch and every `checkpointEvery` steps) and `best.ckpt`
    /// (lowest validation loss); nil writes none.
    public var checkpointDirectory: URL?
    /// Also write `last.ckpt` every this many steps (0: only at epoch ends).
    public var checkpointEvery: Int = 0
    /// Continue from `checkpointDirectory/last.ckpt` when it exists.
    public var resume: Bool = false
    /// Stop when the validation loss has not improved for this many epochs (nil: never).
    public var earlyStopPatience: Int?
    /// Testing hook: stop (as if killed) after this many global steps, after any checkpoint due at that step.
    public var stopAfterStep: Int?

    public init(epochs: Int) { self.epochs = epochs }
}

/// Progress events of `fit`, for a progress bar.
public enum FitEvent {
    /// A step finished: running loss/accuracy over the epoch so far, and throughput.
    case step(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, accuracy: Double,
              imagesPerSecond: Double, etaSeconds: Double)
    /// Validation is running.
    case validating(epoch: Int)
    /// An epoch finished.
    case epoch(EpochMetrics)
    /// Training resumed from a checkpoint at this position.
    case resumed(epoch: Int, batch: Int, globalStep: Int)
    /// Early stopping ended the run after this epoch.
    case earlyStop(epoch: Int, bestEpoch: Int)
    /// A checkpoint was written.
    case checkpoint(URL)
}

/// What `fit` did.
public struct FitResult: Sendable {
    public var history: [EpochMetrics]
    public var globalStep: Int
    /// True when `stopAfterStep` ended the run early.
    public var interrupted: Bool
    public var earlyStopped: Bool
    public var lastCheckpoint: URL?
    public var bestCheckpoint: URL?
}

/// The training loop: `fit` a `Sequential` with a loss and an optimizer on a `BatchProvider`.
public final class Trainer {
    public let model: Sequential
    public let loss: Loss
    public let optimizer: Optimizer
    private let x: FloatBuffer
    private let labels: UnsafeMutablePointer<Int32>

    public init(model: Sequential, loss: Loss, optimizer: Optimizer) {
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        x = FloatBuffer(count: model.maxBatch * model.inputShape.reduce(1, *))
        labels = .allocate(capacity: model.maxBatch)
    }

    deinit { labels.deallocate() }

    /// Mean loss and accuracy of the model in inference mode over one pass of `data` (stored order).
    public func evaluate(_ data: BatchProvider, batchSize: Int? = nil) -> (loss: Double, accuracy: Double) {
        let b = min(batchSize ?? model.maxBatch, model.maxBatch)
        data.start(epoch: 0, batchIndex: 0, batchSize: b)
        var lossSum = 0.0, correct = 0, total = 0
        while true {
            let n = data.next(x: x.pointer, labels: labels)
            if n == 0 { break }
            let out = model.forward(x.pointer, batch: n)
            let r = model.evaluate(out, labels: labels, batch: n, loss: loss)
            lossSum += r.lossSum
            correct += r.correct
            total += n
        }
        return total == 0 ? (0, 0) : (lossSum / Double(total), Double(correct) / Double(total))
    }

    private func check(_ data: BatchProvider, _ what: String) throws {
        guard data.sampleShape == model.inputShape else {
            throw TrainError("\(what) samples are \(data.sampleShape), the model takes \(model.inputShape)")
        }
        guard data.sampleCount > 0 else { throw TrainError("\(what) has no samples") }
        try model.validate(loss: loss, classes: data.classes.count)
    }

    /// Trains for `options.epochs` epochs (counting those a resumed checkpoint already finished),
    /// validating on `validation` after each, writing checkpoints, and calling `progress`.
    public func fit(_ train: BatchProvider, validation: BatchProvider?, options: FitOptions,
                    progress: (FitEvent) -> Void = { _ in }) throws -> FitResult {
        try check(train, "the training data")
        if let validation { try check(validation, "the validation data") }
        guard options.batchSize > 0, options.batchSize <= model.maxBatch else {
            throw TrainError("batch size \(options.batchSize) must be in 1...\(model.maxBatch)")
        }
        let last = options.checkpointDirectory?.appendingPathComponent("last.ckpt")
        let best = options.checkpointDirectory?.appendingPathComponent("best.ckpt")
        var pos = TrainingPosition.start
        if options.resume, let last, FileManager.default.fileExists(atPath: last.path) {
            let header = try Checkpoint.restore(from: last, model: model, optimizer: optimizer)
            guard header.seed == options.seed else {
                throw TrainError("\(last.path) was written with seed \(header.seed), not \(options.seed)")
            }
            pos = header.position
            progress(.resumed(epoch: pos.epoch, batch: pos.batchInEpoch, globalStep: pos.globalStep))
        }
        let batches = (train.sampleCount + options.batchSize - 1) / options.batchSize
        var result = FitResult(history: pos.history, globalStep: pos.globalStep, interrupted: false, earlyStopped: false,
                               lastCheckpoint: nil, bestCheckpoint: nil)
        func save(_ url: URL) throws {
            try Checkpoint.write(to: url, model: model, optimizer: optimizer, seed: options.seed, position: pos)
            progress(.checkpoint(url))
        }
        while pos.epoch < options.epochs {
            train.start(epoch: pos.epoch, batchIndex: pos.batchInEpoch, batchSize: options.batchSize)
            var clock = DispatchTime.now().uptimeNanoseconds
            while pos.batchInEpoch < batches {
                let n = train.next(x: x.pointer, labels: labels)
                if n == 0 { break }
                let r = model.trainStep(x.pointer, labels: labels, batch: n, loss: loss, optimizer: optimizer,
                                        seed: options.seed, step: pos.globalStep)
                let now = DispatchTime.now().uptimeNanoseconds
                pos.epochTrainSeconds += Double(now - clock) / 1e9
                clock = now
                pos.batchInEpoch += 1
                pos.globalStep += 1
                pos.epochLossSum += r.lossSum
                pos.epochCorrect += r.correct
                pos.epochSamples += n
                let ips = Double(pos.epochSamples) / max(pos.epochTrainSeconds, 1e-9)
                let remaining = Double(batches - pos.batchInEpoch) * Double(options.batchSize) / ips
                progress(.step(epoch: pos.epoch, epochs: options.epochs, batch: pos.batchInEpoch, batches: batches,
                               loss: pos.epochLossSum / Double(pos.epochSamples),
                               accuracy: Double(pos.epochCorrect) / Double(pos.epochSamples),
                               imagesPerSecond: ips, etaSeconds: remaining))
                if options.checkpointEvery > 0, pos.globalStep % options.checkpointEvery == 0, let last, pos.batchInEpoch < batches {
                    try save(last)
                    clock = DispatchTime.now().uptimeNanoseconds
                }
                if let stop = options.stopAfterStep, pos.globalStep >= stop {
                    result.globalStep = pos.globalStep
                    result.interrupted = true
                    result.lastCheckpoint = last
                    return result
                }
            }
            var metrics = EpochMetrics(epoch: pos.epoch, loss: pos.epochLossSum / Double(max(pos.epochSamples, 1)),
                                       accuracy: Double(pos.epochCorrect) / Double(max(pos.epochSamples, 1)),
                                       valLoss: nil, valAccuracy: nil, trainSeconds: pos.epochTrainSeconds,
                                       imagesPerSecond: Double(pos.epochSamples) / max(pos.epochTrainSeconds, 1e-9))
            var improved = false
            if let validation {
                progress(.validating(epoch: pos.epoch))
                let v = evaluate(validation, batchSize: options.batchSize)
                metrics.valLoss = v.loss
                metrics.valAccuracy = v.accuracy
                if pos.bestValLoss == nil || v.loss < pos.bestValLoss! {
                    pos.bestValLoss = v.loss
                    pos.bestEpoch = pos.epoch
                    improved = true
                }
            }
            pos.history.append(metrics)
            progress(.epoch(metrics))
            pos.epoch += 1
            pos.batchInEpoch = 0
            pos.epochLossSum = 0
            pos.epochCorrect = 0
            pos.epochSamples = 0
            pos.epochTrainSeconds = 0
            if let last { try save(last); result.lastCheckpoint = last }
            if improved, let best { try save(best); result.bestCheckpoint = best }
            if let patience = options.earlyStopPatience, let bestEpoch = pos.bestEpoch, pos.epoch - 1 - bestEpoch >= patience {
                result.earlyStopped = true
                progress(.earlyStop(epoch: pos.epoch - 1, bestEpoch: bestEpoch))
                break
            }
        }
        result.history = pos.history
        result.globalStep = pos.globalStep
        if result.bestCheckpoint == nil, let best, FileManager.default.fileExists(atPath: best.path) { result.bestCheckpoint = best }
        if result.lastCheckpoint == nil { result.lastCheckpoint = last }
        return result
    }
}
