import Foundation
@testable import MoteCore

// Hostile-model generation shared by HostileModelTests (and, through the same categories,
// described in bench/README.md for the fuzzing runs): a map of where the fields that the core
// reads sit in a TFLite flatbuffer, found by walking it with MoteCore's own FlatBuffer/FBTable
// accessors, and seeded lists of mutants that break those fields one at a time.

/// SplitMix64: a small, seeded, reproducible generator (the mutant lists must not change
/// between runs, so that a crashing mutant can be named and replayed).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A value in `0..<n` (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}

/// One hostile variant of a model: a truncation, or a few in-place byte writes.
struct Mutant {
    enum Category: String, CaseIterable {
        case truncation, byteFlip, uoffset, soffset, vectorLength, vtable, index, shape, quantization, type, opcode, options
    }
    let category: Category
    /// What was changed, precise enough to replay it ("Tensor[12].shape[1] = 2147483647").
    let label: String
    /// Keep only the first `truncateTo` bytes (nil: keep all).
    var truncateTo: Int? = nil
    /// Bytes to write at absolute offsets of the model.
    var writes: [(offset: Int, bytes: [UInt8])] = []

    /// One line for runners outside XCTest: `ARENA TRUNCATE WRITES|CATEGORY LABEL\n`, with
    /// TRUNCATE -1 for none and WRITES `-` or comma-separated `OFFSET:HEXBYTES`.
    func exportLine(arenaBytes: Int) -> String {
        let w = writes.isEmpty ? "-" : writes.map { "\($0.offset):" + $0.bytes.map { String(format: "%02x", $0) }.joined() }.joined(separator: ",")
        return "\(arenaBytes) \(truncateTo ?? -1) \(w)|\(category.rawValue) \(label.replacingOccurrences(of: "\n", with: " "))\n"
    }
}

/// Where the core-visible fields of a TFLite model sit: every table header and vtable, every
/// uoffset, vector length, index, shape dimension, quantization parameter, type, operator code
/// and option field that `ModelVerifier`, `ModelView` and the kernels read. It mirrors what the
/// verifier checks, so `extent` is the end of the last byte the verifier must see.
struct ModelMap {
    struct Table { let position: Int; let vtable: Int; let vtableSize: Int; let inlineSize: Int; let label: String }
    struct Vector { let lengthPosition: Int; let count: Int; let elementSize: Int; let label: String }
    struct Field { let position: Int; let size: Int; let label: String }
    struct IndexField { let position: Int; let bound: Int; let label: String }

    let count: Int
    private(set) var tables: [Table] = []
    /// uoffset fields (root, table/vector/string references, vector-of-table elements).
    private(set) var references: [Field] = []
    private(set) var vectors: [Vector] = []
    /// Index fields with the number of valid targets (tensors, buffers, opcodes).
    private(set) var indices: [IndexField] = []
    /// Per tensor: the positions of its shape dimensions.
    private(set) var shapes: [(label: String, dims: [Int])] = []
    /// Per tensor index: the positions of its shape dimensions.
    private(set) var shapeDims: [Int: [Int]] = [:]
    /// The operators of subgraph 0: builtin code (through the opcode table) and input tensors.
    private(set) var operators: [(builtin: Int32, inputs: [Int32])] = []
    private var opcodeBuiltins: [Int32] = []
    private(set) var scales: [Field] = []
    private(set) var zeroPoints: [Field] = []
    private(set) var quantizedDimensions: [Field] = []
    private(set) var tensorTypes: [Field] = []
    /// (deprecated_builtin_code position or nil, builtin_code position or nil, label).
    private(set) var opcodes: [(deprecated: Int?, builtin: Int?, label: String)] = []
    private(set) var versions: [Field] = []
    private(set) var optionFields: [Field] = []
    private(set) var optionTypes: [Field] = []
    /// Byte ranges of constant buffer data (weights): the rest is "structure".
    private(set) var bufferData: [Range<Int>] = []
    /// One past the last byte that the verifier reads.
    private(set) var extent = 0
    var tensorCount = 0, bufferCount = 0, opcodeCount = 0

    private var seenTables = Set<Int>()

