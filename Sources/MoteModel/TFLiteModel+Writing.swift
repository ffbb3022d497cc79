import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TFLiteModel {
    /// The model as a `.tflite` flatbuffer (file identifier `TFL3`), written like TF's
    /// converter: default-valued scalars omitted, buffer data 16-byte aligned (the schema's
    /// `force_align: 16`; the file's size is a multiple of 16, so data is aligned wherever the
    /// file is loaded at a 16-byte boundary), identical vtables shared.
    ///
    /// Precondition: indices, dimensions and integer options fit the schema's 32-bit fields
    /// (a model read from a file always does).
    public func serialized() -> [UInt8] {
        let dataBytes = buffers.reduce(0) { $0 + $1.data.count + 32 }
        let tensorCount = subgraphs.reduce(0) { $0 + $1.tensors.count }
        var w = ModelWriter(builder: FlatBufferBuilder(capacity: dataBytes + 256 * tensorCount + 4096))
        return w.write(self)
    }

    /// Writes `serialized()` to `url` atomically: into a temporary file in the same folder,
    /// then renamed over `url`, so readers never see a partial model.
    public func write(to url: URL) throws {
        let bytes = serialized()
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            throw TFLiteModelError.io("cannot write \(temporary.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw TFLiteModelError.io("cannot rename \(temporary.path) to \(url.path): \(reason)")
        }
    }
}

/// Writes the IR back to front: every child object before the table that refers to it.
struct ModelWriter {
    var builder: FlatBufferBuilder

    mutating func write(_ m: TFLiteModel) -> [UInt8] {
        // Buffers first, so that the (large) data ends up at the end of the file like TF's.
        let buffers = m.buffers.map { buffer($0) }
        let buffersVector = builder.createVector(buffers)
        let subgraphs = m.subgraphs.map { subgraph($0) }
        let subgraphsVector = builder.createVector(subgraphs)
        let codes = m.operatorCodes.map { operatorCode($0) }
        let codesVector = builder.createVector(codes)
        let description = m.description.map { builder.createString($0) }
        let metadataBuffer = m.metadataBuffer.map { builder.createVector($0) }
        let metadata = m.metadata.map { e -> FlatBufferBuilder.Offset in
            let name = builder.createString(e.name)
            var f = TableFields()
            f.add(0, name)
            f.add(1, UInt32(e.buffer), default: 0)
            return builder.table(f)
        }
        let metadataVector = metadata.isEmpty ? nil : builder.createVector(metadata)
        let signatures = m.signatureDefs.map { signatureDef($0) }
        let signaturesVector = signatures.isEmpty ? nil : builder.createVector(signatures)

        var f = TableFields()
        f.add(0, m.version, default: 0)
        f.add(1, codesVector)
        f.add(2, subgraphsVector)
        if let description { f.add(3, description) }
        f.add(4, buffersVector)
        if let metadataBuffer { f.add(5, metadataBuffer) }
        if let metadataVector { f.add(6, metadataVector) }
        if let signaturesVector { f.add(7, signaturesVector) }
        let root = builder.table(f)
        return builder.finish(root: root, fileIdentifier: "TFL3")
    }

