import Foundation
import MoteCore
import MoteFloat
import MoteModel

/// One model, float or int8, behind one interface: preprocessed float input in (HWC, batch 1),
/// float scores out (int8 outputs dequantized), so evaluation and comparison treat both alike.
public protocol ModelRunner: AnyObject {
    /// The model's only input, `[1, H, W, C]`.
    var inputShape: [Int] { get }
    /// Whether this is the full-integer int8 model (run by MoteCore) or a float one (MoteFloat).
    var isInt8: Bool { get }
    /// Runs one input of `inputShape.reduce(1, *)` values and returns the first output's values.
    func scores(_ input: [Float]) throws -> [Float]
}

/// Why a model cannot be evaluated.
public struct RunnerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Opens a `.tflite` model for evaluation: full-integer models (int8 input) run on MoteCore,
/// float models (float32 input) on MoteFloat's executor.
public enum ModelRunners {
    public static func open(path: String, memory: Interpreter.MemoryPolicy = .fast) throws -> (ModelRunner, TFLiteModel) {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw RunnerError("cannot read model '\(path)': \((error as NSError).localizedDescription)")
        }
        let model: TFLiteModel
        do {
            model = try TFLiteModel(bytes: bytes)
        } catch {
            throw RunnerError("'\(path)' is not a readable .tflite model: \(error)")
        }
        guard let graph = model.subgraphs.first, graph.inputs.count == 1, graph.outputs.count >= 1 else {
            throw RunnerError("'\(path)': evaluation needs a model with exactly one input and at least one output")
        }
        let input = graph.tensors[graph.inputs[0]]
        guard input.shape.count == 4, input.shape[0] == 1 || input.shape[0] == -1 else {
            throw RunnerError("'\(path)': the input must be an image batch [1, H, W, C], not \(input.shape)")
        }
        switch input.type {
        case .int8:
            return (try Int8Runner(bytes: bytes, memory: memory, path: path), model)
        case .float32:
            return (try FloatRunner(model: model, path: path), model)
        default:
            throw RunnerError("'\(path)': input type \(input.type) is not supported for evaluation (int8 or float32)")
        }
    }
}

/// A float model on MoteFloat's executor.
public final class FloatRunner: ModelRunner {
    private let executor: FloatExecutor
    public let inputShape: [Int]
    public var isInt8: Bool { false }

    public init(model: TFLiteModel, path: String) throws {
        do {
            executor = try FloatExecutor(model: model)
        } catch {
            throw RunnerError("'\(path)': \(error)")
        }
        var shape = executor.inputShapes[0]
        if shape.first == -1 { shape[0] = 1 }
        inputShape = shape
    }

    public func scores(_ input: [Float]) throws -> [Float] {
        try executor.run([input])[0]
    }
}

/// A full-integer model on MoteCore (through `HostInt8Model`): the float input is quantized by
/// `Quantize.int8` (round half to even in float32, then clamp, as TFLite's Python tools do with
/// NumPy), the int8 output dequantized as `(q - zero_point) × scale`.
public final class Int8Runner: ModelRunner {
    public let core: HostInt8Model
    public let inputShape: [Int]
    public var isInt8: Bool { true }

    public init(bytes: [UInt8], memory: Interpreter.MemoryPolicy, path: String) throws {
        do {
            core = try HostInt8Model(bytes: bytes, memoryPolicy: memory)
        } catch {
            throw RunnerError("'\(path)': \(error)")
        }
        let graph = core.ir.subgraphs[0]
        let input = graph.tensors[graph.inputs[0]]
        guard core.int8Quantization(graph.inputs[0]) != nil else {
            throw RunnerError("'\(path)': the int8 input has no per-tensor scale and zero point")
        }
        let output = graph.tensors[graph.outputs[0]]
        guard output.type == .float32 || core.int8Quantization(graph.outputs[0]) != nil else {
            throw RunnerError("'\(path)': the output must be int8 with a per-tensor scale, or float32")
        }
        inputShape = [1] + input.shape.dropFirst()
    }

    public func scores(_ input: [Float]) throws -> [Float] {
        try core.setInput(0, input)
        core.invoke()
        return core.output(0)
    }
}
