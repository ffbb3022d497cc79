/// Builds a flatbuffer back to front, as the reference `flatbuffers::FlatBufferBuilder` does:
/// children are written before their parents, so every stored offset points forward (to a
/// higher address), and alignment is counted from the end of the buffer. `finish` pads the
/// front so that the total size is a multiple of the largest alignment used; a buffer loaded
/// at an address aligned to that (16 for TFLite buffers) has every field naturally aligned.
///
/// Tables are written with `startTable` / `add...` / `endTable`; identical vtables are
/// shared (deduplicated) like flatc does. Scalars equal to a field's default should simply
/// not be added (flatc's `force_defaults` off): readers return the default for absent fields.
///
/// All values are stored little-endian (the flatbuffer format), independent of the host.
public struct FlatBufferBuilder {
    /// An object already written: its distance from the end of the buffer (what a
    /// back-to-front builder can know before the buffer is finished).
    public struct Offset: Equatable, Sendable {
        /// Bytes from the object's first byte to the end of the buffer.
        public let fromEnd: Int
        init(_ fromEnd: Int) { self.fromEnd = fromEnd }
    }

    /// Storage; the written bytes are `storage[head...]`.
    private var storage: [UInt8]
    private var head: Int
    /// The largest alignment requested so far (the finished size is a multiple of it).
    private var minAlign = 1
    /// Fields of the table being built: (slot, offset of the field from the end).
    private var fields: [(slot: Int, at: Int)] = []
    private var tableStart: Int?
    /// Written vtables (offsets from the end), for deduplication.
    private var vtables: [Int] = []

    /// A builder with `capacity` bytes reserved (it grows as needed).
    public init(capacity: Int = 1024) {
        let c = max(capacity, 16)
        storage = [UInt8](repeating: 0, count: c)
        head = c
    }

    /// Bytes written so far.
    public var size: Int { storage.count - head }

    // MARK: Low-level writing

    private mutating func reserve(_ n: Int) {
        guard n > head else { return }
        let used = size
        var newCount = storage.count
        while newCount - used < n { newCount *= 2 }
        var grown = [UInt8](repeating: 0, count: newCount)
        let newHead = newCount - used
        grown.withUnsafeMutableBufferPointer { dst in
            storage.withUnsafeBufferPointer { src in
                guard used > 0 else { return }
                (dst.baseAddress! + newHead).update(from: src.baseAddress! + head, count: used)
            }
        }
        storage = grown
        head = newHead
    }

    /// Writes `n` zero bytes.
    public mutating func pad(_ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        for i in 0..<n { storage[head - 1 - i] = 0 }
        head -= n
    }

