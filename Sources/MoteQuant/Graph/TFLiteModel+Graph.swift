import MoteCore
import MoteModel

/// Reading and editing subgraph 0 of a model as the quantizer needs it: constant data as typed
/// arrays, producers and consumers, operator names.
extension TFLiteModel {
    /// The builtin code of operator `i` of subgraph 0.
    func builtin(_ op: Operator) -> Int32 { builtinOperator(ofOpcode: op.opcodeIndex) ?? -1 }

    /// The schema name of an operator (`CONV_2D`, ...).
    func opName(_ op: Operator) -> String {
        op.opcodeIndex >= 0 && op.opcodeIndex < operatorCodes.count ? operatorCodes[op.opcodeIndex].name : "opcode \(op.opcodeIndex)"
    }

    /// True when tensor `t` of subgraph 0 has constant data.
    func isConstant(_ t: Int) -> Bool {
        let tensor = subgraphs[0].tensors[t]
        return tensor.buffer > 0 && tensor.buffer < buffers.count && !buffers[tensor.buffer].data.isEmpty
    }

    /// The float32 data of constant tensor `t`, or nil when it is not a float32 constant of
    /// the declared size.
    func floats(_ t: Int) -> [Float]? {
        let tensor = subgraphs[0].tensors[t]
        guard tensor.type == .float32, isConstant(t) else { return nil }
        let data = buffers[tensor.buffer].data
        guard data.count == tensor.elementCount * 4 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<tensor.elementCount).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// Appends a buffer holding `bytes` and returns its index.
    mutating func appendBuffer(_ bytes: [UInt8]) -> Int {
        buffers.append(Buffer(data: bytes))
        return buffers.count - 1
    }

    /// Appends a float32 constant tensor and returns its index.
    mutating func appendFloatConstant(_ values: [Float], shape: [Int], name: String) -> Int {
        let b = appendBuffer(Bytes.of(values))
        subgraphs[0].tensors.append(Tensor(shape: shape, type: .float32, buffer: b, name: name))
        return subgraphs[0].tensors.count - 1
    }

    /// Replaces the data of float constant `t` (its buffer if no other tensor uses it, else a new one).
    mutating func setFloats(_ t: Int, _ values: [Float]) {
        let b = subgraphs[0].tensors[t].buffer
        let shared = subgraphs[0].tensors.indices.contains { $0 != t && subgraphs[0].tensors[$0].buffer == b }
        if b > 0, !shared {
            buffers[b] = Buffer(data: Bytes.of(values))
        } else {
            subgraphs[0].tensors[t].buffer = appendBuffer(Bytes.of(values))
        }
    }

    /// For each tensor of subgraph 0, the operators that read it.
    func consumers() -> [[Int]] {
        var c = [[Int]](repeating: [], count: subgraphs[0].tensors.count)
        for (i, op) in subgraphs[0].operators.enumerated() {
            for t in op.inputs where t >= 0 && t < c.count { c[t].append(i) }
        }
        return c
    }

    /// For each tensor of subgraph 0, the operator that writes it (nil for inputs and constants).
    func producers() -> [Int?] {
        var p = [Int?](repeating: nil, count: subgraphs[0].tensors.count)
        for (i, op) in subgraphs[0].operators.enumerated() {
            for t in op.outputs where t >= 0 && t < p.count { p[t] = i }
        }
        return p
    }
}

/// Little-endian byte encodings of typed arrays.
enum Bytes {
    static func of(_ values: [Float]) -> [UInt8] {
        var out = [UInt8](); out.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    static func of(_ values: [Int32]) -> [UInt8] {
        var out = [UInt8](); out.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    static func of(_ values: [Int8]) -> [UInt8] { values.map { UInt8(bitPattern: $0) } }
}