    init(_ bytes: UnsafeRawBufferPointer) {
        let fb = FlatBuffer(bytes)
        count = bytes.count
        guard let root = fb.root else { return }
        references.append(Field(position: 0, size: 4, label: "root uoffset"))
        extent = 8
        addTable(root, "Model")

        let opcodeList = tableVector(root, ModelView.operatorCodesSlot, "Model.operator_codes")
        opcodeCount = opcodeList.count
        for (i, t) in opcodeList.enumerated() {
            guard let t else { continue }
            let l = "OperatorCode[\(i)]"
            opcodes.append((t.field(0, size: 1), t.field(3, size: 4), l))
            opcodeBuiltins.append(max(Int32(t.i8(0)), t.i32(3)))
            if let v = t.field(2, size: 4) { versions.append(Field(position: v, size: 4, label: "\(l).version")) }
            _ = vector(t, 1, elementSize: 1, "\(l).custom_code", string: true)
        }
        let buffers = tableVector(root, ModelView.buffersSlot, "Model.buffers")
        bufferCount = buffers.count
        for (i, b) in buffers.enumerated() {
            guard let b, let data = vector(b, 0, elementSize: 1, "Buffer[\(i)].data") else { continue }
            if data.count > 0 { bufferData.append(data.start..<(data.start + data.count)) }
        }
        for (s, sg) in tableVector(root, ModelView.subgraphsSlot, "Model.subgraphs").enumerated() {
            if let sg { addSubgraph(sg, "SubGraph[\(s)]") }
        }
        _ = vector(root, ModelView.descriptionSlot, elementSize: 1, "Model.description", string: true)
        if let mb = vector(root, ModelView.metadataBufferSlot, elementSize: 4, "Model.metadata_buffer") {
            for i in 0..<mb.count { indices.append(IndexField(position: mb.start + 4 * i, bound: bufferCount, label: "Model.metadata_buffer[\(i)]")) }
        }
        for (i, m) in tableVector(root, ModelView.metadataSlot, "Model.metadata").enumerated() {
            guard let m else { continue }
            _ = vector(m, 0, elementSize: 1, "Metadata[\(i)].name", string: true)
            if let f = m.field(1, size: 4) { indices.append(IndexField(position: f, bound: bufferCount, label: "Metadata[\(i)].buffer")) }
        }
        _ = tableVector(root, 7, "Model.signature_defs", walkElements: false)
    }

