import MoteFloat
import MoteModel

/// Runs a float `.tflite` model with MoteFloat's executor and keeps copies of the operator
/// outputs a `LayerComparison` needs (`keys`), for one image at a time.
public final class FloatLayerRecorder {
    /// The executor (batch 1).
    public let executor: FloatExecutor
    /// The float outputs kept from each run.
    public let keys: Set<FloatLayerKey>
    /// The outputs kept from the last `run`.
    public private(set) var layers: [FloatLayerKey: [Float]] = [:]

    /// Prepares `model`; throws `SimError` naming the executor's complaint.
    public init(model: TFLiteModel, keys: Set<FloatLayerKey>) throws {
        do { executor = try FloatExecutor(model: model) } catch { throw SimError("MoteFloat cannot run the float model: \(error)") }
        self.keys = keys
    }

    /// Runs `input` (the only input, row-major) and returns the model's first output; the kept
    /// layer outputs are in `layers` afterwards.
    public func run(_ input: [Float]) throws -> [Float] {
        var kept: [FloatLayerKey: [Float]] = [:]
        let keys = self.keys
        let outputs: [[Float]]
        do {
            outputs = try executor.run([input]) { out in
                let key = FloatLayerKey(operatorIndex: out.operatorIndex, outputPosition: out.outputPosition)
                if keys.contains(key) { kept[key] = Array(out.values) }
            }
        } catch {
            throw SimError("the float model failed: \(error)")
        }
        layers = kept
        return outputs.first ?? []
    }
}
