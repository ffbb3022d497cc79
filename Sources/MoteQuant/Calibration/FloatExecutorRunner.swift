import MoteFloat
import MoteModel

/// MoteFloat's `FloatExecutor` as the quantizer's float runner (batch 1): every float32
/// operator output is passed on with its tensor index.
public final class FloatExecutorRunner: FloatGraphRunner {
    public let executor: FloatExecutor

    public init(model: TFLiteModel) throws {
        executor = try FloatExecutor(model: model)
    }

    public func run(_ input: [Float], observe: (Int, UnsafeBufferPointer<Float>) -> Void) throws {
        _ = try executor.run([input]) { out in observe(out.tensorIndex, out.values) }
    }
}
