/// A read-only view of flatbuffer bytes. Every read is bounds-checked: a read that would leave
/// the buffer yields zero (scalars), nil (tables, vectors) or an empty vector, so no input can
/// make the core read out of bounds. `ModelVerifier` walks the whole model once up front and
/// turns every such problem into a specific error before anything else uses the model.
public struct FlatBuffer {
    /// The bytes (e.g. a `.tflite` in flash).
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// A stored unsigned 32-bit offset, count or index as an `Int`; values beyond `Int32.max`
    /// become `Int32.max` (never a trap on 32-bit targets), which no bounds check accepts.
    @inline(__always)
    public static func index(_ u: UInt32) -> Int {
        u > 0x7fff_ffff ? 0x7fff_ffff : Int(Int32(bitPattern: u))
    }

    /// The number of bytes.
    public var count: Int { bytes.count }

    /// True when `offset..<offset+size` lies inside the buffer (overflow-safe).
    @inline(__always)
    public func contains(_ offset: Int, _ size: Int) -> Bool {
        offset >= 0 && size >= 0 && offset <= bytes.count && size <= bytes.count - offset
    }

    // Concrete loads: a generic `FixedWidthInteger` load is rejected by -no-allocations on
    // 32-bit embedded targets. Every target the core supports is little-endian, as is the format.
    @inline(__always)
    func raw(_ offset: Int, _ size: Int) -> UnsafeRawPointer? {
        guard contains(offset, size), let base = bytes.baseAddress else { return nil }
        return base + offset
    }

    public func u8(_ o: Int) -> UInt8 { raw(o, 1)?.load(as: UInt8.self) ?? 0 }
    public func i8(_ o: Int) -> Int8 { raw(o, 1)?.load(as: Int8.self) ?? 0 }
    public func u16(_ o: Int) -> UInt16 { raw(o, 2)?.loadUnaligned(as: UInt16.self) ?? 0 }
    public func i16(_ o: Int) -> Int16 { raw(o, 2)?.loadUnaligned(as: Int16.self) ?? 0 }
    public func u32(_ o: Int) -> UInt32 { raw(o, 4)?.loadUnaligned(as: UInt32.self) ?? 0 }
    public func i32(_ o: Int) -> Int32 { raw(o, 4)?.loadUnaligned(as: Int32.self) ?? 0 }
    public func u64(_ o: Int) -> UInt64 { raw(o, 8)?.loadUnaligned(as: UInt64.self) ?? 0 }
    public func i64(_ o: Int) -> Int64 { raw(o, 8)?.loadUnaligned(as: Int64.self) ?? 0 }
    public func f32(_ o: Int) -> Float { Float(bitPattern: u32(o)) }

    /// The root table (the uoffset at byte 0), or nil if it is not a valid table.
    public var root: FBTable? { table(atReference: 0) }

    /// The table that the uoffset stored at `reference` points to, if its header is valid:
    /// the soffset to its vtable, the vtable's size and the table's inline size all in bounds.
    public func table(atReference reference: Int) -> FBTable? {
        guard contains(reference, 4) else { return nil }
        let (target, o) = reference.addingReportingOverflow(FlatBuffer.index(u32(reference)))
        guard !o else { return nil }
        return table(at: target)
    }

    /// The table that starts at `position`, if its header is valid.
    public func table(at position: Int) -> FBTable? {
        guard contains(position, 4) else { return nil }
        // The soffset can be near Int32.min: on 32-bit targets the subtraction must not trap.
        let (vtable, o) = position.subtractingReportingOverflow(Int(i32(position)))
        guard !o, contains(vtable, 4) else { return nil }
        let vtableSize = Int(u16(vtable))
        let inlineSize = Int(u16(vtable + 2))
        guard vtableSize >= 4, vtableSize & 1 == 0, contains(vtable, vtableSize),
              inlineSize >= 4, contains(position, inlineSize) else { return nil }
        return FBTable(buffer: self, position: position, vtable: vtable, vtableSize: vtableSize, inlineSize: inlineSize)
    }

    /// The vector that the uoffset stored at `reference` points to, with `elementSize`-byte
    /// elements, if its length and elements lie inside the buffer.
    public func vector(atReference reference: Int, elementSize: Int) -> FBVector? {
        guard contains(reference, 4) else { return nil }
        let (start, o) = reference.addingReportingOverflow(FlatBuffer.index(u32(reference)))
        guard !o, contains(start, 4) else { return nil }
        let count = FlatBuffer.index(u32(start))
        let (bytes, o2) = count.multipliedReportingOverflow(by: elementSize)
        guard !o2, contains(start + 4, bytes) else { return nil }
        return FBVector(buffer: self, start: start + 4, count: count, elementSize: elementSize)
    }
}

/// A flatbuffer table whose header has been checked. Fields are addressed by their slot,
/// the field's position in the schema (0 for the first field).
public struct FBTable {
    public let buffer: FlatBuffer
    /// Byte offset of the table in the buffer.
    public let position: Int
    let vtable: Int
    let vtableSize: Int
    let inlineSize: Int

    /// The absolute byte offset of field `slot` if it is present and its `size` bytes lie
    /// inside the table's inline part, else nil.
    @inline(__always)
    public func field(_ slot: Int, size: Int) -> Int? {
        let entry = 4 + 2 * slot
        guard slot >= 0, entry + 2 <= vtableSize else { return nil }
        let rel = Int(buffer.u16(vtable + entry))
        guard rel != 0, rel >= 4, rel + size <= inlineSize else { return nil }
        return position + rel
    }

