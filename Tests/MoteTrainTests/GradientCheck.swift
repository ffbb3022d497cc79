import XCTest
@testable import MoteTrain

/// Numerical gradient checks: the loss L = Σ r·y (r fixed random weights) of a layer's output,
/// differentiated by float64 central differences (L accumulated in Double, the layer run in
/// float32), against the layer's backward pass.
enum GradientCheck {
    /// Deterministic values in [lo, hi).
    static func values(_ n: Int, seed: UInt64, _ lo: Float = -1, _ hi: Float = 1) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in g.uniform(lo, hi) }
    }

    static func loss(_ layer: Layer, _ x: [Float], batch: Int, r: [Float], context: PassContext) -> Double {
        var y = [Float](repeating: 0, count: r.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in layer.forward(xp.baseAddress!, yp.baseAddress!, batch: batch, context: context) }
        }
        var s = 0.0
        for i in y.indices { s += Double(y[i]) * Double(r[i]) }
        return s
    }

    /// Checks dx and every trainable parameter's gradient; `relativeTolerance` is relative to
    /// the largest gradient magnitude of that tensor. `state` reset restores layer state (BN moving
    /// averages) that the forward pass changes, which does not affect L.
    static func check(_ layer: Layer, inputShape: [Int], batch: Int, threads: Int = 2, training: Bool = true,
                      eps: Double = 1e-2, relativeTolerance: Double = 2e-3, x xGiven: [Float]? = nil,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        var rng = SeededGenerator(seed: 11)
        let outShape = try layer.build(inputShape: inputShape, rng: &rng)
        // Non-zero biases and BN parameters so their gradients are exercised away from the defaults.
        for (k, p) in layer.parameters.enumerated() where p.trainable && p.name != "kernel" && p.name != "depthwise_kernel" {
            let v = values(p.count, seed: 100 + UInt64(k), p.name == "gamma" ? 0.5 : -0.5, p.name == "gamma" ? 1.5 : 0.5)
            p.value.assign(v)
        }
        let inCount = inputShape.reduce(1, *) * batch, outCount = outShape.reduce(1, *) * batch
        let x = xGiven ?? values(inCount, seed: 3)
        let r = values(outCount, seed: 4)
        let ctx = PassContext(training: training, workers: Workers(threads: threads), seed: 9, step: 5, layerIndex: 2)
        // Analytic.
        var y = [Float](repeating: 0, count: outCount)
        var dx = [Float](repeating: 0, count: inCount)
        var dy = r
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                layer.forward(xp.baseAddress!, yp.baseAddress!, batch: batch, context: ctx)
                dy.withUnsafeMutableBufferPointer { dyp in
                    dx.withUnsafeMutableBufferPointer { dxp in
                        layer.backward(x: xp.baseAddress!, y: UnsafePointer(yp.baseAddress!), dy: dyp.baseAddress!,
                                       dx: dxp.baseAddress!, batch: batch, context: ctx)
                    }
                }
            }
        }
        let saved = layer.parameters.map { $0.value.array }
        func restoreState() { for (p, v) in zip(layer.parameters, saved) where !p.trainable { p.value.assign(v) } }
        // Numerical dx.
        var numeric = [Double](repeating: 0, count: inCount)
        var xm = x
        for i in 0..<inCount {
            let v = x[i]
            xm[i] = v + Float(eps); let lp = loss(layer, xm, batch: batch, r: r, context: ctx)
            xm[i] = v - Float(eps); let lm = loss(layer, xm, batch: batch, r: r, context: ctx)
            xm[i] = v
            numeric[i] = (lp - lm) / (2 * eps)
        }
        restoreState()
        compare(dx.map(Double.init), numeric, "\(layer.description) dx", relativeTolerance, file: file, line: line)
        for p in layer.parameters where p.trainable {
            let analytic = p.gradient.array.map(Double.init)
            var num = [Double](repeating: 0, count: p.count)
            for i in 0..<p.count {
                let v = p.value[i]
                p.value[i] = v + Float(eps); let lp = loss(layer, x, batch: batch, r: r, context: ctx)
                p.value[i] = v - Float(eps); let lm = loss(layer, x, batch: batch, r: r, context: ctx)
                p.value[i] = v
                num[i] = (lp - lm) / (2 * eps)
            }
            restoreState()
            compare(analytic, num, "\(layer.description) d\(p.name)", relativeTolerance, file: file, line: line)
        }
    }

    static func compare(_ a: [Double], _ b: [Double], _ what: String, _ tol: Double, file: StaticString, line: UInt) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let scale = max(b.map(abs).max() ?? 0, 1e-3)
        var worst = 0.0, at = 0
        for i in a.indices where abs(a[i] - b[i]) > worst { worst = abs(a[i] - b[i]); at = i }
        XCTAssertLessThanOrEqual(worst / scale, tol,
                                 "\(what): worst |analytic − numeric| = \(worst) at \(at) (\(a[at]) vs \(b[at])), scale \(scale)",
                                 file: file, line: line)
        XCTAssertGreaterThan(b.map(abs).max() ?? 0, 0, "\(what): the numerical gradient is all zero (test is vacuous)", file: file, line: line)
    }
}
