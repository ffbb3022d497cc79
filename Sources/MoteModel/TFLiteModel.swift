import Foundation
import MoteCore

/// A TensorFlow Lite model (`table Model` of TFLite's schema.fbs) as plain values: read it
/// with `init(bytes:)` or `init(contentsOf:)`, change it, and write it with `serialized()` or
/// `write(to:)`. Indices keep their file meaning: operators refer to `operatorCodes` by
/// position, tensors to `buffers` by position (buffer 0 is the empty sentinel), metadata to
/// `buffers` by position.
///
/// Reading and writing preserve every field of the schema (see `BuiltinOptions` and
/// `GenericOptions` for options tables), so `TFLiteModel(bytes: m.serialized()) == m`.
/// Data stored outside the flatbuffer (the `offset`/`size` fields of models above 2 GB) is
/// read into `Buffer.data` and written back inline.
public struct TFLiteModel: Equatable, Sendable {
    /// The schema version (`version`, 3 for current files).
    public var version: UInt32
    /// The operator codes; `Operator.opcodeIndex` indexes this array.
    public var operatorCodes: [OperatorCode]
    /// The subgraphs; subgraph 0 is the main graph.
    public var subgraphs: [Subgraph]
    /// The free-text `description` (TF's converter writes "MLIR Converted."), if present.
    public var description: String?
    /// The buffers; index 0 must be the empty sentinel buffer.
    public var buffers: [Buffer]
    /// The deprecated `metadata_buffer` list of buffer indices, if present.
    public var metadataBuffer: [Int32]?
    /// The metadata entries (name and buffer index).
    public var metadata: [MetadataEntry]
    /// The signature definitions (named inputs and outputs of exported functions).
    public var signatureDefs: [SignatureDef]

    /// A model with the given parts; buffers default to the single empty sentinel.
    public init(version: UInt32 = 3, operatorCodes: [OperatorCode] = [], subgraphs: [Subgraph] = [],
                description: String? = nil, buffers: [Buffer] = [Buffer()], metadataBuffer: [Int32]? = nil,
                metadata: [MetadataEntry] = [], signatureDefs: [SignatureDef] = []) {
        self.version = version
        self.operatorCodes = operatorCodes
        self.subgraphs = subgraphs
        self.description = description
        self.buffers = buffers
        self.metadataBuffer = metadataBuffer
        self.metadata = metadata
        self.signatureDefs = signatureDefs
    }

    /// The name of the metadata entry that holds Mote's UTF-8 JSON (preprocessing, labels,
    /// calibration summary).
    public static let moteMetadataName = "mote"

    /// The bytes of the first metadata entry called `name`, or nil if there is none (or its
    /// buffer index is out of range).
    public func metadataBytes(named name: String) -> [UInt8]? {
        guard let entry = metadata.first(where: { $0.name == name }),
              entry.buffer >= 0, entry.buffer < buffers.count else { return nil }
        return buffers[entry.buffer].data
    }

    /// Every metadata entry with its bytes (empty when its buffer index is out of range).
    public var metadataContents: [(name: String, bytes: [UInt8])] {
        metadata.map { e in (e.name, e.buffer >= 0 && e.buffer < buffers.count ? buffers[e.buffer].data : []) }
    }

    /// Sets the bytes of the metadata entry `name`: replaces the data of its buffer when the
    /// entry exists (and its buffer is used by nothing else), otherwise appends a new buffer
    /// and a new entry. Passing nil removes the entry (its buffer stays, emptied, so that no
    /// other index changes).
    public mutating func setMetadata(named name: String, bytes: [UInt8]?) {
        let index = metadata.firstIndex { $0.name == name }
        guard let bytes else {
            if let i = index {
                let b = metadata[i].buffer
                metadata.remove(at: i)
                if b > 0, b < buffers.count, !isBufferReferenced(b) { buffers[b] = Buffer() }
            }
            return
        }
        if let i = index, metadata[i].buffer > 0, metadata[i].buffer < buffers.count,
           !isBufferReferenced(metadata[i].buffer, exceptMetadata: i) {
            buffers[metadata[i].buffer] = Buffer(data: bytes)
            return
        }
        if buffers.isEmpty { buffers.append(Buffer()) }
        buffers.append(Buffer(data: bytes))
        if let i = index { metadata[i].buffer = buffers.count - 1 } else {
            metadata.append(MetadataEntry(name: name, buffer: buffers.count - 1))
        }
    }

    private func isBufferReferenced(_ b: Int, exceptMetadata skip: Int? = nil) -> Bool {
        if subgraphs.contains(where: { $0.tensors.contains { $0.buffer == b } }) { return true }
        if metadataBuffer?.contains(Int32(truncatingIfNeeded: b)) == true { return true }
        return metadata.indices.contains { $0 != skip && metadata[$0].buffer == b }
    }

    /// The raw UTF-8 JSON of the `mote` metadata entry, or nil when the model has none.
    /// Setting it adds or replaces the entry; setting nil removes it.
    public var moteMetadataJSON: [UInt8]? {
        get { metadataBytes(named: Self.moteMetadataName) }
        set { setMetadata(named: Self.moteMetadataName, bytes: newValue) }
    }

    /// The `mote` metadata decoded from JSON as `T`, or nil when the model has no such entry.
    public func moteMetadata<T: Decodable>(as type: T.Type) throws -> T? {
        guard let json = moteMetadataJSON else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(json))
    }

    /// Encodes `value` as JSON (keys sorted, so the bytes are reproducible) into the `mote`
    /// metadata entry.
    public mutating func setMoteMetadata<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        moteMetadataJSON = [UInt8](try encoder.encode(value))
    }

    /// The builtin operator code of operator code `index` (see `OperatorCode.builtinOperator`),
    /// or nil when the index is out of range.
    public func builtinOperator(ofOpcode index: Int) -> Int32? {
        index >= 0 && index < operatorCodes.count ? operatorCodes[index].builtinOperator : nil
    }
}

/// A metadata entry (`table Metadata`): a name and the index of the buffer with its bytes.
public struct MetadataEntry: Equatable, Sendable {
    /// The name (e.g. `min_runtime_version`, `CONVERSION_METADATA`, `mote`).
    public var name: String
    /// Index into `TFLiteModel.buffers`.
    public var buffer: Int

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(name: String, buffer: Int) {
        self.name = name
        self.buffer = buffer
    }
}

/// A named tensor of a signature (`table TensorMap`).
public struct TensorMap: Equatable, Sendable {
    /// The alias (the Keras/SavedModel input or output name).
    public var name: String
    /// The tensor index in the signature's subgraph.
    public var tensorIndex: UInt32

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(name: String, tensorIndex: UInt32) {
        self.name = name
        self.tensorIndex = tensorIndex
    }
}

/// A signature (`table SignatureDef`): the named inputs and outputs of an exported function.
public struct SignatureDef: Equatable, Sendable {
    /// Named inputs.
    public var inputs: [TensorMap]
    /// Named outputs.
    public var outputs: [TensorMap]
    /// The SavedModel signature key (e.g. `serving_default`), if present.
    public var signatureKey: String?
    /// The subgraph that implements the signature.
    public var subgraphIndex: UInt32

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(inputs: [TensorMap] = [], outputs: [TensorMap] = [], signatureKey: String? = nil, subgraphIndex: UInt32 = 0) {
        self.inputs = inputs
        self.outputs = outputs
        self.signatureKey = signatureKey
        self.subgraphIndex = subgraphIndex
    }
}
