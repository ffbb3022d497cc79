import XCTest
@testable import MoteTrain

final class OptimizerTests: XCTestCase {
    private func parameter(_ w: Float) -> Parameter {
        let p = Parameter(name: "w", shape: [1])
        p.value[0] = w
        return p
    }

    func testAdamTwoStepsHandWorked() {
        // w = 1, g₁ = 0.5: m = 0.05, v = 0.00025, α₁ = 1e-3·√0.001/0.1 = 3.16228e-4,
        // w −= α₁·0.05/(√0.00025 + 1e-7) → 0.99900001.
        // g₂ = −1: m = 0.05 + (−1.05)·0.1 = −0.055, v = 0.00025 + (1 − 0.00025)·0.001 = 0.00124975,
        // α₂ = 1e-3·√(1 − 0.999²)/(1 − 0.9²) = 2.35317e-4, w −= α₂·(−0.055)/(√0.00124975 + 1e-7) → 0.99936611.
        let p = parameter(1)
        let adam = Adam()
        p.gradient[0] = 0.5
        adam.step([p], workers: Workers(threads: 2))
        XCTAssertEqual(Double(p.value[0]), 0.9990000063, accuracy: 2e-7)
        p.gradient[0] = -1
        adam.step([p], workers: Workers(threads: 2))
        XCTAssertEqual(Double(p.value[0]), 0.9993661088, accuracy: 2e-7)
        XCTAssertEqual(adam.iterations, 2)
        let state = adam.stateBuffers(for: [p])
        XCTAssertEqual(Double(state[0][0]), -0.055, accuracy: 1e-7)
        XCTAssertEqual(Double(state[1][0]), 0.00124975, accuracy: 3e-10)  // a few float32 ulps
    }

    func testSGDMomentumHandWorked() {
        // lr 0.1, momentum 0.9: m = −0.1·0.5 = −0.05, w = 0.95; m = 0.9·(−0.05) − 0.1·(−1) = 0.055, w = 1.005.
        let p = parameter(1)
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        p.gradient[0] = 0.5
        sgd.step([p], workers: Workers(threads: 1))
        XCTAssertEqual(p.value[0], 0.95, accuracy: 1e-7)
        p.gradient[0] = -1
        sgd.step([p], workers: Workers(threads: 1))
        XCTAssertEqual(p.value[0], 1.005, accuracy: 1e-7)
    }

    func testPlainSGDAndNonTrainableSkipped() {
        let p = parameter(2)
        let state = Parameter(name: "moving_mean", shape: [1], trainable: false)
        state.value[0] = 7
        p.gradient[0] = 3
        SGD(learningRate: 0.5).step([p, state], workers: Workers(threads: 2))
        XCTAssertEqual(p.value[0], 0.5)
        XCTAssertEqual(state.value[0], 7)
    }

    func testGlorotUniformBounds() throws {
        // Dense 2304 → 512: limit √(6/2816) = 0.046159; values fill [−limit, limit) evenly.
        let d = Dense(units: 512)
        var rng = SeededGenerator(seed: 3)
        _ = try d.build(inputShape: [2304], rng: &rng)
        let limit = Float((6.0 / 2816.0).squareRoot())
        XCTAssertEqual(Initializers.glorotLimit(fanIn: 2304, fanOut: 512), limit)
        let w = d.kernel.value.array
        XCTAssertLessThanOrEqual(w.map(abs).max()!, limit)
        XCTAssertGreaterThan(w.map(abs).max()!, limit * 0.999)
        let mean = w.reduce(0.0) { $0 + Double($1) } / Double(w.count)
        let variance = w.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(w.count)
        XCTAssertEqual(mean, 0, accuracy: 1e-4)
        XCTAssertEqual(variance, Double(limit * limit) / 3, accuracy: 1e-5)  // uniform: limit²/3
        XCTAssertTrue(d.bias.value.array.allSatisfy { $0 == 0 })
        // Conv: fan_in = 3·3·16, fan_out = 3·3·32.
        let c = Conv2D(filters: 32, kernelSize: (3, 3))
        _ = try c.build(inputShape: [10, 10, 16], rng: &rng)
        let cl = Float((6.0 / Double(144 + 288)).squareRoot())
        XCTAssertLessThanOrEqual(c.kernel.value.array.map(abs).max()!, cl)
        XCTAssertGreaterThan(c.kernel.value.array.map(abs).max()!, cl * 0.99)
    }
}