    private mutating func addSubgraph(_ sg: FBTable, _ l: String) {
        let tensors = tableVector(sg, 0, "\(l).tensors")
        tensorCount = max(tensorCount, tensors.count)
        for (i, t) in tensors.enumerated() {
            guard let t else { continue }
            let tl = "Tensor[\(i)]"
            if let shape = vector(t, 0, elementSize: 4, "\(tl).shape") {
                shapes.append((tl, (0..<shape.count).map { shape.start + 4 * $0 }))
                if l == "SubGraph[0]" { shapeDims[i] = shapes.last!.dims }
            }
            if let f = t.field(1, size: 1) { tensorTypes.append(Field(position: f, size: 1, label: "\(tl).type")) }
            if let f = t.field(2, size: 4) { indices.append(IndexField(position: f, bound: bufferCount, label: "\(tl).buffer")) }
            _ = vector(t, 3, elementSize: 1, "\(tl).name", string: true)
            if let q = subtable(t, 4, "\(tl).quantization") {
                let ql = "\(tl).quantization"
                _ = vector(q, 0, elementSize: 4, "\(ql).min")
                _ = vector(q, 1, elementSize: 4, "\(ql).max")
                if let s = vector(q, 2, elementSize: 4, "\(ql).scale") {
                    for c in 0..<s.count { scales.append(Field(position: s.start + 4 * c, size: 4, label: "\(ql).scale[\(c)]")) }
                }
                if let z = vector(q, 3, elementSize: 8, "\(ql).zero_point") {
                    for c in 0..<z.count { zeroPoints.append(Field(position: z.start + 8 * c, size: 8, label: "\(ql).zero_point[\(c)]")) }
                }
                if q.u8(4) != 0 { _ = subtable(q, 5, "\(ql).details") }
                if let f = q.field(6, size: 4) { quantizedDimensions.append(Field(position: f, size: 4, label: "\(ql).quantized_dimension")) }
            }
            _ = subtable(t, 6, "\(tl).sparsity")
            _ = vector(t, 7, elementSize: 4, "\(tl).shape_signature")
        }
        for (slot, name) in [(1, "inputs"), (2, "outputs")] {
            if let v = vector(sg, slot, elementSize: 4, "\(l).\(name)") {
                for k in 0..<v.count { indices.append(IndexField(position: v.start + 4 * k, bound: tensors.count, label: "\(l).\(name)[\(k)]")) }
            }
        }
        _ = vector(sg, 4, elementSize: 1, "\(l).name", string: true)
        for (i, op) in tableVector(sg, 3, "\(l).operators").enumerated() {
            guard let op else { continue }
            let ol = "Operator[\(i)]"
            if l == "SubGraph[0]" {
                let index = FlatBuffer.index(op.u32(0))
                let inputs = op.vector(1, elementSize: 4).map { v in (0..<v.count).map { v.i32($0) } } ?? []
                operators.append((index < opcodeBuiltins.count ? opcodeBuiltins[index] : -1, inputs))
            }
            if let f = op.field(0, size: 4) { indices.append(IndexField(position: f, bound: opcodeCount, label: "\(ol).opcode_index")) }
            for (slot, name) in [(1, "inputs"), (2, "outputs")] {
                if let v = vector(op, slot, elementSize: 4, "\(ol).\(name)") {
                    for k in 0..<v.count { indices.append(IndexField(position: v.start + 4 * k, bound: tensors.count, label: "\(ol).\(name)[\(k)]")) }
                }
            }
            if let f = op.field(3, size: 1) { optionTypes.append(Field(position: f, size: 1, label: "\(ol).builtin_options_type")) }
            if let o = subtable(op, 4, "\(ol).builtin_options") {
                for (slot, pos, size) in ModelMap.scalarFields(o) {
                    optionFields.append(Field(position: pos, size: size, label: "\(ol).builtin_options slot \(slot)"))
                }
            }
            _ = vector(op, 5, elementSize: 1, "\(ol).custom_options")
            _ = subtable(op, 12, "\(ol).builtin_options_2")
        }
    }

    /// The present fields of a table with a size guess: the distance to the next field (or to
    /// the end of the inline part), at most 4 bytes.
    static func scalarFields(_ t: FBTable) -> [(slot: Int, position: Int, size: Int)] {
        var rels: [(Int, Int)] = []
        for slot in 0..<((t.vtableSize - 4) / 2) {
            let rel = Int(t.buffer.u16(t.vtable + 4 + 2 * slot))
            if rel >= 4, rel < t.inlineSize { rels.append((slot, rel)) }
        }
        let sorted = rels.map { $0.1 }.sorted()
        return rels.map { slot, rel in
            let next = sorted.first { $0 > rel } ?? t.inlineSize
            return (slot, t.position + rel, min(4, next - rel))
        }
    }

    private mutating func note(_ end: Int) { extent = max(extent, end) }

    private mutating func addTable(_ t: FBTable, _ label: String) {
        note(t.position + t.inlineSize)
        note(t.vtable + t.vtableSize)
        guard seenTables.insert(t.position).inserted else { return }
        tables.append(Table(position: t.position, vtable: t.vtable, vtableSize: t.vtableSize, inlineSize: t.inlineSize, label: label))
    }

    private mutating func subtable(_ t: FBTable, _ slot: Int, _ label: String) -> FBTable? {
        guard let f = t.field(slot, size: 4) else { return nil }
        references.append(Field(position: f, size: 4, label: "\(label) uoffset"))
        guard let s = t.table(slot) else { return nil }
        addTable(s, label)
        return s
    }

