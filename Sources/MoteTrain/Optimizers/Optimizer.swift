import Foundation

/// An optimizer: updates the trainable parameters from their gradients, once per step.
public protocol Optimizer: AnyObject {
    /// The name (`adam`, `sgd`).
    var name: String { get }
    /// The learning rate.
    var learningRate: Float { get set }
    /// The number of steps taken (Keras' `iterations`).
    var iterations: Int { get set }
    /// Applies one update to `parameters` (non-trainable ones are skipped) and increments `iterations`.
    func step(_ parameters: [Parameter], workers: Workers)
    /// The per-parameter state buffers (moments), in parameter order, for checkpoints; created
    /// on first use for the given parameters.
    func stateBuffers(for parameters: [Parameter]) -> [FloatBuffer]
}

/// Adam with Keras 3's update:
/// `α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)`, `m += (g − m)(1 − β₁)`, `v += (g² − v)(1 − β₂)`,
/// `w −= α·m/(√v + ε)`, t = iterations + 1. Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-7.
public final class Adam: Optimizer {
    public let name = "adam"
    public var learningRate: Float
    /// Decay rates, kept in Double so `1 − β` is formed as Keras forms it (in Python floats) before rounding to float32.
    public let beta1: Double, beta2: Double
    public let epsilon: Float
    public var iterations = 0
    private var moments: [ObjectIdentifier: (m: FloatBuffer, v: FloatBuffer)] = [:]

    public init(learningRate: Float = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    private func state(_ p: Parameter) -> (m: FloatBuffer, v: FloatBuffer) {
        if let s = moments[ObjectIdentifier(p)] { return s }
        let s = (FloatBuffer(count: p.count), FloatBuffer(count: p.count))
        moments[ObjectIdentifier(p)] = s
        return s
    }

    public func stateBuffers(for parameters: [Parameter]) -> [FloatBuffer] {
        parameters.filter(\.trainable).flatMap { p -> [FloatBuffer] in let s = state(p); return [s.m, s.v] }
    }

    public func step(_ parameters: [Parameter], workers: Workers) {
        let t = Float(iterations + 1)
        // The powers in float32, as Keras computes them on the variables' dtype.
        let alpha = learningRate * (1 - Foundation.pow(Float(beta2), t)).squareRoot() / (1 - Foundation.pow(Float(beta1), t))
        let b1 = Float(1 - beta1), b2 = Float(1 - beta2), eps = epsilon
        let items = parameters.filter(\.trainable).map { p in (p, state(p)) }
        workers.run { th in
            for (p, s) in items {
                let r = workers.chunk(th, of: p.count)
                let w = p.value.pointer, g = p.gradient.pointer, m = s.m.pointer, v = s.v.pointer
                for i in r {
                    let gi = g[i]
                    m[i] += (gi - m[i]) * b1
                    v[i] += (gi * gi - v[i]) * b2
                    w[i] -= (m[i] * alpha) / (v[i].squareRoot() + eps)
                }
            }
        }
        iterations += 1
    }
}

/// Stochastic gradient descent with optional momentum, Keras 3's update:
/// `m = momentum·m − lr·g`, `w += m` (plain `w −= lr·g` when momentum is 0).
public final class SGD: Optimizer {
    public let name = "sgd"
    public var learningRate: Float
    public let momentum: Float
    public var iterations = 0
    private var velocity: [ObjectIdentifier: FloatBuffer] = [:]

    public init(learningRate: Float = 0.01, momentum: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    private func state(_ p: Parameter) -> FloatBuffer {
        if let s = velocity[ObjectIdentifier(p)] { return s }
        let s = FloatBuffer(count: p.count)
        velocity[ObjectIdentifier(p)] = s
        return s
    }

    public func stateBuffers(for parameters: [Parameter]) -> [FloatBuffer] {
        parameters.filter(\.trainable).map { state($0) }
    }

    public func step(_ parameters: [Parameter], workers: Workers) {
        let lr = learningRate, mu = momentum
        let items = parameters.filter(\.trainable).map { p in (p, state(p)) }
        workers.run { th in
            for (p, s) in items {
                let r = workers.chunk(th, of: p.count)
                let w = p.value.pointer, g = p.gradient.pointer, m = s.pointer
                if mu == 0 {
                    for i in r { w[i] -= lr * g[i] }
                } else {
                    for i in r {
                        m[i] = mu * m[i] - lr * g[i]
                        w[i] += m[i]
                    }
                }
            }
        }
        iterations += 1
    }
}
