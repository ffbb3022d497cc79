import Foundation
import MoteFloat

/// A stack of layers trained end to end, like Keras' `Sequential`.
///
/// Building (`init`) fixes the per-sample input shape and initialises every parameter from one
/// seeded generator in layer order, so a seed fixes the initial weights. Activation buffers for
/// up to `maxBatch` samples are allocated once; steps allocate nothing on the hot path.
public final class Sequential {
    /// The layers, in order.
    public let layers: [Layer]
    /// The per-sample input shape (`[H, W, C]`).
    public let inputShape: [Int]
    /// The per-sample output shape.
    public let outputShape: [Int]
    /// The largest batch the buffers hold.
    public let maxBatch: Int
    /// The threads batches are split over.
    public let workers: Workers
    private let activations: [FloatBuffer]
    private let gradA: FloatBuffer, gradB: FloatBuffer

    /// Builds `layers` for samples of `inputShape`, initialising parameters from `seed`.
    /// With more than one thread, OpenBLAS is set to one thread per call (the batch split
    /// provides the parallelism).
    public init(inputShape: [Int], layers: [Layer], seed: UInt64, maxBatch: Int = 32, threads: Int = 2) throws {
        guard !layers.isEmpty else { throw TrainError("a model needs at least one layer") }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else { throw TrainError("input shape \(inputShape) must be positive") }
        guard maxBatch > 0 else { throw TrainError("batch size must be positive") }
        self.layers = layers
        self.inputShape = inputShape
        self.maxBatch = maxBatch
        workers = Workers(threads: threads)
        var rng = SeededGenerator(seed: seed)
        var shape = inputShape
        var sizes = [inputShape.reduce(1, *)]
        for (i, layer) in layers.enumerated() {
            do { shape = try layer.build(inputShape: shape, rng: &rng) } catch let e as TrainError {
                throw TrainError("layer \(i) \(layer.description): \(e.message)")
            }
            sizes.append(shape.reduce(1, *))
        }
        outputShape = shape
        activations = sizes.map { FloatBuffer(count: $0 * maxBatch) }
        let largest = sizes.max()! * maxBatch
        gradA = FloatBuffer(count: largest)
        gradB = FloatBuffer(count: largest)
        if workers.threads > 1 { GEMM.threads = 1 }
    }

    /// Every parameter (trainable and state) in layer order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// The number of parameters, trainable and not (Keras' "Total params").
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The number of trainable parameters.
    public var trainableParameterCount: Int { parameters.filter(\.trainable).reduce(0) { $0 + $1.count } }

    private func context(training: Bool, seed: UInt64, step: Int, layer: Int) -> PassContext {
        PassContext(training: training, workers: workers, seed: seed, step: step, layerIndex: layer)
    }

