/// A tensor of a layer's weights with its gradient: a convolution kernel, a bias, a batch-norm
/// scale. Non-trainable state (batch-norm moving averages) is a `Parameter` with `trainable`
/// false; the optimizer skips it, checkpoints and export keep it.
public final class Parameter {
    /// The name within its layer (`kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`).
    public let name: String
    /// The shape in TFLite's layout (conv kernel OHWI, depthwise 1HW(C·M), dense [out, in]).
    public let shape: [Int]
    /// Whether the optimizer updates it.
    public let trainable: Bool
    /// The values.
    public let value: FloatBuffer
    /// The gradient of the loss with respect to `value`, written by the layer's backward pass
    /// (overwritten each step, not accumulated across steps). Empty for non-trainable state.
    public let gradient: FloatBuffer

    /// A parameter of the given shape, filled with zeros.
    public init(name: String, shape: [Int], trainable: Bool = true) {
        self.name = name
        self.shape = shape
        self.trainable = trainable
        let count = shape.reduce(1, *)
        value = FloatBuffer(count: count)
        gradient = FloatBuffer(count: trainable ? count : 0)
    }

    /// The number of elements.
    public var count: Int { value.count }
}
