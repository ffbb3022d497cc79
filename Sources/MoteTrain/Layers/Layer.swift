/// What a layer's forward and backward passes know about the step they run in.
public struct PassContext: Sendable {
    /// Training mode (batch statistics in BatchNorm, active Dropout) or inference mode.
    public var training: Bool
    /// The threads to split the batch over.
    public var workers: Workers
    /// The run's seed and the global step, from which stochastic layers (Dropout) derive their
    /// randomness statelessly, so a resumed run draws the same masks.
    public var seed: UInt64
    /// The global optimizer step (0-based) this pass belongs to.
    public var step: Int
    /// The layer's position in its model (a key for stochastic layers).
    public var layerIndex: Int

    /// A context with the given fields.
    public init(training: Bool, workers: Workers, seed: UInt64 = 0, step: Int = 0, layerIndex: Int = 0) {
        self.training = training
        self.workers = workers
        self.seed = seed
        self.step = step
        self.layerIndex = layerIndex
    }
}

/// A fused activation applied by Conv2D, DepthwiseConv2D and Dense to their output, as TFLite's
/// `fused_activation_function` does.
public enum Activation: String, Sendable, Codable, CaseIterable {
    /// The identity.
    case none
    /// max(0, x).
    case relu
    /// min(max(0, x), 6).
    case relu6
}

/// A layer of a `Sequential` model: shapes are per sample (NHWC without N: `[H, W, C]`, or
/// `[F]` after Flatten/Dense), batches are contiguous, sample after sample.
///
/// Forward and backward live side by side. `backward` receives the layer's input `x` and output
/// `y` from the forward pass of the same batch, and `dy` (the loss gradient with respect to `y`,
/// which it may overwrite); it writes the gradient with respect to the input into `dx`
/// (overwriting, not accumulating; skipped when `dx` is nil, as for the first layer) and sets
/// each trainable parameter's `gradient` to the gradient summed over the batch.
public protocol Layer: AnyObject {
    /// A short description (`Conv2D(16, 3×3, valid, relu)`).
    var description: String { get }
    /// The per-sample input shape given at `build` (empty before).
    var inputShape: [Int] { get }
    /// The per-sample output shape (valid after `build`).
    var outputShape: [Int] { get }
    /// Checks the input shape, allocates and initialises the parameters from `rng` (Keras'
    /// defaults: Glorot-uniform kernels, zero biases, BatchNorm γ = 1, β = 0, moving variance 1)
    /// and returns the output shape.
    func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int]
    /// The trainable parameters and the non-trainable state, in a fixed order.
    var parameters: [Parameter] { get }
    /// Computes `y` for a batch of `batch` samples.
    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext)
    /// Computes `dx` and the parameter gradients (see the protocol's documentation).
    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext)
}

/// Errors of model construction, training and export.
public struct TrainError: Error, CustomStringConvertible, Equatable {
    /// What went wrong.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Activation {
    /// Applies the activation to `count` values in place.
    @inlinable
    func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        if self == .none { return }
        let raw = UnsafeMutableRawPointer(p), vectors = count / 16
        let zero = SIMD16<Float>(repeating: 0), six = SIMD16<Float>(repeating: 6)
        for v in 0..<vectors {
            var x = raw.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Float>.self)
            // Masked replacement, not pointwiseMax/Min (their generic lane loop is slow).
            x.replace(with: zero, where: x .< zero)
            if self == .relu6 { x.replace(with: six, where: x .> six) }
            raw.storeBytes(of: x, toByteOffset: v * 64, as: SIMD16<Float>.self)
        }
        for i in (vectors * 16)..<count { p[i] = self == .relu ? max(p[i], 0) : min(max(p[i], 0), 6) }
    }

    /// Multiplies `dy` in place by the activation's derivative, read from its output `y`
    /// (0 where the output is clamped; at the kinks the derivative is taken as 0, as TensorFlow does).
    @inlinable
    func maskGradient(_ dy: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
        if self == .none { return }
        // 16 lanes at a time with explicit SIMD: the scalar loop does not vectorize (dy may alias y).
        let gRaw = UnsafeMutableRawPointer(dy), yRaw = UnsafeRawPointer(y), vectors = count / 16
        let zero = SIMD16<Float>(repeating: 0), six = SIMD16<Float>(repeating: 6)
        for v in 0..<vectors {
            let out = yRaw.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Float>.self)
            var g = gRaw.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Float>.self)
            var dead = out .<= zero
            if self == .relu6 { dead = dead .| (out .>= six) }
            g.replace(with: 0, where: dead)
            gRaw.storeBytes(of: g, toByteOffset: v * 64, as: SIMD16<Float>.self)
        }
        for i in (vectors * 16)..<count {
            let alive = self == .relu ? y[i] > 0 : (y[i] > 0 && y[i] < 6)
            dy[i] = alive ? dy[i] : 0
        }
    }
}