    /// Runs the forward pass over `batch` samples (`batch × inputShape` floats at `x`) and
    /// returns the output (valid until the next call; `batch × outputShape` floats).
    @discardableResult
    public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool = false, seed: UInt64 = 0, step: Int = 0)
        -> UnsafePointer<Float> {
        precondition(batch > 0 && batch <= maxBatch, "Sequential.forward: batch \(batch) outside 1...\(maxBatch)")
        activations[0].pointer.update(from: x, count: batch * activations[0].count / maxBatch)
        for (i, layer) in layers.enumerated() {
            layer.forward(activations[i].pointer, activations[i + 1].pointer, batch: batch,
                          context: context(training: training, seed: seed, step: step, layer: i))
        }
        return UnsafePointer(activations[layers.count].pointer)
    }

    /// Convenience: forward on an array, returning a copy of the output.
    public func predict(_ x: [Float], batch: Int) -> [Float] {
        let out = x.withUnsafeBufferPointer { forward($0.baseAddress!, batch: batch) }
        return Array(UnsafeBufferPointer(start: out, count: batch * outputShape.reduce(1, *)))
    }

    /// The result of one step: the batch's summed loss and the number of correct predictions.
    public struct StepResult: Sendable {
        public var lossSum: Double
        public var correct: Int
    }

    /// Whether the loss is computed from the last layer's input (see `Loss`).
    private func fusesLastActivation(_ loss: Loss) -> Bool {
        (layers.last as? ActivationLayer)?.kind == loss.matchingActivation
    }

    /// Checks that the model's output suits `loss`.
    public func validate(loss: Loss, classes: Int) throws {
        let outputs = outputShape.reduce(1, *)
        switch loss {
        case .binaryCrossEntropy:
            guard outputs == 1, classes == 2 else {
                throw TrainError("binary cross-entropy needs one output and two classes (the model has \(outputs) outputs, the data \(classes) classes)")
            }
        case .categoricalCrossEntropy:
            guard outputs == classes else { throw TrainError("the model has \(outputs) outputs but the data has \(classes) classes") }
        }
    }

    /// The loss sum and correct count of the last forward pass' outputs against `labels`
    /// (accuracy as Keras computes it: p > 0.5 for binary, arg-max for categorical).
    public func evaluate(_ output: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, loss: Loss) -> StepResult {
        var result = StepResult(lossSum: 0, correct: 0)
        let fused = fusesLastActivation(loss), k = outputShape.reduce(1, *)
        let logits = UnsafePointer(activations[layers.count - 1].pointer)
        for n in 0..<batch {
            let label = Int(labels[n])
            switch loss {
            case .binaryCrossEntropy:
                let p = output[n]
                result.lossSum += fused ? Loss.binaryCrossEntropy(logit: logits[n], target: Float(label))
                    : Loss.binaryCrossEntropy(probability: p, target: Float(label))
                if (p > 0.5 ? 1 : 0) == label { result.correct += 1 }
            case .categoricalCrossEntropy:
                let p = output + n * k
                result.lossSum += fused ? Loss.categoricalCrossEntropy(logits: logits + n * k, count: k, label: label)
                    : Loss.categoricalCrossEntropy(probabilities: p, count: k, label: label)
                var best = 0
                for i in 1..<k where p[i] > p[best] { best = i }
                if best == label { result.correct += 1 }
            }
        }
        return result
    }

    /// One training step: forward in training mode, the mean loss over the batch, backward
    /// (setting every trainable parameter's gradient), and the optimizer's update.
    /// `step` is the global step, from which Dropout draws its masks.
    public func trainStep(_ x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, loss: Loss,
                          optimizer: Optimizer, seed: UInt64, step: Int) -> StepResult {
        let out = forward(x, batch: batch, training: true, seed: seed, step: step)
        let result = evaluate(out, labels: labels, batch: batch, loss: loss)
        backward(labels: labels, batch: batch, loss: loss, seed: seed, step: step)
        optimizer.step(parameters, workers: workers)
        return result
    }

    /// Backward pass after a training-mode `forward` of the same batch.
    public func backward(labels: UnsafePointer<Int32>, batch: Int, loss: Loss, seed: UInt64, step: Int) {
        let fused = fusesLastActivation(loss), k = outputShape.reduce(1, *)
        let inv = 1 / Float(batch)
        var g = gradA, other = gradB
        let last = layers.count - 1
        let out = activations[layers.count].pointer, logits = activations[last].pointer
        for n in 0..<batch {
            let label = Int(labels[n])
            switch loss {
            case .binaryCrossEntropy:
                g[n] = (fused ? ActivationLayer.sigmoid(logits[n]) - Float(label)
                        : Loss.binaryCrossEntropyGradient(probability: out[n], target: Float(label))) * inv
            case .categoricalCrossEntropy:
                let gp = g.pointer + n * k
                if fused {
                    for i in 0..<k { gp[i] = (out[n * k + i] - (i == label ? 1 : 0)) * inv }
                } else {
                    Loss.categoricalCrossEntropyGradient(probabilities: out + n * k, count: k, label: label, into: gp)
                    for i in 0..<k { gp[i] *= inv }
                }
            }
        }
        let top = fused ? last - 1 : last
        if top < 0 { return }
        for i in stride(from: top, through: 0, by: -1) {
            layers[i].backward(x: activations[i].pointer, y: activations[i + 1].pointer, dy: g.pointer,
                               dx: i == 0 ? nil : other.pointer, batch: batch,
                               context: context(training: true, seed: seed, step: step, layer: i))
            swap(&g, &other)
        }
    }
}