    mutating func buffer(_ b: Buffer) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        if !b.data.isEmpty { f.add(0, builder.createByteVector(b.data, alignment: 16)) }
        return builder.table(f)
    }

    mutating func ints(_ values: [Int]) -> FlatBufferBuilder.Offset {
        builder.createVector(values.map { Int32($0) })
    }

    mutating func operatorCode(_ c: OperatorCode) -> FlatBufferBuilder.Offset {
        let custom = c.customCode.map { builder.createString($0) }
        var f = TableFields()
        f.add(0, c.deprecatedBuiltinCode, default: 0)
        if let custom { f.add(1, custom) }
        f.add(2, c.version, default: 1)
        f.add(3, c.builtinCode, default: 0)
        return builder.table(f)
    }

    mutating func subgraph(_ s: Subgraph) -> FlatBufferBuilder.Offset {
        let tensors = s.tensors.map { tensor($0) }
        let tensorsVector = builder.createVector(tensors)
        let inputs = ints(s.inputs), outputs = ints(s.outputs)
        let ops = s.operators.map { op($0) }
        let opsVector = builder.createVector(ops)
        let name = s.name.map { builder.createString($0) }
        var f = TableFields()
        f.add(0, tensorsVector)
        f.add(1, inputs)
        f.add(2, outputs)
        f.add(3, opsVector)
        if let name { f.add(4, name) }
        return builder.table(f)
    }

    mutating func tensor(_ t: Tensor) -> FlatBufferBuilder.Offset {
        let shape = ints(t.shape)
        let name = builder.createString(t.name)
        let quantizationTable = t.quantization.map { quantization($0) }
        let sparsityTable = t.sparsity.map { sparsity($0) }
        let signature = t.shapeSignature.map { ints($0) }
        let variants = t.variantTensors.map { vs in
            let tables = vs.map { v -> FlatBufferBuilder.Offset in
                let shape = ints(v.shape)
                var f = TableFields()
                f.add(0, shape)
                f.add(1, v.type.rawValue, default: 0)
                f.add(2, v.hasRank, default: false)
                return builder.table(f)
            }
            return builder.createVector(tables)
        }
        var f = TableFields()
        f.add(0, shape)
        f.add(1, t.type.rawValue, default: 0)
        f.add(2, UInt32(t.buffer), default: 0)
        f.add(3, name)
        if let quantizationTable { f.add(4, quantizationTable) }
        f.add(5, t.isVariable, default: false)
        if let sparsityTable { f.add(6, sparsityTable) }
        if let signature { f.add(7, signature) }
        f.add(8, t.hasRank, default: false)
        if let variants { f.add(9, variants) }
        return builder.table(f)
    }

    mutating func quantization(_ q: Quantization) -> FlatBufferBuilder.Offset {
        let min = q.min.isEmpty ? nil : builder.createVector(q.min)
        let max = q.max.isEmpty ? nil : builder.createVector(q.max)
        let scale = q.scale.isEmpty ? nil : builder.createVector(q.scale)
        let zeroPoint = q.zeroPoint.isEmpty ? nil : builder.createVector(q.zeroPoint)
        let details = q.customDetails.map { bytes -> FlatBufferBuilder.Offset in
            let custom = builder.createByteVector(bytes, alignment: 16)
            var f = TableFields()
            f.add(0, custom)
            return builder.table(f)
        }
        var f = TableFields()
        if let min { f.add(0, min) }
        if let max { f.add(1, max) }
        if let scale { f.add(2, scale) }
        if let zeroPoint { f.add(3, zeroPoint) }
        if let details {
            f.add(4, UInt8(1))
            f.add(5, details)
        }
        f.add(6, Int32(q.quantizedDimension), default: 0)
        return builder.table(f)
    }

    mutating func sparsity(_ s: SparsityParameters) -> FlatBufferBuilder.Offset {
        let order = s.traversalOrder.map { builder.createVector($0) }
        let blockMap = s.blockMap.map { builder.createVector($0) }
        let dims = s.dimensionMetadata.map { ds in
            let tables = ds.map { d -> FlatBufferBuilder.Offset in
                let segments = d.arraySegments.map { sparseIndex($0) }
                let indices = d.arrayIndices.map { sparseIndex($0) }
                var f = TableFields()
                f.add(0, d.format, default: 0)
                f.add(1, d.denseSize, default: 0)
                if let segments, let type = d.arraySegments?.unionType {
                    f.add(2, type)
                    f.add(3, segments)
                }
                if let indices, let type = d.arrayIndices?.unionType {
                    f.add(4, type)
                    f.add(5, indices)
                }
                return builder.table(f)
            }
            return builder.createVector(tables)
        }
        var f = TableFields()
        if let order { f.add(0, order) }
        if let blockMap { f.add(1, blockMap) }
        if let dims { f.add(2, dims) }
        return builder.table(f)
    }

    mutating func sparseIndex(_ v: SparseIndexVector) -> FlatBufferBuilder.Offset {
        let values: FlatBufferBuilder.Offset
        switch v {
        case .int32(let a): values = builder.createVector(a)
        case .uint16(let a): values = builder.createVector(a, alignment: 4)  // force_align: 4
        case .uint8(let a): values = builder.createByteVector(a, alignment: 4)
        }
        var f = TableFields()
        f.add(0, values)
        return builder.table(f)
    }

    mutating func op(_ o: Operator) -> FlatBufferBuilder.Offset {
        let inputs = ints(o.inputs), outputs = ints(o.outputs)
        let options = o.builtinOptions.encode(&builder)
        let custom = o.customOptions.map { builder.createByteVector($0) }
        let mutating = o.mutatingVariableInputs.map { builder.createVector($0) }
        let intermediates = o.intermediates.map { ints($0) }
        let options2 = o.builtinOptions2.map { $0.encode(&builder) }
        var f = TableFields()
        f.add(0, UInt32(o.opcodeIndex), default: 0)
        f.add(1, inputs)
        f.add(2, outputs)
        f.add(3, o.builtinOptions.unionType, default: 0)
        if let options { f.add(4, options) }
        if let custom { f.add(5, custom) }
        f.add(6, o.customOptionsFormat, default: 0)
        if let mutating { f.add(7, mutating) }
        if let intermediates { f.add(8, intermediates) }
        if let options2, let type = o.builtinOptions2?.unionType {
            f.add(11, type, default: 0)
            f.add(12, options2)
        }
        return builder.table(f)
    }

    mutating func signatureDef(_ s: SignatureDef) -> FlatBufferBuilder.Offset {
        let maps = { (b: inout FlatBufferBuilder, ms: [TensorMap]) -> FlatBufferBuilder.Offset in
            let tables = ms.map { m -> FlatBufferBuilder.Offset in
                let name = b.createString(m.name)
                var f = TableFields()
                f.add(0, name)
                f.add(1, m.tensorIndex, default: 0)
                return b.table(f)
            }
            return b.createVector(tables)
        }
        let inputs = maps(&builder, s.inputs)
        let outputs = maps(&builder, s.outputs)
        let key = s.signatureKey.map { builder.createString($0) }
        var f = TableFields()
        f.add(0, inputs)
        f.add(1, outputs)
        if let key { f.add(2, key) }
        f.add(4, s.subgraphIndex, default: 0)
        return builder.table(f)
    }
}