    private mutating func vector(_ t: FBTable, _ slot: Int, elementSize: Int, _ label: String, string: Bool = false) -> FBVector? {
        guard let f = t.field(slot, size: 4) else { return nil }
        references.append(Field(position: f, size: 4, label: "\(label) uoffset"))
        guard let v = t.vector(slot, elementSize: elementSize) else { return nil }
        vectors.append(Vector(lengthPosition: v.start - 4, count: v.count, elementSize: elementSize, label: "\(label) length"))
        note(v.start + v.count * elementSize + (string ? 1 : 0))
        return v
    }

    /// A vector of tables: its elements (nil where an element is invalid).
    private mutating func tableVector(_ t: FBTable, _ slot: Int, _ label: String, walkElements: Bool = true) -> [FBTable?] {
        guard let v = vector(t, slot, elementSize: 4, label), walkElements else { return [] }
        return (0..<v.count).map { i in
            references.append(Field(position: v.start + 4 * i, size: 4, label: "\(label)[\(i)] uoffset"))
            guard let e = v.table(i) else { return nil }
            addTable(e, "\(label)[\(i)]")
            return e
        }
    }

    /// True when `offset` lies in constant buffer data.
    func isWeightByte(_ offset: Int) -> Bool { bufferData.contains { $0.contains(offset) } }
}

/// Little-endian encodings of the values written by the mutants.
enum LE {
    static func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func i32(_ v: Int32) -> [UInt8] { u32(UInt32(bitPattern: v)) }
    static func u16(_ v: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)] }
    static func i64(_ v: Int64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: v) >> (8 * $0)) } }
    static func f32(_ v: Float) -> [UInt8] { u32(v.bitPattern) }
    /// The low `size` bytes of `v`.
    static func sized(_ v: Int64, _ size: Int) -> [UInt8] { Array(i64(v).prefix(size)) }
}

/// Builds the mutant lists of one model, category by category. Every list is deterministic
/// for a given model, seed and cap; `cap` limits each category by seeded sampling.
struct MutantFactory {
    let map: ModelMap
    let bytes: [UInt8]
    let seed: UInt64

    init(_ bytes: [UInt8], seed: UInt64) {
        self.bytes = bytes
        self.seed = seed
        map = bytes.withUnsafeBytes { ModelMap($0) }
    }

    /// The mutants of `category`, at most `cap` of them (a seeded sample when there are more).
    func mutants(_ category: Mutant.Category, cap: Int) -> [Mutant] {
        var all: [Mutant]
        switch category {
        case .truncation: all = truncations(spread: cap)
        case .byteFlip: return byteFlips(cap)
        case .uoffset: all = uoffsets()
        case .soffset: all = soffsets()
        case .vectorLength: all = vectorLengths()
        case .vtable: all = vtables()
        case .index: all = indexFields()
        case .shape: all = shapeFields()
        case .quantization: all = quantizationFields()
        case .type: all = typeFields()
        case .opcode: all = opcodeFields()
        case .options: all = optionFields()
        }
        return sample(all, cap, salt: UInt64(Mutant.Category.allCases.firstIndex(of: category)!))
    }

    private func sample(_ all: [Mutant], _ cap: Int, salt: UInt64) -> [Mutant] {
        guard all.count > cap else { return all }
        var rng = SplitMix64(seed: seed ^ (salt &* 0x1000_0000_01B3))
        var pool = all
        for i in 0..<cap { pool.swapAt(i, i + rng.below(pool.count - i)) }
        return Array(pool[0..<cap])
    }

    /// Every length below 256 (the header, the root table, the first vtables), every length
    /// around the end of the verified structure, and `spread` lengths spread over the rest.
    func truncations(spread: Int) -> [Mutant] {
        let n = bytes.count
        var lengths = Set(0..<min(n, 256))
        for d in 1...8 where map.extent - d >= 0 { lengths.insert(map.extent - d) }
        for d in [1, 2, 3, 4, 8] where n - d >= 0 { lengths.insert(n - d) }
        if n > 256 { for k in 0..<spread { lengths.insert(256 + (n - 256) * k / max(spread, 1)) } }
        // Cuts exactly at, and just inside, table headers and vector lengths.
        var rng = SplitMix64(seed: seed ^ 0x7472_756E)
        for _ in 0..<spread {
            if !map.tables.isEmpty {
                let t = map.tables[rng.below(map.tables.count)]
                lengths.insert(t.position + rng.below(max(t.inlineSize, 1)))
            }
            if !map.vectors.isEmpty { lengths.insert(map.vectors[rng.below(map.vectors.count)].lengthPosition + rng.below(4)) }
        }
        return lengths.filter { $0 >= 0 && $0 < n }.sorted().map { Mutant(category: .truncation, label: "truncated to \($0) of \(n) bytes", truncateTo: $0) }
    }

