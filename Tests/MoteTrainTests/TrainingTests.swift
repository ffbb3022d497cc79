import Foundation
import XCTest
@testable import MoteTrain

/// A separable synthetic task: 8×8×1 images whose class is whether the left half is brighter.
enum Synthetic {
    static func data(count: Int, seed: UInt64, shuffle: Bool) throws -> ArrayBatches {
        var g = SeededGenerator(seed: seed)
        var values: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            for _ in 0..<8 {
                for c in 0..<8 {
                    let bright = (c < 4) == (label == 1)
                    values.append(g.uniform(0, 0.6) + (bright ? 0.4 : 0))
                }
            }
            labels.append(label)
        }
        return try ArrayBatches(values: values, labels: labels, sampleShape: [8, 8, 1], classes: ["a", "b"], shuffle: shuffle, seed: seed)
    }

    static func model(seed: UInt64, threads: Int = 2) throws -> Sequential {
        try Sequential(inputShape: [8, 8, 1], layers: [
            Conv2D(filters: 4, kernelSize: (3, 3), activation: .relu), MaxPool2D(), BatchNorm(), Dropout(rate: 0.2),
            Flatten(), Dense(units: 8, activation: .relu), Dense(units: 1), ActivationLayer(.sigmoid),
        ], seed: seed, maxBatch: 16, threads: threads)
    }

    static func weights(_ m: Sequential) -> [[Float]] { m.parameters.map { $0.value.array } }
}

final class TrainingTests: XCTestCase {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mote-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testTinyModelLearnsSeparableTask() throws {
        let model = try Synthetic.model(seed: 3)
        let trainer = Trainer(model: model, loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.01))
        var options = FitOptions(epochs: 6)
        options.batchSize = 16
        let before = trainer.evaluate(try Synthetic.data(count: 100, seed: 99, shuffle: false))
        let result = try trainer.fit(try Synthetic.data(count: 200, seed: 1, shuffle: true),
                                     validation: try Synthetic.data(count: 100, seed: 99, shuffle: false), options: options)
        XCTAssertEqual(result.history.count, 6)
        let last = result.history.last!
        XCTAssertGreaterThanOrEqual(last.valAccuracy!, 0.97, "val accuracy \(last.valAccuracy!) (before training: \(before.accuracy))")
        XCTAssertLessThan(last.valLoss!, before.loss / 3)
    }

    func testSameSeedSameWeights() throws {
        func run() throws -> [[Float]] {
            let model = try Synthetic.model(seed: 5)
            var options = FitOptions(epochs: 2)
            options.batchSize = 16
            options.seed = 7
            _ = try Trainer(model: model, loss: .binaryCrossEntropy, optimizer: Adam()).fit(
                try Synthetic.data(count: 90, seed: 1, shuffle: true), validation: nil, options: options)
            return Synthetic.weights(model)
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, Synthetic.weights(try Synthetic.model(seed: 5)), "training changed nothing")
    }

    /// Kill-and-resume: a run stopped after step 9 of 3 epochs × 6 steps (mid-epoch 1), with a
    /// checkpoint every 3 steps, resumed from what is on disk, ends with exactly the weights,
    /// BatchNorm moving averages and history of an uninterrupted run.
    func testResumeMidEpochGivesIdenticalWeights() throws {
        let dir = try temporaryDirectory()
        var options = FitOptions(epochs: 3)
        options.batchSize = 16
        options.seed = 11
        options.checkpointEvery = 3
        let data = { try Synthetic.data(count: 90, seed: 2, shuffle: true) }
        let validation = { try Synthetic.data(count: 40, seed: 98, shuffle: false) }

        var straight = options
        straight.checkpointDirectory = dir.appendingPathComponent("straight")
        let reference = try Synthetic.model(seed: 4)
        let full = try Trainer(model: reference, loss: .binaryCrossEntropy, optimizer: Adam()).fit(try data(), validation: try validation(), options: straight)

        var interrupted = options
        interrupted.checkpointDirectory = dir.appendingPathComponent("resumed")
        interrupted.stopAfterStep = 10  // the last checkpoint on disk is the one at step 9
        let first = try Synthetic.model(seed: 4)
        let partial = try Trainer(model: first, loss: .binaryCrossEntropy, optimizer: Adam()).fit(try data(), validation: try validation(), options: interrupted)
        XCTAssertTrue(partial.interrupted)
        let (header, _, _) = try Checkpoint.readHeader(interrupted.checkpointDirectory!.appendingPathComponent("last.ckpt"))
        XCTAssertEqual(header.position.globalStep, 9)
        XCTAssertEqual(header.position.epoch, 1)
        XCTAssertEqual(header.position.batchInEpoch, 3)

        // A fresh process: new model object (different initial seed even), new optimizer.
        var resume = interrupted
        resume.stopAfterStep = nil
        resume.resume = true
        let second = try Synthetic.model(seed: 999)
        var events: [String] = []
        let resumed = try Trainer(model: second, loss: .binaryCrossEntropy, optimizer: Adam()).fit(try data(), validation: try validation(), options: resume) {
            if case .resumed(let e, let b, let s) = $0 { events.append("\(e)/\(b)/\(s)") }
        }
        XCTAssertEqual(events, ["1/3/9"])
        XCTAssertEqual(Synthetic.weights(second), Synthetic.weights(reference))
        XCTAssertEqual(resumed.globalStep, full.globalStep)
        XCTAssertEqual(resumed.history.map(\.valLoss), full.history.map(\.valLoss))
        XCTAssertEqual(resumed.history.map(\.loss), full.history.map(\.loss))
    }

    func testCorruptCheckpointIsAnError() throws {
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("last.ckpt")
        let model = try Synthetic.model(seed: 1)
        try Checkpoint.write(to: url, model: model, optimizer: Adam(), seed: 1, position: .start)
        var bytes = try Data(contentsOf: url)
        bytes = bytes.prefix(bytes.count - 10)
        try bytes.write(to: url)
        XCTAssertThrowsError(try Checkpoint.restore(from: url, model: model, optimizer: Adam())) { error in
            XCTAssertTrue("\(error)".contains("truncated or corrupt"), "\(error)")
        }
        try Data("not a checkpoint".utf8).write(to: url)
        XCTAssertThrowsError(try Checkpoint.restore(from: url, model: model, optimizer: Adam())) { error in
            XCTAssertTrue("\(error)".contains("not a Mote checkpoint"), "\(error)")
        }
        // A checkpoint of a different model is refused, not misread.
        try Checkpoint.write(to: url, model: model, optimizer: Adam(), seed: 1, position: .start)
        let other = try Sequential(inputShape: [8, 8, 1], layers: [Flatten(), Dense(units: 1), ActivationLayer(.sigmoid)], seed: 1)
        XCTAssertThrowsError(try Checkpoint.restore(from: url, model: other, optimizer: Adam()))
    }

    func testEarlyStoppingStopsAfterPatience() throws {
        // lr 0 keeps the weights, so the validation loss never improves after epoch 0.
        let model = try Synthetic.model(seed: 3)
        var options = FitOptions(epochs: 10)
        options.batchSize = 16
        options.earlyStopPatience = 2
        let r = try Trainer(model: model, loss: .binaryCrossEntropy, optimizer: SGD(learningRate: 0)).fit(
            try Synthetic.data(count: 32, seed: 1, shuffle: true), validation: try Synthetic.data(count: 32, seed: 9, shuffle: false), options: options)
        XCTAssertTrue(r.earlyStopped)
        XCTAssertEqual(r.history.count, 3)
    }
}
