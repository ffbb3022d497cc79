import MoteFloat
import MoteModel

/// MoteFloat's `FloatExecutor` as the quantizer's float runner (batch 1): every float32
/// operator output is passed on with its tensor index.
public final class FloatExecutorRunner: FloatGraphRunner {
    /// The executor, prepared for batch 1.
    public let executor: FloatExecutor

    /// Prepares `model`; throws MoteFloat's error for an operator it cannot run.
    public init(model: TFLiteModel) throws {
        executor = try FloatExecutor(model: model)
    }

    public func run(_ input: [Float], observe: (Int, UnsafeBufferPointer<Float>) -> Void) throws {
        _ = try executor.run([input]) { out in observe(out.tensorIndex, out.values) }
    }
}