    /// Random bytes at random positions, 1 to 4 per mutant, three quarters of them outside the
    /// weights (a flip in weight data rarely matters to the structure).
    func byteFlips(_ count: Int) -> [Mutant] {
        var rng = SplitMix64(seed: seed ^ 0x666C_6970)
        let n = bytes.count
        guard n > 0 else { return [] }
        return (0..<count).map { _ in
            var writes: [(offset: Int, bytes: [UInt8])] = []
            for _ in 0..<(1 + rng.below(4)) {
                var at = rng.below(n)
                if rng.below(4) != 0 {
                    for _ in 0..<64 where map.isWeightByte(at) { at = rng.below(n) }
                }
                let value = rng.below(2) == 0 ? UInt8(rng.below(256)) : bytes[at] ^ (1 << UInt8(rng.below(8)))
                writes.append((at, [value]))
            }
            let label = "bytes " + writes.map { String(format: "[%d]=0x%02x", $0.offset, $0.bytes[0]) }.joined(separator: " ")
            return Mutant(category: .byteFlip, label: label, writes: writes)
        }
    }

    /// uoffsets pointed at the end of the buffer, just before it, or at huge values; plus 0 and
    /// 1 (self-reference, misaligned) which may or may not stay valid.
    func uoffsets() -> [Mutant] {
        map.references.flatMap { r -> [Mutant] in
            let toEnd = UInt32(truncatingIfNeeded: bytes.count - r.position)
            return [(toEnd, "end"), (toEnd &- 2, "end-2"), (0xFFFF_FFFF, "0xffffffff"), (0x8000_0000, "0x80000000"),
                    (0x7FFF_FFFF, "0x7fffffff"), (0, "0 (self)"), (1, "1")].map { v, name in
                Mutant(category: .uoffset, label: "\(r.label) = \(name)", writes: [(r.position, LE.u32(v))])
            }
        }
    }

    /// Table soffsets (to the vtable) pointed outside the buffer, at the table itself, or at
    /// the extremes of Int32.
    func soffsets() -> [Mutant] {
        map.tables.flatMap { t -> [Mutant] in
            let n = bytes.count
            return [(Int32.min, "Int32.min"), (Int32.max, "Int32.max"), (0, "0 (vtable = table)"),
                    (Int32(truncatingIfNeeded: t.position + 1), "vtable at -1"),
                    (Int32(truncatingIfNeeded: t.position - n), "vtable at end"),
                    (Int32(truncatingIfNeeded: t.position - n + 2), "vtable at end-2"),
                    (-1, "-1")].map { v, name in
                Mutant(category: .soffset, label: "\(t.label) soffset = \(name)", writes: [(t.position, LE.i32(v))])
            }
        }
    }

    /// Vector lengths set to huge values (whose byte counts overflow 32 bits), to one element
    /// past the buffer's end, and to nearby valid-looking values (0, count - 1, count + 1).
    func vectorLengths() -> [Mutant] {
        map.vectors.flatMap { v -> [Mutant] in
            let fits = (bytes.count - v.lengthPosition - 4) / v.elementSize
            var values: [(UInt32, String)] = [(0xFFFF_FFFF, "0xffffffff"), (0x7FFF_FFFF, "0x7fffffff"), (0x4000_0000, "0x40000000"),
                                              (UInt32(truncatingIfNeeded: fits + 1), "past end"), (0, "0"),
                                              (UInt32(truncatingIfNeeded: v.count + 1), "count+1")]
            if v.count > 0 { values.append((UInt32(v.count - 1), "count-1")) }
            return values.map { value, name in
                Mutant(category: .vectorLength, label: "\(v.label) = \(name) (was \(v.count))", writes: [(v.lengthPosition, LE.u32(value))])
            }
        }
    }

