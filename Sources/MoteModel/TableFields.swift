/// The fields of one table, collected before the table is written so that the builder can
/// lay them out from the widest to the narrowest (no padding between fields, as flatc does).
/// Default-valued scalars are left out (flatc's `force_defaults` off); readers return the
/// schema default for an absent field.
struct TableFields {
    enum Value {
        case scalar([UInt8])
        case offset(FlatBufferBuilder.Offset)

        var size: Int {
            switch self {
            case .scalar(let b): return b.count
            case .offset: return 4
            }
        }
    }

    private(set) var entries: [(slot: Int, value: Value)] = []

    /// Adds `value` unless it equals `d`.
    mutating func add<T: FixedWidthInteger>(_ slot: Int, _ value: T, default d: T) {
        if value != d { add(slot, value) }
    }

    /// Adds `value` (always).
    mutating func add<T: FixedWidthInteger>(_ slot: Int, _ value: T) {
        var v = value.littleEndian
        entries.append((slot, .scalar(withUnsafeBytes(of: &v) { Array($0) })))
    }

    /// Adds `value` unless it has the same bits as `d` (so -0.0 and NaN payloads survive).
    mutating func add(_ slot: Int, _ value: Float, default d: Float) {
        if value.bitPattern != d.bitPattern { add(slot, value.bitPattern) }
    }

    /// Adds `value` (one byte) unless it equals `d`.
    mutating func add(_ slot: Int, _ value: Bool, default d: Bool) {
        if value != d { add(slot, value ? UInt8(1) : 0) }
    }

    /// Adds an offset to an object written before.
    mutating func add(_ slot: Int, _ target: FlatBufferBuilder.Offset) {
        entries.append((slot, .offset(target)))
    }

    /// Adds raw little-endian bytes (1, 2, 4 or 8 of them), aligned to their count.
    mutating func add(_ slot: Int, rawBytes: [UInt8]) {
        precondition([1, 2, 4, 8].contains(rawBytes.count), "a raw scalar has 1, 2, 4 or 8 bytes")
        entries.append((slot, .scalar(rawBytes)))
    }
}

extension FlatBufferBuilder {
    /// Writes a table with `fields`, widest first (they end up at the table's end), after
    /// aligning to the widest so that no padding follows any field.
    mutating func table(_ fields: TableFields) -> Offset {
        let ordered = fields.entries.enumerated()
            .sorted { ($0.element.value.size, $1.offset) > ($1.element.value.size, $0.offset) }
            .map(\.element)
        align(ordered.first?.value.size ?? 1)
        startTable()
        for (slot, value) in ordered {
            switch value {
            case .scalar(let bytes): add(slot: slot, rawBytes: bytes, alignment: bytes.count)
            case .offset(let target): add(slot: slot, target)
            }
        }
        return endTable()
    }
}
