import Foundation
import MoteCore

extension TFLiteModel {
    /// Reads a `.tflite` flatbuffer. The bytes are first checked by MoteCore's
    /// `ModelVerifier` (identifier, every offset, vector and string the core uses); the tables
    /// the core never reads (sparsity, signatures, variant types, options) are checked here as
    /// they are read. Every read goes through MoteCore's bounds-checked `FlatBuffer` view.
    ///
    /// - Throws: `TFLiteModelError` naming the first problem found.
    public init(bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { raw in try ModelReader(FlatBuffer(raw)).read() }
    }

    /// Reads the `.tflite` file at `url` (see `init(bytes:)`).
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TFLiteModelError.io("cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](data))
    }
}

/// Copies a verified flatbuffer into the IR, table by table (field slots as in schema.fbs).
struct ModelReader {
    let fb: FlatBuffer

    init(_ fb: FlatBuffer) { self.fb = fb }

    func read() throws -> TFLiteModel {
        let root: FBTable
        do { root = try ModelVerifier.verify(fb) } catch { throw TFLiteModelError(error) }
        var model = TFLiteModel(version: root.u32(0), buffers: [])
        model.operatorCodes = try tables(root, 1, "operator_codes").map { t in
            OperatorCode(deprecatedBuiltinCode: t.i8(0), customCode: try string(t, 1, "custom_code"),
                         version: t.i32(2, 1), builtinCode: t.i32(3))
        }
        model.subgraphs = try tables(root, 2, "subgraphs").map(subgraph)
        model.description = try string(root, 3, "description")
        model.buffers = try tables(root, 4, "buffers").map(buffer)
        model.metadataBuffer = try ints(root, 5, "metadata_buffer")
        model.metadata = try tables(root, 6, "metadata").map { t in
            MetadataEntry(name: try string(t, 0, "metadata name") ?? "", buffer: FlatBuffer.index(t.u32(1)))
        }
        model.signatureDefs = try tables(root, 7, "signature_defs").map(signatureDef)
        return model
    }

    // MARK: Tables

    func buffer(_ t: FBTable) throws -> Buffer {
        if t.has(0) {
            guard let v = t.vector(0, elementSize: 1) else { throw TFLiteModelError.malformed("buffer data out of bounds") }
            return Buffer(data: [UInt8](v.rawBytes))
        }
        return Buffer(data: try external(offset: t.u64(1), size: t.u64(2), "buffer"))
    }

    /// Bytes stored after the flatbuffer (models above 2 GB): `offset` counts from the start
    /// of the file and is valid only when greater than 1.
    func external(offset: UInt64, size: UInt64, _ what: String) throws -> [UInt8] {
        guard offset > 1 else { return [] }
        guard offset < UInt64(Int.max), size < UInt64(Int.max), fb.contains(Int(offset), Int(size)) else {
            throw TFLiteModelError.malformed("\(what) data at offset \(offset) (\(size) bytes) lies outside the file")
        }
        return [UInt8](UnsafeRawBufferPointer(rebasing: fb.bytes[Int(offset)..<Int(offset) + Int(size)]))
    }

    func subgraph(_ t: FBTable) throws -> Subgraph {
        Subgraph(tensors: try tables(t, 0, "tensors").map(tensor),
                 inputs: try ints(t, 1, "subgraph inputs")?.map(Int.init) ?? [],
                 outputs: try ints(t, 2, "subgraph outputs")?.map(Int.init) ?? [],
                 operators: try tables(t, 3, "operators").map(op),
                 name: try string(t, 4, "subgraph name"))
    }