    /// vtable sizes and inline sizes set to invalid, odd or huge values; field entries dropped
    /// (0), pointed beyond the inline part, or into the soffset.
    func vtables() -> [Mutant] {
        var seen = Set<Int>()
        var out: [Mutant] = []
        for t in map.tables where seen.insert(t.vtable).inserted {
            let l = "vtable@\(t.vtable) (of \(t.label))"
            for (v, name) in [(0, "0"), (2, "2"), (3, "odd"), (0xFFFF, "0xffff"), (t.vtableSize + 2, "+2"), (max(t.vtableSize - 2, 0), "-2")] as [(Int, String)] {
                out.append(Mutant(category: .vtable, label: "\(l).vtable_size = \(name)", writes: [(t.vtable, LE.u16(UInt16(truncatingIfNeeded: v)))]))
            }
            for (v, name) in [(0, "0"), (3, "3"), (0xFFFF, "0xffff"), (t.inlineSize - 1, "-1"), (4, "4")] as [(Int, String)] {
                out.append(Mutant(category: .vtable, label: "\(l).inline_size = \(name)", writes: [(t.vtable + 2, LE.u16(UInt16(truncatingIfNeeded: v)))]))
            }
            for slot in 0..<((t.vtableSize - 4) / 2) {
                let at = t.vtable + 4 + 2 * slot
                for (v, name) in [(0, "0 (absent)"), (0xFFFF, "0xffff"), (t.inlineSize, "inline_size"), (t.inlineSize - 1, "inline_size-1"), (2, "2")] as [(Int, String)] {
                    out.append(Mutant(category: .vtable, label: "\(l).field[\(slot)] = \(name)", writes: [(at, LE.u16(UInt16(truncatingIfNeeded: v)))]))
                }
            }
        }
        return out
    }

    /// Tensor, buffer and opcode indices set out of range (and -1, -2, the extremes), or to
    /// another valid index (a wrong but in-range tensor or buffer).
    func indexFields() -> [Mutant] {
        var rng = SplitMix64(seed: seed ^ 0x696E_6478)
        return map.indices.flatMap { f -> [Mutant] in
            var values: [(Int32, String)] = [(Int32(truncatingIfNeeded: f.bound), "count"), (Int32(truncatingIfNeeded: f.bound + 1), "count+1"),
                                             (-1, "-1"), (-2, "-2"), (Int32.max, "Int32.max"), (Int32.min, "Int32.min")]
            if f.bound > 1 {
                let other = Int32(truncatingIfNeeded: rng.below(f.bound))
                values.append((other, "\(other) (in range)"))
                values.append((0, "0"))
            }
            return values.map { v, name in Mutant(category: .index, label: "\(f.label) = \(name)", writes: [(f.position, LE.i32(v))]) }
        }
    }