    /// True when the vtable has a non-zero entry for `slot`.
    public func has(_ slot: Int) -> Bool {
        let entry = 4 + 2 * slot
        return slot >= 0 && entry + 2 <= vtableSize && buffer.u16(vtable + entry) != 0
    }

    /// True when field `slot` is absent, or present with `size` bytes inside the table.
    public func fieldIsValid(_ slot: Int, size: Int) -> Bool { !has(slot) || field(slot, size: size) != nil }

    public func u8(_ slot: Int, _ d: UInt8 = 0) -> UInt8 { field(slot, size: 1).map { buffer.u8($0) } ?? d }
    public func i8(_ slot: Int, _ d: Int8 = 0) -> Int8 { field(slot, size: 1).map { buffer.i8($0) } ?? d }
    public func bool(_ slot: Int, _ d: Bool = false) -> Bool { field(slot, size: 1).map { buffer.u8($0) != 0 } ?? d }
    public func i16(_ slot: Int, _ d: Int16 = 0) -> Int16 { field(slot, size: 2).map { buffer.i16($0) } ?? d }
    public func u16(_ slot: Int, _ d: UInt16 = 0) -> UInt16 { field(slot, size: 2).map { buffer.u16($0) } ?? d }
    public func i32(_ slot: Int, _ d: Int32 = 0) -> Int32 { field(slot, size: 4).map { buffer.i32($0) } ?? d }
    public func u32(_ slot: Int, _ d: UInt32 = 0) -> UInt32 { field(slot, size: 4).map { buffer.u32($0) } ?? d }
    public func i64(_ slot: Int, _ d: Int64 = 0) -> Int64 { field(slot, size: 8).map { buffer.i64($0) } ?? d }
    public func u64(_ slot: Int, _ d: UInt64 = 0) -> UInt64 { field(slot, size: 8).map { buffer.u64($0) } ?? d }
    public func f32(_ slot: Int, _ d: Float = 0) -> Float { field(slot, size: 4).map { buffer.f32($0) } ?? d }

    /// The sub-table at field `slot`, if present and valid.
    public func table(_ slot: Int) -> FBTable? {
        guard let f = field(slot, size: 4) else { return nil }
        return buffer.table(atReference: f)
    }

    /// The vector at field `slot` with `elementSize`-byte elements, if present and in bounds.
    public func vector(_ slot: Int, elementSize: Int) -> FBVector? {
        guard let f = field(slot, size: 4) else { return nil }
        return buffer.vector(atReference: f, elementSize: elementSize)
    }

    /// The string at field `slot` as its bytes (without the terminator), if present, in bounds
    /// and NUL-terminated.
    public func string(_ slot: Int) -> FBVector? {
        guard let v = vector(slot, elementSize: 1), buffer.contains(v.start + v.count, 1),
              buffer.u8(v.start + v.count) == 0 else { return nil }
        return v
    }
}

/// A flatbuffer vector whose length has been checked against the buffer.
public struct FBVector {
    public let buffer: FlatBuffer
    /// Byte offset of element 0.
    public let start: Int
    /// Number of elements.
    public let count: Int
    /// Bytes per element (4 for offsets to tables and strings).
    public let elementSize: Int

    /// An empty vector (for absent optional vectors).
    public static func empty(_ buffer: FlatBuffer, elementSize: Int) -> FBVector {
        FBVector(buffer: buffer, start: 0, count: 0, elementSize: elementSize)
    }

    public func u8(_ i: Int) -> UInt8 { i >= 0 && i < count ? buffer.u8(start + i) : 0 }
    public func i32(_ i: Int) -> Int32 { i >= 0 && i < count ? buffer.i32(start + 4 * i) : 0 }
    public func u32(_ i: Int) -> UInt32 { i >= 0 && i < count ? buffer.u32(start + 4 * i) : 0 }
    public func i64(_ i: Int) -> Int64 { i >= 0 && i < count ? buffer.i64(start + 8 * i) : 0 }
    public func f32(_ i: Int) -> Float { i >= 0 && i < count ? buffer.f32(start + 4 * i) : 0 }

    /// The table that element `i` (a uoffset) points to, if valid.
    public func table(_ i: Int) -> FBTable? {
        guard i >= 0, i < count else { return nil }
        return buffer.table(atReference: start + 4 * i)
    }

    /// The string that element `i` (a uoffset) points to, if valid and NUL-terminated.
    public func string(_ i: Int) -> FBVector? {
        guard i >= 0, i < count, let v = buffer.vector(atReference: start + 4 * i, elementSize: 1),
              buffer.contains(v.start + v.count, 1), buffer.u8(v.start + v.count) == 0 else { return nil }
        return v
    }

    /// The raw bytes of the elements.
    public var rawBytes: UnsafeRawBufferPointer {
        guard count > 0, let base = buffer.bytes.baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + start, count: count * elementSize)
    }

    /// True when the bytes equal the ASCII/UTF-8 `text`.
    public func equals(_ text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount == count * elementSize else { return false }
        let p = text.utf8Start
        for i in 0..<count where buffer.u8(start + i) != p[i] { return false }
        return true
    }
}
