import MoteCore
import MoteModel

/// An int8 model prepared by MoteCore in an arena of exactly the size it needs (bias correction
/// and tests run the quantizer's output through it).
public final class MoteCoreRunner {
    private let bytes: UnsafeMutableRawBufferPointer
    private var arena: UnsafeMutableRawBufferPointer
    /// The prepared interpreter (fast memory policy).
    public private(set) var interpreter: Interpreter

    /// Serializes `model` and prepares it; a core rejection becomes `QuantError.invalidModel`
    /// naming the core's message, operator and tensor.
    public init(_ model: TFLiteModel) throws(QuantError) {
        let data = model.serialized()
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        bytes.copyBytes(from: data)
        var size = 1 << 16
        arena = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        for _ in 0..<6 {
            do {
                interpreter = try Interpreter(model: UnsafeRawBufferPointer(bytes), arena: arena, memoryPolicy: .fast)
                return
            } catch let e where e.kind == .arenaTooSmall && e.value > size {
                size = e.value
                arena.deallocate()
                arena = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
            } catch {
                arena.deallocate()
                bytes.deallocate()
                throw .invalidModel("MoteCore rejects the int8 model: \(error.message) (operator \(error.operatorIndex), tensor \(error.tensorIndex))")
            }
        }
        arena.deallocate()
        bytes.deallocate()
        throw .invalidModel("MoteCore could not size the arena")
    }

    deinit {
        arena.deallocate()
        bytes.deallocate()
    }

    /// Runs on int8 input codes and returns the int8 output codes of output 0; `afterEach`
    /// sees every operator's index right after it ran (its outputs are live then).
    public func run(_ input: [Int8], afterEach: ((Int, Interpreter) -> Void)? = nil) throws(QuantError) -> [Int8] {
        let it = interpreter
        let destination = it.input(0)
        guard destination.count == input.count else {
            throw .calibration("input of \(input.count) bytes does not fit the int8 model's input (\(destination.count) bytes)")
        }
        input.withUnsafeBytes { destination.copyMemory(from: $0) }
        if let afterEach { it.invoke { afterEach($0, it) } } else { it.invoke() }
        return [Int8](it.output(0).bindMemory(to: Int8.self))
    }
}
