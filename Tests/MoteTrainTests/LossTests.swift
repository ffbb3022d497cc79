import XCTest
@testable import MoteTrain

final class LossTests: XCTestCase {
    func testBinaryCrossEntropyValuesAndGradient() {
        // −log(0.8) = 0.2231436, −log(1 − 0.3) = 0.3566749.
        XCTAssertEqual(Loss.binaryCrossEntropy(probability: 0.8, target: 1), 0.2231436, accuracy: 1e-6)
        XCTAssertEqual(Loss.binaryCrossEntropy(probability: 0.3, target: 0), 0.3566749, accuracy: 1e-6)
        // Clipped at ε = 1e-7: −log(1e-7) = 16.118096.
        XCTAssertEqual(Loss.binaryCrossEntropy(probability: 0, target: 1), 16.118096, accuracy: 1e-3)
        for (p, y) in [(Float(0.8), Float(1)), (0.3, 0), (0.55, 1), (0.02, 0)] {
            let h = 1e-4
            let num = (Loss.binaryCrossEntropy(probability: p + Float(h), target: y)
                       - Loss.binaryCrossEntropy(probability: p - Float(h), target: y)) / (2 * h)
            XCTAssertEqual(Double(Loss.binaryCrossEntropyGradient(probability: p, target: y)), num, accuracy: 2e-3 * max(1, abs(num)))
        }
    }

    func testBinaryCrossEntropyFromLogitsMatchesProbabilities() {
        for z in [Float(-3), -0.5, 0, 1.2, 4] {
            for y in [Float(0), 1] {
                let p = ActivationLayer.sigmoid(z)
                // Equal up to float32 rounding of σ(z) (1 − p loses digits as p → 1).
                XCTAssertEqual(Loss.binaryCrossEntropy(logit: z, target: y), Loss.binaryCrossEntropy(probability: p, target: y), accuracy: 1e-5)
                // d/dz = σ(z) − y, by central differences in float64.
                let h = 1e-3
                let num = (Loss.binaryCrossEntropy(logit: z + Float(h), target: y) - Loss.binaryCrossEntropy(logit: z - Float(h), target: y)) / (2 * h)
                XCTAssertEqual(Double(p - y), num, accuracy: 1e-4)
            }
        }
        // Far outside the clip the logit form keeps growing (stable, no overflow).
        XCTAssertEqual(Loss.binaryCrossEntropy(logit: -100, target: 1), 100, accuracy: 1e-9)
    }

    func testCategoricalCrossEntropyGradient() {
        var p: [Float] = [0.2, 0.5, 0.3]
        var g = [Float](repeating: 0, count: 3)
        XCTAssertEqual(p.withUnsafeBufferPointer { Loss.categoricalCrossEntropy(probabilities: $0.baseAddress!, count: 3, label: 1) },
                       -log(0.5), accuracy: 1e-6)
        p.withUnsafeBufferPointer { pp in g.withUnsafeMutableBufferPointer { Loss.categoricalCrossEntropyGradient(probabilities: pp.baseAddress!, count: 3, label: 2, into: $0.baseAddress!) } }
        for i in 0..<3 {
            let h: Float = 1e-3
            var a = p, b = p
            a[i] += h; b[i] -= h
            let la = a.withUnsafeBufferPointer { Loss.categoricalCrossEntropy(probabilities: $0.baseAddress!, count: 3, label: 2) }
            let lb = b.withUnsafeBufferPointer { Loss.categoricalCrossEntropy(probabilities: $0.baseAddress!, count: 3, label: 2) }
            XCTAssertEqual(Double(g[i]), (la - lb) / (2 * Double(h)), accuracy: 2e-3)
        }
        let z: [Float] = [1, -2, 0.5]
        let expected = log(exp(1.0) + exp(-2.0) + exp(0.5)) - 0.5
        XCTAssertEqual(z.withUnsafeBufferPointer { Loss.categoricalCrossEntropy(logits: $0.baseAddress!, count: 3, label: 2) }, expected, accuracy: 1e-9)
    }

    /// The whole model's gradient (loss fused with the final sigmoid / softmax) against central
    /// differences of the mean batch loss, for both losses.
    func testModelGradientThroughFusedLosses() throws {
        for (classes, loss) in [(2, Loss.binaryCrossEntropy), (3, .categoricalCrossEntropy)] {
            let layers: [Layer] = [Conv2D(filters: 2, kernelSize: (2, 2)), Flatten(), Dense(units: classes == 2 ? 1 : 3),
                                   ActivationLayer(classes == 2 ? .sigmoid : .softmax)]
            let model = try Sequential(inputShape: [3, 3, 2], layers: layers, seed: 4, maxBatch: 4)
            let x = GradientCheck.values(4 * 18, seed: 2)
            let labels: [Int32] = classes == 2 ? [0, 1, 1, 0] : [0, 2, 1, 2]
            func meanLoss() -> Double {
                x.withUnsafeBufferPointer { xp in labels.withUnsafeBufferPointer { lp in
                    let out = model.forward(xp.baseAddress!, batch: 4, training: true)
                    return model.evaluate(out, labels: lp.baseAddress!, batch: 4, loss: loss).lossSum / 4
                } }
            }
            x.withUnsafeBufferPointer { xp in labels.withUnsafeBufferPointer { lp in
                model.forward(xp.baseAddress!, batch: 4, training: true)
                model.backward(labels: lp.baseAddress!, batch: 4, loss: loss, seed: 0, step: 0)
            } }
            let k = (layers[0] as! Conv2D).kernel!
            let analytic = k.gradient.array
            for i in 0..<k.count {
                let v = k.value[i], h: Float = 1e-2
                k.value[i] = v + h; let a = meanLoss()
                k.value[i] = v - h; let b = meanLoss()
                k.value[i] = v
                XCTAssertEqual(Double(analytic[i]), (a - b) / (2 * Double(h)), accuracy: 2e-4, "\(loss) kernel[\(i)]")
            }
        }
    }
}
