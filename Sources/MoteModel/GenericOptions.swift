import MoteCore

/// An options table kept field by field, for every option table without a typed value in
/// `BuiltinOptions` (and for `builtin_options_2`). Reading and writing it again preserves every
/// field:
///
/// - scalar fields are kept as their little-endian bytes. The schema is not consulted for
///   their width: it is inferred from the table's layout as the largest power of two (at most
///   8) that fits before the next field (or the table's end) and divides the field's
///   position. A well-formed table stores each field aligned to its size, so the inferred
///   width is at least the true width; any extra bytes are the padding that followed the
///   field and are re-emitted with it, so every reader sees the same value;
/// - vector and string fields are known from TFLite's schema (`GenericOptions.offsetFields`,
///   which lists every such field of the schema's option tables) and are kept as their
///   element bytes.
///
/// Limitation: a table whose union type is newer than this schema (above 126 for
/// `BuiltinOptions`, above 21 for `BuiltinOptions2`) is read with every field as a scalar;
/// a vector, string or table field inside such a table would be re-emitted as a meaningless
/// 4-byte number (its old offset), not as the data it pointed to.
public struct GenericOptions: Equatable, Sendable {
    /// Which union a table belongs to.
    public enum Union: Sendable {
        /// `builtin_options` (union `BuiltinOptions`).
        case builtinOptions
        /// `builtin_options_2` (union `BuiltinOptions2`, StableHLO operators).
        case builtinOptions2
    }

    /// One stored field.
    public enum Field: Equatable, Sendable {
        /// A scalar's little-endian bytes (1, 2, 4 or 8 of them, see the type's notes).
        case scalar([UInt8])
        /// A vector of `elementSize`-byte scalars, as their little-endian bytes.
        case vector(elementSize: Int, bytes: [UInt8])
        /// A string's bytes (without the terminator).
        case string([UInt8])
    }

    /// The union type value (index of the table in the union, 1-based).
    public var unionType: UInt8
    /// The present fields by slot (the field's position in the table).
    public var fields: [Int: Field]

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(unionType: UInt8, fields: [Int: Field] = [:]) {
        self.unionType = unionType
        self.fields = fields
    }

    /// The schema name of the table (`ExpOptions`, `StablehloSliceOptions`, ...).
    public func tableName(in union: Union = .builtinOptions) -> String {
        union == .builtinOptions ? BuiltinOptionsNames.name(of: unionType) : BuiltinOptionsNames.name2(of: unionType)
    }

    /// Field `slot` as a signed integer of the table's declared width `bytes` (1, 2, 4 or 8),
    /// or nil when absent or not a scalar.
    public func integer(_ slot: Int, bytes: Int) -> Int64? {
        guard case .scalar(let b)? = fields[slot], bytes <= b.count, [1, 2, 4, 8].contains(bytes) else { return nil }
        var u: UInt64 = 0
        for i in 0..<bytes { u |= UInt64(b[i]) << (8 * UInt64(i)) }
        let shift = UInt64(64 - 8 * bytes)
        return Int64(bitPattern: u << shift) >> Int64(shift)
    }

    /// The kinds of the schema's offset (vector and string) fields of option table `type`.
    public enum OffsetKind: Equatable, Sendable {
        /// A vector of scalars of `elementSize` bytes.
        case vector(elementSize: Int)
        /// A string.
        case string
    }