    /// Pads so that after writing `additional` more bytes the size is a multiple of
    /// `alignment` (a power of two), and records `alignment` for `finish`.
    public mutating func align(_ alignment: Int, additional: Int = 0) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        minAlign = max(minAlign, alignment)
        let n = (~(size + additional) &+ 1) & (alignment - 1)
        pad(n)
    }

    /// Writes raw bytes in front of what is written (no alignment).
    public mutating func writeBytes<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let n = bytes.count
        guard n > 0 else { return }
        reserve(n)
        head -= n
        var i = head
        for b in bytes { storage[i] = b; i += 1 }
    }

    private mutating func writeBytes(_ p: UnsafeRawBufferPointer) {
        guard p.count > 0 else { return }
        reserve(p.count)
        head -= p.count
        storage.withUnsafeMutableBytes { dst in
            (dst.baseAddress! + head).copyMemory(from: p.baseAddress!, byteCount: p.count)
        }
    }

    /// Writes the little-endian bytes of `value`, aligned to its size.
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        let n = MemoryLayout<T>.size
        align(n)
        reserve(n)
        head -= n
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { src in
            for i in 0..<n { storage[head + i] = src[i] }
        }
    }

    /// Writes a `Float` (IEEE 754 binary32, little-endian), aligned to 4.
    public mutating func write(_ value: Float) { write(value.bitPattern) }
    /// Writes a `Double` (IEEE 754 binary64, little-endian), aligned to 8.
    public mutating func write(_ value: Double) { write(value.bitPattern) }

    /// Writes a uoffset to `target`, aligned to 4. The target must already be written.
    public mutating func writeOffset(_ target: Offset) {
        align(4)
        precondition(target.fromEnd <= size, "offset to an object that is not written yet")
        write(UInt32(size - target.fromEnd + 4))
    }

    // MARK: Vectors and strings

    /// Writes a vector of little-endian integers (elements aligned to their size).
    public mutating func createVector<T: FixedWidthInteger>(_ elements: [T], alignment: Int = 1) -> Offset {
        let n = MemoryLayout<T>.size
        startVector(count: elements.count, elementSize: n, alignment: max(n, alignment))
        for e in elements.reversed() {
            var v = e.littleEndian
            withUnsafeBytes(of: &v) { writeBytes($0) }
        }
        return endVector(count: elements.count)
    }

    /// Writes a vector of `Float`.
    public mutating func createVector(_ elements: [Float]) -> Offset {
        createVector(elements.map { $0.bitPattern })
    }

    /// Writes a vector of `Bool` (one byte each, 0 or 1).
    public mutating func createVector(_ elements: [Bool]) -> Offset {
        createVector(elements.map { $0 ? UInt8(1) : 0 })
    }

    /// Writes a byte vector whose first element is aligned to `alignment` (TFLite asks 16 for
    /// `Buffer.data` and `CustomQuantization.custom`: `force_align: 16`).
    public mutating func createByteVector(_ bytes: [UInt8], alignment: Int = 1) -> Offset {
        startVector(count: bytes.count, elementSize: 1, alignment: alignment)
        bytes.withUnsafeBytes { writeBytes($0) }
        return endVector(count: bytes.count)
    }

    /// Writes a vector of `elementSize`-byte elements given as their raw little-endian bytes
    /// (`bytes.count` must be a multiple of `elementSize`).
    public mutating func createRawVector(_ bytes: [UInt8], elementSize: Int) -> Offset {
        precondition(elementSize > 0 && bytes.count % elementSize == 0, "raw vector bytes do not fill whole elements")
        let count = bytes.count / elementSize
        startVector(count: count, elementSize: elementSize, alignment: elementSize)
        bytes.withUnsafeBytes { writeBytes($0) }
        return endVector(count: count)
    }

    /// Writes a vector of offsets (to tables or strings written before).
    public mutating func createVector(_ offsets: [Offset]) -> Offset {
        startVector(count: offsets.count, elementSize: 4, alignment: 4)
        for o in offsets.reversed() { writeOffset(o) }
        return endVector(count: offsets.count)
    }

    /// Writes a string: its UTF-8 bytes and a NUL terminator (not counted in the length).
    public mutating func createString(_ s: String) -> Offset { createString(bytes: Array(s.utf8)) }

    /// Writes a string from raw bytes.
    public mutating func createString(bytes: [UInt8]) -> Offset {
        align(4, additional: bytes.count + 1)
        pad(1)
        bytes.withUnsafeBytes { writeBytes($0) }
        return endVector(count: bytes.count)
    }

    /// Prepares for `count` elements of `elementSize` bytes written back to front, so that
    /// the length prefix is 4-aligned and element 0 is `alignment`-aligned.
    public mutating func startVector(count: Int, elementSize: Int, alignment: Int) {
        precondition(tableStart == nil, "vectors cannot be written inside a table")
        let bytes = count * elementSize
        align(4, additional: bytes)
        align(max(alignment, 1), additional: bytes)
    }

    /// Writes the length prefix of a vector whose elements were just written.
    public mutating func endVector(count: Int) -> Offset {
        align(4)
        write(UInt32(count))
        return Offset(size)
    }

    // MARK: Tables

    /// Starts a table. Fields are added with `add(slot:...)`; nested objects must be written
    /// before `startTable`.
    public mutating func startTable() {
        precondition(tableStart == nil, "tables cannot nest while being built")
        fields.removeAll(keepingCapacity: true)
        tableStart = size
    }

    /// Adds an integer field at `slot`.
    public mutating func add<T: FixedWidthInteger>(slot: Int, _ value: T) {
        precondition(tableStart != nil, "add outside a table")
        write(value)
        fields.append((slot, size))
    }

    /// Adds a `Float` field at `slot`.
    public mutating func add(slot: Int, _ value: Float) { add(slot: slot, value.bitPattern) }

    /// Adds a `Bool` field at `slot` (one byte).
    public mutating func add(slot: Int, _ value: Bool) { add(slot: slot, value ? UInt8(1) : 0) }

    /// Adds a uoffset field at `slot` pointing to an object written before `startTable`.
    public mutating func add(slot: Int, _ target: Offset) {
        precondition(tableStart != nil, "add outside a table")
        writeOffset(target)
        fields.append((slot, size))
    }

    /// Adds a field at `slot` given as raw bytes, aligned to `alignment`.
    public mutating func add(slot: Int, rawBytes: [UInt8], alignment: Int) {
        precondition(tableStart != nil, "add outside a table")
        align(alignment, additional: rawBytes.count)
        rawBytes.withUnsafeBytes { writeBytes($0) }
        fields.append((slot, size))
    }

    /// Ends the table: writes its soffset and its vtable (or reuses an identical vtable).
    public mutating func endTable() -> Offset {
        guard let start = tableStart else { preconditionFailure("endTable without startTable") }
        write(Int32(0))  // soffset placeholder
        let table = size
        let slotCount = (fields.map(\.slot).max() ?? -1) + 1
        var entries = [UInt16](repeating: 0, count: slotCount)
        for f in fields {
            precondition(f.slot >= 0, "negative slot")
            precondition(entries[f.slot] == 0, "slot added twice")
            entries[f.slot] = UInt16(table - f.at)
        }
        let vtable = [UInt16(4 + 2 * slotCount), UInt16(table - start)] + entries
        tableStart = nil

        let tablePos = storage.count - table
        if let existing = vtables.first(where: { matches(vtableAt: $0, vtable) }) {
            // soffset = table - vtable; a shared vtable lies behind (at a higher address).
            setInt32(at: tablePos, Int32(tablePos - (storage.count - existing)))
            return Offset(table)
        }
        for e in vtable.reversed() { write(e) }
        let vt = size
        vtables.append(vt)
        setInt32(at: tablePos, Int32(tablePos - (storage.count - vt)))
        return Offset(table)
    }

    private func matches(vtableAt fromEnd: Int, _ vtable: [UInt16]) -> Bool {
        let p = storage.count - fromEnd
        guard p + 2 * vtable.count <= storage.count else { return false }
        for (i, e) in vtable.enumerated() where UInt16(storage[p + 2 * i]) | UInt16(storage[p + 2 * i + 1]) << 8 != e {
            return false
        }
        return true
    }

    private mutating func setInt32(at p: Int, _ v: Int32) {
        let u = UInt32(bitPattern: v)
        for i in 0..<4 { storage[p + i] = UInt8(truncatingIfNeeded: u >> (8 * UInt32(i))) }
    }

    // MARK: Finishing

    /// Writes the root offset (and the 4-byte file identifier, if given) and returns the
    /// finished buffer. The total size is padded to a multiple of the largest alignment used.
    public mutating func finish(root: Offset, fileIdentifier: String? = nil) -> [UInt8] {
        precondition(tableStart == nil, "finish inside a table")
        let id = fileIdentifier.map { Array($0.utf8) }
        if let id { precondition(id.count == 4, "a file identifier has 4 bytes") }
        align(max(minAlign, 4), additional: 4 + (id == nil ? 0 : 4))
        if let id { writeBytes(id) }
        writeOffset(root)
        return Array(storage[head...])
    }
}