    func tensor(_ t: FBTable) throws -> Tensor {
        try scalar(t, 8, 1, "tensor has_rank")
        guard let type = TensorType(rawValue: t.u8(1)) else {
            throw TFLiteModelError.unsupported("tensor type \(t.u8(1)) is not a TensorType this reader knows")
        }
        return Tensor(shape: try ints(t, 0, "tensor shape")?.map(Int.init) ?? [], type: type,
                      buffer: FlatBuffer.index(t.u32(2)), name: try string(t, 3, "tensor name") ?? "",
                      quantization: try t.has(4) ? quantization(t.table(4)!) : nil, isVariable: t.bool(5),
                      sparsity: try t.has(6) ? sparsity(t.table(6)!) : nil,
                      shapeSignature: try ints(t, 7, "shape_signature")?.map(Int.init), hasRank: t.bool(8),
                      variantTensors: t.has(9) ? try tables(t, 9, "variant_tensors").map(variant) : nil)
    }

    func quantization(_ q: FBTable) throws -> Quantization {
        var custom: [UInt8]?
        if q.u8(4) == 1, let details = q.table(5) {
            guard let v = details.vector(0, elementSize: 1) else {
                throw TFLiteModelError.malformed("custom quantization bytes out of bounds")
            }
            custom = [UInt8](v.rawBytes)
        }
        let scale = q.vector(2, elementSize: 4), zeroPoint = q.vector(3, elementSize: 8)
        return Quantization(min: floats(q.vector(0, elementSize: 4)), max: floats(q.vector(1, elementSize: 4)),
                            scale: floats(scale), zeroPoint: zeroPoint.map { v in (0..<v.count).map { v.i64($0) } } ?? [],
                            customDetails: custom, quantizedDimension: Int(q.i32(6)))
    }

    func sparsity(_ s: FBTable) throws -> SparsityParameters {
        SparsityParameters(traversalOrder: try ints(s, 0, "traversal_order"), blockMap: try ints(s, 1, "block_map"),
                           dimensionMetadata: s.has(2) ? try tables(s, 2, "dim_metadata").map(dimension) : nil)
    }

    func dimension(_ d: FBTable) throws -> DimensionMetadata {
        for (slot, size) in [(0, 1), (1, 4), (2, 1), (4, 1)] { try scalar(d, slot, size, "dimension metadata") }
        return DimensionMetadata(format: d.i8(0), denseSize: d.i32(1),
                                 arraySegments: try sparseIndex(d, 2, "array_segments"),
                                 arrayIndices: try sparseIndex(d, 4, "array_indices"))
    }

