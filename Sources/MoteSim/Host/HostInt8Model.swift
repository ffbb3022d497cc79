import MoteCore
import MoteModel

/// An int8 `.tflite` model prepared by MoteCore on the host, in an arena of exactly the size
/// the core asks for, with float inputs and outputs at its boundary.
///
/// The model bytes are copied into a 16-byte aligned buffer that lives as long as this object
/// (the interpreter reads weights in place). Float inputs become int8 with `Quantize.int8` (as
/// TFLite's Python tools and `mote eval` do); int8 outputs are dequantized as
/// (q - zeroPoint) · scale. Float32 inputs and outputs pass through unchanged.
public final class HostInt8Model {
    /// The model as MoteModel's IR (tensor names, quantization, metadata).
    public let ir: TFLiteModel
    /// Operators, tensors and MACs.
    public let summary: ModelSummary
    /// The size of the `.tflite` file.
    public let modelBytes: Int
    /// How the kernels use the arena.
    public let memoryPolicy: Interpreter.MemoryPolicy
    /// The prepared interpreter.
    public private(set) var interpreter: Interpreter
    private let bytes: UnsafeMutableRawBufferPointer
    private var arena: UnsafeMutableRawBufferPointer

    /// Reads and prepares `bytes`; throws `SimError` naming the problem when the model cannot
    /// be read or the core rejects it.
    public init(bytes source: [UInt8], memoryPolicy: Interpreter.MemoryPolicy = .compact) throws {
        do { ir = try TFLiteModel(bytes: source) } catch { throw SimError("cannot read the int8 model: \(error)") }
        summary = ModelSummary(ir)
        modelBytes = source.count
        self.memoryPolicy = memoryPolicy
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 16)
        source.withUnsafeBytes { bytes.copyMemory(from: $0) }
        self.bytes = bytes
        let model = UnsafeRawBufferPointer(rebasing: bytes[0..<source.count])
        // An empty arena makes the core name an estimate, preparing in the estimate gives the
        // exact figure; the final arena has exactly that size.
        var size = 0
        var last: MoteError? = nil
        var prepared: (UnsafeMutableRawBufferPointer, Interpreter)? = nil
        for _ in 0..<5 {
            switch HostInt8Model.prepare(model, size, memoryPolicy) {
            case .success(let p): prepared = p
            case .failure(let e):
                last = e
                if e.kind == .arenaTooSmall && e.value > size { size = e.value; continue }
            }
            break
        }
        guard var (arena, interpreter) = prepared else {
            bytes.deallocate()
            throw SimError("MoteCore cannot prepare the int8 model: " + HostInt8Model.describe(last))
        }
        let required = interpreter.usage.required
        if required < arena.count, case .success(let exact) = HostInt8Model.prepare(model, required, memoryPolicy) {
            arena.deallocate()
            (arena, interpreter) = exact
        }
        self.arena = arena
        self.interpreter = interpreter
    }

    deinit {
        arena.deallocate()
        bytes.deallocate()
    }

    private static func prepare(_ model: UnsafeRawBufferPointer, _ size: Int, _ policy: Interpreter.MemoryPolicy)
        -> Result<(UnsafeMutableRawBufferPointer, Interpreter), MoteError> {
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        do {
            return .success((arena, try Interpreter(model: model, arena: arena, memoryPolicy: policy)))
        } catch {
            arena.deallocate()
            return .failure(error)
        }
    }

    static func describe(_ e: MoteError?) -> String {
        guard let e else { return "unknown error" }
        var s = "\(e.kind): \(e.message)"
        if e.operatorIndex >= 0 { s += " (operator \(e.operatorIndex))" }
        if e.tensorIndex >= 0 { s += " (tensor \(e.tensorIndex))" }
        if e.kind == .unsupportedOperator || e.kind == .arenaTooSmall { s += " (value \(e.value))" }
        return s
    }

    /// RAM (the arena, `Interpreter.ArenaUsage.required`) and flash (the model file) on the host.
    public var footprint: MemoryFootprint {
        let u = interpreter.usage
        return MemoryFootprint(target: "host", arenaPlanned: u.planned, arenaPersistent: u.persistent, ram: u.required, flash: modelBytes)
    }

    /// The tensor `t` of subgraph 0.
    public func tensor(_ t: Int) -> Tensor? {
        guard let g = ir.subgraphs.first, t >= 0, t < g.tensors.count else { return nil }
        return g.tensors[t]
    }

    /// (scale, zeroPoint) of tensor `t` when it is int8 with per-tensor quantization.
    public func int8Quantization(_ t: Int) -> (scale: Double, zeroPoint: Int)? {
        guard let tensor = tensor(t), tensor.type == .int8, let q = tensor.quantization, q.scale.count == 1, q.zeroPoint.count <= 1 else { return nil }
        return (Double(q.scale[0]), Int(q.zeroPoint.first ?? 0))
    }

    /// Element count of input `i`.
    public func inputElementCount(_ i: Int) -> Int { interpreter.input(i).count / max(tensor(interpreter.inputTensorIndex(i))?.type.byteSize ?? 1, 1) }

    /// Quantizes one float input (see the type's notes) into input `i`; throws when the count differs.
    public func setInput(_ i: Int, _ values: [Float]) throws {
        guard i >= 0, i < interpreter.inputCount else { throw SimError("the int8 model has \(interpreter.inputCount) input(s), got input \(i)") }
        let t = interpreter.inputTensorIndex(i)
        let dst = interpreter.input(i)
        guard let tensor = tensor(t) else { throw SimError("input tensor \(t) missing") }
        switch tensor.type {
        case .int8:
            guard values.count == dst.count else {
                throw SimError("input \(i) of the int8 model takes \(dst.count) values, got \(values.count)")
            }
            guard let (scale, zp) = int8Quantization(t), scale > 0 else { throw SimError("int8 input \(i) has no usable per-tensor quantization") }
            let out = dst.bindMemory(to: Int8.self)
            for k in 0..<values.count { out[k] = Quantize.int8(values[k], scale: scale, zeroPoint: zp) }
        case .float32:
            guard values.count * 4 == dst.count else {
                throw SimError("input \(i) of the int8 model takes \(dst.count / 4) float values, got \(values.count)")
            }
            values.withUnsafeBytes { dst.copyMemory(from: $0) }
        default:
            throw SimError("input \(i) has type \(tensor.type), the harness feeds int8 and float32 inputs only")
        }
    }

    /// Copies raw bytes into input `i`; throws when the byte count differs.
    public func setInput(_ i: Int, raw: [UInt8]) throws {
        guard i >= 0, i < interpreter.inputCount else { throw SimError("the int8 model has \(interpreter.inputCount) input(s), got input \(i)") }
        let dst = interpreter.input(i)
        guard raw.count == dst.count else {
            throw SimError("input \(i) takes \(dst.count) bytes (tensor \(interpreter.inputTensorIndex(i))), got \(raw.count)")
        }
        raw.withUnsafeBytes { dst.copyMemory(from: $0) }
    }

    /// Output `i` after `invoke`, dequantized (int8) or as stored (float32); empty for other types.
    public func output(_ i: Int) -> [Float] { values(ofTensor: interpreter.outputTensorIndex(i)) }

    /// The raw bytes of output `i` after `invoke`.
    public func rawOutput(_ i: Int) -> [UInt8] { Array(interpreter.output(i)) }

    /// The current values of tensor `t`: int8 dequantized, float32 as stored, otherwise empty.
    /// Meaningful only while the tensor is live (see `Interpreter.tensorBytes`).
    public func values(ofTensor t: Int) -> [Float] {
        let raw = interpreter.tensorBytes(t)
        if let (scale, zp) = int8Quantization(t) {
            return raw.bindMemory(to: Int8.self).map { Float(Double(Int($0) - zp) * scale) }
        }
        if tensor(t)?.type == .float32 { return Array(raw.bindMemory(to: Float.self)) }
        return []
    }

    /// Runs every operator.
    public func invoke() { interpreter.invoke() }

    /// Runs every operator and calls `afterEach` with each operator's index while its outputs are live.
    public func invoke(afterEach: (Int) -> Void) { interpreter.invoke(afterEach: afterEach) }
}
