/// Checks a TFLite flatbuffer once, before anything uses it: the file identifier, every table
/// header and vtable, every field's bounds, every vector's length, every string's terminator
/// and every union type, across the tables the core reads (Model, OperatorCode, SubGraph,
/// Tensor, QuantizationParameters, Operator, Buffer, Metadata).
///
/// Semantic consistency (indices in range, shapes and types that agree with the operators)
/// is checked later, per operator, by `Interpreter`'s prepare step.
public enum ModelVerifier {
    /// The smallest valid model: root offset, identifier, a table header.
    static let minimumSize = 16

    /// Returns the verified root `Model` table, or the first problem found.
    public static func verify(_ fb: FlatBuffer) throws(MoteError) -> FBTable {
        guard fb.count >= minimumSize, fb.bytes.baseAddress != nil else {
            throw .malformed("model is shorter than a flatbuffer header", at: 0)
        }
        // file_identifier "TFL3" at bytes 4..<8
        guard fb.u8(4) == 0x54, fb.u8(5) == 0x46, fb.u8(6) == 0x4C, fb.u8(7) == 0x33 else {
            throw .malformed("missing TFL3 file identifier", at: 4)
        }
        guard let root = fb.root else { throw .malformed("root table header out of bounds", at: 0) }
        try scalar(root, 0, 4)

        let opcodes = try tables(root, ModelView.operatorCodesSlot, "operator_codes vector out of bounds")
        for i in 0..<opcodes.count {
            guard let t = opcodes.table(i) else { throw .malformed("operator code table out of bounds", at: opcodes.start + 4 * i) }
            try scalar(t, 0, 1); try scalar(t, 2, 4); try scalar(t, 3, 4)
            try optionalString(t, 1, "operator custom_code string invalid")
        }

        let subgraphs = try tables(root, ModelView.subgraphsSlot, "subgraphs vector out of bounds")
        guard subgraphs.count >= 1 else { throw .malformed("model has no subgraph", at: root.position) }
        for i in 0..<subgraphs.count {
            guard let sg = subgraphs.table(i) else { throw .malformed("subgraph table out of bounds", at: subgraphs.start + 4 * i) }
            try subgraph(sg)
        }

        try optionalString(root, ModelView.descriptionSlot, "model description string invalid")
        let buffers = try tables(root, ModelView.buffersSlot, "buffers vector out of bounds")
        for i in 0..<buffers.count {
            guard let b = buffers.table(i) else { throw .malformed("buffer table out of bounds", at: buffers.start + 4 * i) }
            try scalar(b, 1, 8); try scalar(b, 2, 8)
            if b.has(0), b.vector(0, elementSize: 1) == nil { throw .malformed("buffer data vector out of bounds", at: b.position) }
        }
        if root.has(ModelView.metadataBufferSlot), root.vector(ModelView.metadataBufferSlot, elementSize: 4) == nil {
            throw .malformed("metadata_buffer vector out of bounds", at: root.position)
        }
        let metadata = try tables(root, ModelView.metadataSlot, "metadata vector out of bounds")
        for i in 0..<metadata.count {
            guard let m = metadata.table(i) else { throw .malformed("metadata table out of bounds", at: metadata.start + 4 * i) }
            try scalar(m, 1, 4)
            try optionalString(m, 0, "metadata name string invalid")
        }
        // signature_defs (slot 7) are not used by the core; only their container is checked.
        _ = try tables(root, 7, "signature_defs vector out of bounds")
        return root
    }

    static func subgraph(_ sg: FBTable) throws(MoteError) {
        let tensors = try tables(sg, 0, "tensors vector out of bounds")
        for i in 0..<tensors.count {
            guard let t = tensors.table(i) else { throw .malformed("tensor table out of bounds", at: tensors.start + 4 * i) }
            try intVector(t, 0, "tensor shape vector out of bounds")
            try scalar(t, 1, 1); try scalar(t, 2, 4); try scalar(t, 5, 1); try scalar(t, 8, 1)
            try optionalString(t, 3, "tensor name string invalid")
            if t.has(4) {
                guard let q = t.table(4) else { throw .malformed("quantization table out of bounds", at: t.position) }
                try scalar(q, 4, 1); try scalar(q, 6, 4)
                for slot in 0..<3 where q.has(slot) && q.vector(slot, elementSize: 4) == nil {
                    throw .malformed("quantization min/max/scale vector out of bounds", at: q.position)
                }
                if q.has(3), q.vector(3, elementSize: 8) == nil { throw .malformed("zero_point vector out of bounds", at: q.position) }
                if q.u8(4) > 1 { throw .malformed("unknown quantization details union type", at: q.position) }
                if q.u8(4) != 0, q.table(5) == nil { throw .malformed("quantization details table out of bounds", at: q.position) }
            }
            if t.has(6), t.table(6) == nil { throw .malformed("sparsity table out of bounds", at: t.position) }
            try intVector(t, 7, "tensor shape_signature vector out of bounds")
        }
        try intVector(sg, 1, "subgraph inputs vector out of bounds")
        try intVector(sg, 2, "subgraph outputs vector out of bounds")
        try optionalString(sg, 4, "subgraph name string invalid")
        let ops = try tables(sg, 3, "operators vector out of bounds")
        for i in 0..<ops.count {
            guard let op = ops.table(i) else { throw .malformed("operator table out of bounds", at: ops.start + 4 * i) }
            try scalar(op, 0, 4); try scalar(op, 3, 1); try scalar(op, 6, 1); try scalar(op, 11, 1)
            try intVector(op, 1, "operator inputs vector out of bounds")
            try intVector(op, 2, "operator outputs vector out of bounds")
            let type = op.u8(3)
            if type > BuiltinOptionsType.maxKnown { throw .malformed("unknown builtin options union type", at: op.position) }
            if op.has(4) {
                guard type != 0, op.table(4) != nil else { throw .malformed("builtin options table invalid or without a type", at: op.position) }
            }
            if op.has(5), op.vector(5, elementSize: 1) == nil { throw .malformed("custom options vector out of bounds", at: op.position) }
            if op.has(12), op.table(12) == nil { throw .malformed("builtin options 2 table out of bounds", at: op.position) }
        }
    }

    /// A scalar field, when present, lies inside the table.
    static func scalar(_ t: FBTable, _ slot: Int, _ size: Int) throws(MoteError) {
        if !t.fieldIsValid(slot, size: size) { throw .malformed("scalar field outside its table", at: t.position) }
    }

    /// An optional vector of tables (empty when absent).
    static func tables(_ t: FBTable, _ slot: Int, _ what: StaticString) throws(MoteError) -> FBVector {
        guard t.has(slot) else { return .empty(t.buffer, elementSize: 4) }
        guard let v = t.vector(slot, elementSize: 4) else { throw .malformed(what, at: t.position) }
        return v
    }

    static func intVector(_ t: FBTable, _ slot: Int, _ what: StaticString) throws(MoteError) {
        if t.has(slot), t.vector(slot, elementSize: 4) == nil { throw .malformed(what, at: t.position) }
    }

    static func optionalString(_ t: FBTable, _ slot: Int, _ what: StaticString) throws(MoteError) {
        if t.has(slot), t.string(slot) == nil { throw .malformed(what, at: t.position) }
    }
}
