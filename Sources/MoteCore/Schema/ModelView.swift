/// Zero-copy, read-only views of the parts of a TFLite model (schema.fbs) that the core uses.
/// They read through `FlatBuffer`'s bounds-checked accessors; `ModelView.init` runs the
/// verifier first, so every structural problem surfaces there as a specific error.
public struct ModelView {
    public let buffer: FlatBuffer
    let root: FBTable

    // Field slots of `table Model`.
    static let versionSlot = 0, operatorCodesSlot = 1, subgraphsSlot = 2, descriptionSlot = 3
    static let buffersSlot = 4, metadataBufferSlot = 5, metadataSlot = 6

    /// Verifies `bytes` as a TFLite model (see `ModelVerifier`) and views it.
    public init(_ bytes: UnsafeRawBufferPointer) throws(MoteError) {
        let fb = FlatBuffer(bytes)
        root = try ModelVerifier.verify(fb)
        buffer = fb
    }

    /// The schema version (3 for current files).
    public var version: UInt32 { root.u32(ModelView.versionSlot) }

    /// The number of subgraphs; the core executes subgraph 0.
    public var subgraphCount: Int { root.vector(ModelView.subgraphsSlot, elementSize: 4)?.count ?? 0 }

    /// Subgraph `i`.
    public func subgraph(_ i: Int) -> SubgraphView? {
        root.vector(ModelView.subgraphsSlot, elementSize: 4)?.table(i).map { SubgraphView(table: $0) }
    }

    /// The number of operator codes.
    public var operatorCodeCount: Int { root.vector(ModelView.operatorCodesSlot, elementSize: 4)?.count ?? 0 }

    /// Operator code `i`: the builtin operator (the larger of `deprecated_builtin_code` and
    /// `builtin_code`, as TFLite's `GetBuiltinCode` reads it), its version, and whether it is custom.
    public func operatorCode(_ i: Int) -> (builtin: Int32, version: Int32, isCustom: Bool)? {
        guard let t = root.vector(ModelView.operatorCodesSlot, elementSize: 4)?.table(i) else { return nil }
        let deprecated = Int32(t.i8(0))
        let builtin = t.i32(3)
        let code = max(deprecated, builtin)
        return (code, t.i32(2, 1), t.has(1) && code == 32 /* CUSTOM */)
    }

    /// The number of buffers.
    public var bufferCount: Int { root.vector(ModelView.buffersSlot, elementSize: 4)?.count ?? 0 }

    /// The data of buffer `i` (empty when the buffer has none). Data stored after the
    /// flatbuffer (the `offset`/`size` fields of >2 GB models) is returned when it lies inside
    /// the model bytes.
    public func bufferData(_ i: Int) -> UnsafeRawBufferPointer {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        guard let t = root.vector(ModelView.buffersSlot, elementSize: 4)?.table(i) else { return empty }
        if let v = t.vector(0, elementSize: 1) { return v.rawBytes }
        let offset = t.u64(1), size = t.u64(2)
        guard offset > 1, size > 0, offset < 0x7fff_ffff, size < 0x7fff_ffff,
              buffer.contains(Int(UInt32(truncatingIfNeeded: offset)), Int(UInt32(truncatingIfNeeded: size))),
              let base = buffer.bytes.baseAddress else { return empty }
        return UnsafeRawBufferPointer(start: base + Int(UInt32(truncatingIfNeeded: offset)), count: Int(UInt32(truncatingIfNeeded: size)))
    }

    /// The number of metadata entries.
    public var metadataCount: Int { root.vector(ModelView.metadataSlot, elementSize: 4)?.count ?? 0 }

    /// Metadata entry `i`: its name bytes and the index of its buffer.
    public func metadata(_ i: Int) -> (name: FBVector, buffer: Int)? {
        guard let t = root.vector(ModelView.metadataSlot, elementSize: 4)?.table(i), let name = t.string(0) else { return nil }
        return (name, FlatBuffer.index(t.u32(1)))
    }
}

/// A view of `table SubGraph`.
public struct SubgraphView {
    let table: FBTable

    /// The tensors vector.
    public var tensorCount: Int { table.vector(0, elementSize: 4)?.count ?? 0 }
    /// Tensor `i`.
    public func tensor(_ i: Int) -> TensorView? { table.vector(0, elementSize: 4)?.table(i).map { TensorView(table: $0) } }
    /// The subgraph's input tensor indices.
    public var inputs: FBVector { table.vector(1, elementSize: 4) ?? .empty(table.buffer, elementSize: 4) }
    /// The subgraph's output tensor indices.
    public var outputs: FBVector { table.vector(2, elementSize: 4) ?? .empty(table.buffer, elementSize: 4) }
    /// The number of operators (execution order).
    public var operatorCount: Int { table.vector(3, elementSize: 4)?.count ?? 0 }
    /// Operator `i`.
    public func op(_ i: Int) -> OperatorView? { table.vector(3, elementSize: 4)?.table(i).map { OperatorView(table: $0) } }
}

/// A view of `table Tensor`.
public struct TensorView {
    let table: FBTable

    /// The declared shape (empty vector for a scalar).
    public var shape: FBVector { table.vector(0, elementSize: 4) ?? .empty(table.buffer, elementSize: 4) }
    /// The raw `TensorType` value.
    public var typeRaw: UInt8 { table.u8(1) }
    /// The type, or nil for a value the schema does not define.
    public var type: TensorType? { TensorType(rawValue: typeRaw) }
    /// The buffer index (0 = no data: an activation).
    public var buffer: Int { FlatBuffer.index(table.u32(2)) }
    /// The name bytes, if any.
    public var name: FBVector? { table.string(3) }
    /// The quantization parameters, if any.
    public var quantization: QuantizationView? { table.table(4).map { QuantizationView(table: $0) } }
    /// `is_variable`.
    public var isVariable: Bool { table.bool(5) }
    /// True when the tensor carries sparsity parameters (not supported by the core).
    public var isSparse: Bool { table.has(6) }
    /// `shape_signature` (-1 marks a dynamic dimension), if present.
    public var shapeSignature: FBVector? { table.vector(7, elementSize: 4) }
}

/// A view of `table QuantizationParameters`.
public struct QuantizationView {
    let table: FBTable
    /// Per-tensor (1 element) or per-channel scales.
    public var scale: FBVector { table.vector(2, elementSize: 4) ?? .empty(table.buffer, elementSize: 4) }
    /// Zero points, as 64-bit values.
    public var zeroPoint: FBVector { table.vector(3, elementSize: 8) ?? .empty(table.buffer, elementSize: 8) }
    /// The dimension that per-channel parameters run along.
    public var quantizedDimension: Int32 { table.i32(6) }
    /// True when custom quantization details are present (not supported by the core).
    public var hasDetails: Bool { table.u8(4) != 0 }
}

/// A view of `table Operator`.
public struct OperatorView {
    let table: FBTable
    /// Index into the model's operator codes.
    public var opcodeIndex: Int { FlatBuffer.index(table.u32(0)) }
    /// Input tensor indices (-1 = optional input omitted).
    public var inputs: FBVector { table.vector(1, elementSize: 4) ?? .empty(table.buffer, elementSize: 4) }
    /// Output tensor indices.
    public var outputs: FBVector { table.vector(2, elementSize: 4) ?? .empty(table.buffer, elementSize: 4) }
    /// The `BuiltinOptions` union type.
    public var builtinOptionsType: UInt8 { table.u8(3) }
    /// The builtin options table, if present.
    public var builtinOptions: FBTable? { table.table(4) }
}