    /// Shape dimensions set to 0, 1, negative, huge or one more; and every dimension of a tensor
    /// at once set huge (products that overflow 32 and 64 bits).
    func shapeFields() -> [Mutant] {
        map.shapes.flatMap { tensor -> [Mutant] in
            var out: [Mutant] = []
            for (d, at) in tensor.dims.enumerated() {
                let old = Int32(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
                for (v, name) in [(0, "0"), (1, "1"), (-1, "-1"), (Int32.min, "Int32.min"), (Int32.max, "Int32.max"),
                                  (1 << 16, "65536"), (old &+ 1, "\(old)+1")] as [(Int32, String)] where v != old {
                    out.append(Mutant(category: .shape, label: "\(tensor.label).shape[\(d)] = \(name)", writes: [(at, LE.i32(v))]))
                }
            }
            if !tensor.dims.isEmpty {
                for (v, name) in [(Int32.max, "Int32.max"), (1 << 16, "65536"), (0x4000_0000, "2^30")] as [(Int32, String)] {
                    out.append(Mutant(category: .shape, label: "\(tensor.label).shape[*] = \(name)", writes: tensor.dims.map { ($0, LE.i32(v)) }))
                }
            }
            return out
        }
    }

    /// Scales set to 0, -0, NaN, negative, infinite, subnormal or huge; zero points outside
    /// int8 and at the Int64 extremes; quantized_dimension out of range.
    func quantizationFields() -> [Mutant] {
        var out: [Mutant] = []
        for f in map.scales {
            for (v, name) in [(Float(0), "0"), (-Float(0), "-0"), (Float.nan, "NaN"), (-1, "-1"), (Float.infinity, "inf"),
                              (Float.leastNonzeroMagnitude, "subnormal"), (Float.greatestFiniteMagnitude, "max")] as [(Float, String)] {
                out.append(Mutant(category: .quantization, label: "\(f.label) = \(name)", writes: [(f.position, LE.f32(v))]))
            }
        }
        for f in map.zeroPoints {
            for (v, name) in [(128, "128"), (-129, "-129"), (Int64.max, "Int64.max"), (Int64.min, "Int64.min"), (1 << 40, "2^40"), (5, "5")] as [(Int64, String)] {
                out.append(Mutant(category: .quantization, label: "\(f.label) = \(name)", writes: [(f.position, LE.i64(v))]))
            }
        }
        for f in map.quantizedDimensions {
            for v in [-1, 1, 2, 3, 4, 6, 100, Int32.max] as [Int32] {
                out.append(Mutant(category: .quantization, label: "\(f.label) = \(v)", writes: [(f.position, LE.i32(v))]))
            }
        }
        return out
    }

    /// Tensor types changed to every other schema type and to undefined values.
    func typeFields() -> [Mutant] {
        map.tensorTypes.flatMap { f -> [Mutant] in
            let old = bytes[f.position]
            return ([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 16, 17, 18, 200] as [UInt8]).filter { $0 != old }.map {
                Mutant(category: .type, label: "\(f.label) = \($0) (was \(old))", writes: [(f.position, [$0])])
            }
        }
    }

    /// Operator codes swapped to every operator the core knows (so each kernel's prepare sees
    /// another operator's tensors and options) and to unknown ones; versions set out of range.
    func opcodeFields() -> [Mutant] {
        let codes: [Int32] = [0, 1, 2, 3, 4, 6, 9, 14, 17, 18, 19, 20, 21, 22, 25, 28, 32, 34, 40, 41, 43, 45, 60, 70, 77, 83, 98, 114, 117, 126, 127, 200, -1]
        var out: [Mutant] = []
        for op in map.opcodes {
            for code in codes {
                var writes: [(offset: Int, bytes: [UInt8])] = []
                if let d = op.deprecated { writes.append((d, [UInt8(truncatingIfNeeded: min(code, 127))])) }
                if let b = op.builtin { writes.append((b, LE.i32(code))) }
                if writes.isEmpty { continue }
                out.append(Mutant(category: .opcode, label: "\(op.label).builtin_code = \(code)", writes: writes))
            }
        }
        for f in map.versions {
            for v in [0, -1, 2, 3, 4, 7, 100, Int32.max] as [Int32] {
                out.append(Mutant(category: .opcode, label: "\(f.label) = \(v)", writes: [(f.position, LE.i32(v))]))
            }
        }
        return out
    }

    /// Option fields (strides, padding, activation, axes, ...) set to 0, -1, huge and small
    /// out-of-enum values; options union types changed.
    func optionFields() -> [Mutant] {
        var out: [Mutant] = []
        for f in map.optionFields {
            for v in [0, 1, 2, 3, 5, 6, 7, -1, 127, -128, 1 << 16, Int64(Int32.max), Int64(Int32.min)] as [Int64] {
                if f.size < 4, v > 255 || v < -128 { continue }
                out.append(Mutant(category: .options, label: "\(f.label) = \(v) (\(f.size) bytes)", writes: [(f.position, LE.sized(v, f.size))]))
            }
        }
        for f in map.optionTypes {
            for v in [0, 1, 2, 5, 8, 9, 10, 11, 17, 22, 27, 59, 126, 127, 255] as [UInt8] where v != bytes[f.position] {
                out.append(Mutant(category: .options, label: "\(f.label) = \(v)", writes: [(f.position, [v])]))
            }
        }
        return out
    }
}