    func sparseIndex(_ d: FBTable, _ typeSlot: Int, _ what: String) throws -> SparseIndexVector? {
        let type = d.u8(typeSlot)
        guard type != 0 else { return nil }
        guard let t = d.table(typeSlot + 1) else { throw TFLiteModelError.malformed("\(what) table missing or out of bounds") }
        let size: Int
        switch type {
        case 1: size = 4
        case 2: size = 2
        case 3: size = 1
        default: throw TFLiteModelError.unsupported("\(what) union type \(type)")
        }
        let v: FBVector?
        if t.has(0) {
            guard let vector = t.vector(0, elementSize: size) else { throw TFLiteModelError.malformed("\(what) values out of bounds") }
            v = vector
        } else { v = nil }
        let bytes = v.map { [UInt8]($0.rawBytes) } ?? []
        switch size {
        case 4: return .int32(v.map { v in (0..<v.count).map { v.i32($0) } } ?? [])
        case 2: return .uint16(stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 })
        default: return .uint8(bytes)
        }
    }

    func variant(_ t: FBTable) throws -> VariantSubType {
        try scalar(t, 1, 1, "variant type"); try scalar(t, 2, 1, "variant has_rank")
        guard let type = TensorType(rawValue: t.u8(1)) else {
            throw TFLiteModelError.unsupported("variant tensor type \(t.u8(1))")
        }
        return VariantSubType(shape: try ints(t, 0, "variant shape")?.map(Int.init) ?? [], type: type, hasRank: t.bool(2))
    }

    func op(_ t: FBTable) throws -> Operator {
        try scalar(t, 9, 8, "large_custom_options_offset"); try scalar(t, 10, 8, "large_custom_options_size")
        var custom: [UInt8]?
        if t.has(5) {
            guard let v = t.vector(5, elementSize: 1) else { throw TFLiteModelError.malformed("custom options out of bounds") }
            custom = [UInt8](v.rawBytes)
        } else if t.u64(9) > 1 {
            custom = try external(offset: t.u64(9), size: t.u64(10), "custom options")
        }
        var mutating: [Bool]?
        if t.has(7) {
            guard let v = t.vector(7, elementSize: 1) else { throw TFLiteModelError.malformed("mutating_variable_inputs out of bounds") }
            mutating = (0..<v.count).map { v.u8($0) != 0 }
        }
        var options2: GenericOptions?
        let type2 = t.u8(11)
        if type2 != 0 {
            if t.has(12) {
                guard let table = t.table(12) else { throw TFLiteModelError.malformed("builtin_options_2 out of bounds") }
                options2 = try GenericOptions(unionType: type2, union: .builtinOptions2, table: table)
            } else {
                options2 = GenericOptions(unionType: type2)
            }
        }
        return Operator(opcodeIndex: FlatBuffer.index(t.u32(0)),
                        inputs: try ints(t, 1, "operator inputs")?.map(Int.init) ?? [],
                        outputs: try ints(t, 2, "operator outputs")?.map(Int.init) ?? [],
                        builtinOptions: try BuiltinOptions.decode(type: t.u8(3), table: t.table(4)),
                        customOptions: custom, customOptionsFormat: t.i8(6), mutatingVariableInputs: mutating,
                        intermediates: try ints(t, 8, "intermediates")?.map(Int.init), builtinOptions2: options2)
    }

    func signatureDef(_ t: FBTable) throws -> SignatureDef {
        try scalar(t, 4, 4, "signature subgraph_index")
        let map = { (m: FBTable) throws -> TensorMap in
            try self.scalar(m, 1, 4, "tensor map index")
            return TensorMap(name: try self.string(m, 0, "tensor map name") ?? "", tensorIndex: m.u32(1))
        }
        return SignatureDef(inputs: try tables(t, 0, "signature inputs").map(map),
                            outputs: try tables(t, 1, "signature outputs").map(map),
                            signatureKey: try string(t, 2, "signature_key"), subgraphIndex: t.u32(4))
    }

    // MARK: Field helpers

    /// A vector of tables (empty when absent); every element must be a valid table.
    func tables(_ t: FBTable, _ slot: Int, _ what: String) throws -> [FBTable] {
        guard t.has(slot) else { return [] }
        guard let v = t.vector(slot, elementSize: 4) else { throw TFLiteModelError.malformed("\(what) vector out of bounds") }
        return try (0..<v.count).map { i in
            guard let e = v.table(i) else { throw TFLiteModelError.malformed("\(what) element \(i) out of bounds") }
            return e
        }
    }

    /// An int32 vector, nil when absent.
    func ints(_ t: FBTable, _ slot: Int, _ what: String) throws -> [Int32]? {
        guard t.has(slot) else { return nil }
        guard let v = t.vector(slot, elementSize: 4) else { throw TFLiteModelError.malformed("\(what) vector out of bounds") }
        return (0..<v.count).map { v.i32($0) }
    }

    func floats(_ v: FBVector?) -> [Float] {
        guard let v else { return [] }
        return (0..<v.count).map { v.f32($0) }
    }

    /// A string (decoded as UTF-8, invalid sequences replaced), nil when absent.
    func string(_ t: FBTable, _ slot: Int, _ what: String) throws -> String? {
        guard t.has(slot) else { return nil }
        guard let s = t.string(slot) else { throw TFLiteModelError.malformed("\(what) string invalid") }
        return String(decoding: s.rawBytes, as: UTF8.self)
    }

    func scalar(_ t: FBTable, _ slot: Int, _ size: Int, _ what: String) throws {
        if !t.fieldIsValid(slot, size: size) { throw TFLiteModelError.malformed("\(what) field lies outside its table") }
    }
}