    /// Every vector and string field of the option tables in TFLite's schema.fbs, by union
    /// and union type, then slot. All other fields of those tables are scalars.
    public static func offsetFields(_ union: Union, type: UInt8) -> [Int: OffsetKind] {
        let longs = OffsetKind.vector(elementSize: 8)
        switch (union, type) {
        case (.builtinOptions, 3): return [1: .vector(elementSize: 4), 2: .vector(elementSize: 4)]  // ConcatEmbeddings
        case (.builtinOptions, 17), (.builtinOptions, 30): return [0: .vector(elementSize: 4)]    // Reshape, Squeeze
        case (.builtinOptions, 111): return [0: .string, 1: .string]                               // VarHandle
        case (.builtinOptions, 115): return [0: .vector(elementSize: 4)]                           // Bucketize
        case (.builtinOptions2, 2), (.builtinOptions2, 9), (.builtinOptions2, 17): return [0: longs]
        case (.builtinOptions2, 3), (.builtinOptions2, 10): return [0: longs, 1: longs, 2: longs]
        case (.builtinOptions2, 4):                                                                 // Convolution
            return [0: longs, 1: longs, 2: longs, 3: longs, 4: .vector(elementSize: 1), 7: longs, 10: longs,
                    13: longs, 16: .vector(elementSize: 4)]
        case (.builtinOptions2, 5): return [0: .string, 2: .string, 4: .vector(elementSize: 4), 5: .vector(elementSize: 1)]
        case (.builtinOptions2, 6): return [0: longs]
        case (.builtinOptions2, 7): return [1: longs, 2: longs, 3: longs]
        case (.builtinOptions2, 12): return [0: longs, 1: longs, 2: longs, 3: longs, 4: .vector(elementSize: 4)]
        case (.builtinOptions2, 13): return [0: longs, 1: longs, 2: longs, 3: longs, 4: longs]
        case (.builtinOptions2, 16): return [0: longs, 1: longs, 2: longs, 4: longs]
        case (.builtinOptions2, 21): return [0: .string, 2: .vector(elementSize: 1)]             // Composite
        default: return [:]
        }
    }

    /// Reads `table` field by field.
    init(unionType: UInt8, union: Union, table t: FBTable) throws {
        self.unionType = unionType
        let layout = TableLayout(t)
        let kinds = GenericOptions.offsetFields(union, type: unionType)
        var fields: [Int: Field] = [:]
        let present = layout.presentFields
        for (i, (slot, rel)) in present.enumerated() {
            switch kinds[slot] {
            case .vector(let size)?:
                guard let v = t.vector(slot, elementSize: size) else {
                    throw TFLiteModelError.malformed("vector field \(slot) of options table \(unionType) out of bounds")
                }
                fields[slot] = .vector(elementSize: size, bytes: [UInt8](v.rawBytes))
            case .string?:
                guard let s = t.string(slot) else {
                    throw TFLiteModelError.malformed("string field \(slot) of options table \(unionType) invalid")
                }
                fields[slot] = .string([UInt8](s.rawBytes))
            case nil:
                let next = present[(i + 1)...].first { $0.rel > rel }?.rel ?? layout.inlineSize
                let position = t.position + rel
                var width = 8
                while width > 1 && (width > next - rel || position % width != 0) { width /= 2 }
                fields[slot] = .scalar((0..<width).map { t.buffer.u8(position + $0) })
            }
        }
        self.fields = fields
    }

    /// Writes the table: vectors and strings first, then the scalars from the widest down,
    /// packed without padding so that the inferred widths read back unchanged.
    func encode(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var f = TableFields()
        for (slot, field) in fields.sorted(by: { $0.key < $1.key }) {
            switch field {
            case .scalar(let bytes): f.add(slot, rawBytes: bytes)
            case .vector(let size, let bytes): f.add(slot, b.createRawVector(bytes, elementSize: size))
            case .string(let bytes): f.add(slot, b.createString(bytes: bytes))
            }
        }
        return b.table(f)
    }
}

/// The header of a verified table, read through `FlatBuffer`'s accessors: which slots are
/// present and where, and the size of the inline part.
struct TableLayout {
    /// The vtable's slot count.
    let slotCount: Int
    /// Bytes of the table's inline part (soffset included).
    let inlineSize: Int
    /// Present fields, sorted by position: (slot, offset inside the table).
    let presentFields: [(slot: Int, rel: Int)]

    init(_ t: FBTable) {
        let fb = t.buffer
        let vtable = t.position - Int(fb.i32(t.position))
        slotCount = (Int(fb.u16(vtable)) - 4) / 2
        inlineSize = Int(fb.u16(vtable + 2))
        var present: [(Int, Int)] = []
        for slot in 0..<max(slotCount, 0) {
            let rel = Int(fb.u16(vtable + 4 + 2 * slot))
            // FBTable accepts a field only inside the inline part; so do we.
            if rel >= 4, rel < inlineSize { present.append((slot, rel)) }
        }
        presentFields = present.sorted { $0.1 < $1.1 }.map { (slot: $0.0, rel: $0.1) }
    }
}
