import XCTest
@testable import MoteTrain

/// Every layer's backward pass against float64 central differences of its forward pass.
final class LayerGradientTests: XCTestCase {
    func testConv2DValid() throws {
        try GradientCheck.check(Conv2D(filters: 4, kernelSize: (3, 3)), inputShape: [6, 5, 3], batch: 3)
    }

    func testConv2DSameStride2() throws {
        try GradientCheck.check(Conv2D(filters: 3, kernelSize: (3, 2), strides: (2, 2), padding: .same), inputShape: [7, 6, 2], batch: 2)
    }

    func testConv2DPointwiseNoBias() throws {
        try GradientCheck.check(Conv2D(filters: 5, kernelSize: (1, 1), useBias: false), inputShape: [3, 4, 3], batch: 2)
    }

    func testConv2DFusedReLU6() throws {
        // Inputs scaled so pre-activations spread over both kinks (0 and 6); the tolerance covers
        // the rare element that central differences straddle a kink... none at this seed.
        let layer = Conv2D(filters: 3, kernelSize: (2, 2), activation: .relu6)
        let x = GradientCheck.values(2 * 4 * 4 * 2, seed: 21, -8, 8)
        try GradientCheck.check(layer, inputShape: [4, 4, 2], batch: 2, eps: 1e-3, x: x)
    }

    func testConv2DFusedReLUSingleThread() throws {
        try GradientCheck.check(Conv2D(filters: 2, kernelSize: (3, 3), activation: .relu), inputShape: [5, 5, 2], batch: 3,
                                threads: 1, eps: 1e-3)
    }

    func testDepthwiseMultiplier2Same() throws {
        try GradientCheck.check(DepthwiseConv2D(kernelSize: (3, 3), strides: (2, 2), padding: .same, depthMultiplier: 2),
                                inputShape: [5, 6, 3], batch: 2)
    }

    func testDepthwiseValidReLU() throws {
        try GradientCheck.check(DepthwiseConv2D(kernelSize: (3, 3), activation: .relu), inputShape: [5, 5, 4], batch: 3, eps: 1e-3)
    }

    func testMaxPoolSame() throws {
        // Distinct, well-separated inputs so no window has a near-tie.
        var x = (0..<(2 * 5 * 5 * 2)).map { Float($0) * 0.37 }
        var g = SeededGenerator(seed: 5)
        for i in stride(from: x.count - 1, to: 0, by: -1) { x.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        try GradientCheck.check(MaxPool2D(poolSize: (3, 3), strides: (2, 2), padding: .same), inputShape: [5, 5, 2], batch: 2,
                                eps: 1e-2, x: x)
    }

    func testMaxPoolValid() throws {
        var x = (0..<(3 * 6 * 6 * 3)).map { Float($0) * 0.11 }
        var g = SeededGenerator(seed: 6)
        for i in stride(from: x.count - 1, to: 0, by: -1) { x.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        try GradientCheck.check(MaxPool2D(), inputShape: [6, 6, 3], batch: 3, x: x)
    }

    func testAveragePoolSameExcludesPadding() throws {
        try GradientCheck.check(AveragePool2D(poolSize: (3, 3), strides: (2, 2), padding: .same), inputShape: [5, 4, 2], batch: 2)
    }

    func testGlobalAveragePool() throws {
        try GradientCheck.check(GlobalAveragePool2D(), inputShape: [3, 4, 5], batch: 3)
    }

    func testFlatten() throws {
        try GradientCheck.check(Flatten(), inputShape: [2, 3, 2], batch: 2)
    }

    func testDense() throws {
        try GradientCheck.check(Dense(units: 7), inputShape: [9], batch: 5)
    }

    func testDenseReLU() throws {
        try GradientCheck.check(Dense(units: 40, activation: .relu), inputShape: [6], batch: 3, eps: 1e-3)
    }

    func testDropoutTraining() throws {
        try GradientCheck.check(Dropout(rate: 0.4), inputShape: [10], batch: 4)
    }

    func testBatchNormTraining() throws {
        try GradientCheck.check(BatchNorm(), inputShape: [3, 2, 4], batch: 3, eps: 1e-2, relativeTolerance: 3e-3)
    }

    func testBatchNormInference() throws {
        try GradientCheck.check(BatchNorm(), inputShape: [5], batch: 3, training: false)
    }

    func testReLU() throws {
        try GradientCheck.check(ActivationLayer(.relu), inputShape: [12], batch: 2, eps: 1e-3)
    }

    func testReLU6() throws {
        try GradientCheck.check(ActivationLayer(.relu6), inputShape: [12], batch: 2, eps: 1e-3,
                                x: GradientCheck.values(24, seed: 8, -9, 9))
    }

    func testSigmoid() throws {
        try GradientCheck.check(ActivationLayer(.sigmoid), inputShape: [6], batch: 3, x: GradientCheck.values(18, seed: 8, -4, 4))
    }

    func testSoftmax() throws {
        try GradientCheck.check(ActivationLayer(.softmax), inputShape: [2, 5], batch: 2, x: GradientCheck.values(20, seed: 8, -3, 3))
    }
}
