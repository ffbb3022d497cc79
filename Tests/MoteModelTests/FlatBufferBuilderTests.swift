import XCTest
import MoteCore
@testable import MoteModel

/// The builder's byte layout, read back through MoteCore's `FlatBuffer` (an independent
/// reader) and, for the smallest table, checked byte for byte against a hand-worked layout.
final class FlatBufferBuilderTests: XCTestCase {
    /// Runs `body` over a `FlatBuffer` view of `bytes`.
    func view<R>(_ bytes: [UInt8], _ body: (FlatBuffer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(FlatBuffer($0)) }
    }

    func testSmallestTableByteLayout() {
        var b = FlatBufferBuilder()
        b.startTable()
        b.add(slot: 0, UInt32(0x0102_0304))
        let t = b.endTable()
        let bytes = b.finish(root: t)
        // root uoffset 12 | 2 pad | vtable: size 6, table size 8, slot 0 at 4 | soffset 6 | field
        XCTAssertEqual(bytes, [12, 0, 0, 0, 0, 0, 6, 0, 8, 0, 4, 0, 6, 0, 0, 0, 4, 3, 2, 1])
    }

    func testScalarsOfEveryWidthReadBackAligned() throws {
        var b = FlatBufferBuilder()
        let name = b.createString("héllo")
        let ints = b.createVector([Int32(-1), 2, 3])
        let longs = b.createVector([Int64.min, 0, Int64.max])
        var f = TableFields()
        f.add(0, Int8(-5))
        f.add(1, UInt16(0xBEEF))
        f.add(2, Int32(-123_456))
        f.add(3, Int64(-9_000_000_000))
        f.add(4, Float(0.15625), default: 0)
        f.add(5, true, default: false)
        f.add(6, name)
        f.add(7, ints)
        f.add(8, longs)
        f.add(9, Int32(7), default: 7)  // default: left out
        let bytes = b.finish(root: b.table(f), fileIdentifier: "TFL3")
        XCTAssertEqual(Array(bytes[4..<8]), Array("TFL3".utf8))
        XCTAssertEqual(bytes.count % 8, 0, "size is a multiple of the largest alignment (8)")
        try view(bytes) { fb in
            let t = try XCTUnwrap(fb.root)
            XCTAssertEqual(t.i8(0), -5)
            XCTAssertEqual(t.u16(1), 0xBEEF)
            XCTAssertEqual(t.i32(2), -123_456)
            XCTAssertEqual(t.i64(3), -9_000_000_000)
            XCTAssertEqual(t.f32(4), 0.15625)
            XCTAssertTrue(t.bool(5))
            XCTAssertEqual(String(decoding: try XCTUnwrap(t.string(6)).rawBytes, as: UTF8.self), "héllo")
            let v = try XCTUnwrap(t.vector(7, elementSize: 4))
            XCTAssertEqual((0..<v.count).map { v.i32($0) }, [-1, 2, 3])
            let l = try XCTUnwrap(t.vector(8, elementSize: 8))
            XCTAssertEqual((0..<l.count).map { l.i64($0) }, [Int64.min, 0, Int64.max])
            XCTAssertEqual(l.start % 8, 0, "long elements 8-aligned")
            XCTAssertEqual(v.start % 4, 0)
            XCTAssertFalse(t.has(9), "default-valued field must be omitted")
            XCTAssertEqual(t.i32(9, 7), 7)
            for (slot, size) in [(0, 1), (1, 2), (2, 4), (3, 8), (4, 4), (5, 1), (6, 4), (7, 4), (8, 4)] {
                let at = try XCTUnwrap(t.field(slot, size: size))
                XCTAssertEqual(at % size, 0, "slot \(slot) misaligned")
            }
            XCTAssertEqual(t.position % 4, 0)
        }
    }

    func testIdenticalVtablesAreShared() throws {
        var b = FlatBufferBuilder()
        var offsets: [FlatBufferBuilder.Offset] = []
        for i in 0..<3 {
            var f = TableFields()
            f.add(0, Int32(i + 1))
            offsets.append(b.table(f))
        }
        var other = TableFields()
        other.add(1, Int32(9))
        offsets.append(b.table(other))
        let list = b.createVector(offsets)
        b.startTable()
        b.add(slot: 0, list)
        let bytes = b.finish(root: b.endTable())
        try view(bytes) { fb in
            let v = try XCTUnwrap(fb.root?.vector(0, elementSize: 4))
            let tables = try (0..<4).map { try XCTUnwrap(v.table($0)) }
            XCTAssertEqual(tables.map { $0.i32(0) }, [1, 2, 3, 0])
            XCTAssertEqual(tables[3].i32(1), 9)
            let vtables = tables.map { $0.position - Int(fb.i32($0.position)) }
            XCTAssertEqual(vtables[0], vtables[1])
            XCTAssertEqual(vtables[1], vtables[2])
            XCTAssertNotEqual(vtables[2], vtables[3])
        }
    }

    func testByteVectorsAre16ByteAligned() throws {
        var b = FlatBufferBuilder(capacity: 16)  // also exercises growth
        var offsets: [FlatBufferBuilder.Offset] = []
        for n in [1, 3, 17, 1000, 5] {
            _ = b.createString(String(repeating: "x", count: n))  // unaligned filler
            offsets.append(b.createByteVector((0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7) }, alignment: 16))
        }
        let list = b.createVector(offsets)
        b.startTable()
        b.add(slot: 0, list)
        let bytes = b.finish(root: b.endTable())
        XCTAssertEqual(bytes.count % 16, 0)
        try view(bytes) { fb in
            let list = try XCTUnwrap(fb.root?.vector(0, elementSize: 4))
            for (k, n) in [1, 3, 17, 1000, 5].enumerated() {
                let v = try XCTUnwrap(fb.vector(atReference: list.start + 4 * k, elementSize: 1))
                XCTAssertEqual(v.count, n)
                XCTAssertEqual(v.start % 16, 0, "data of vector \(k) not 16-aligned")
                XCTAssertEqual([UInt8](v.rawBytes), (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            }
        }
    }

    func testNestedTablesVectorsOfStringsAndUnion() throws {
        var b = FlatBufferBuilder()
        let strings = ["a", "", "ccc"].map { b.createString($0) }
        let names = b.createVector(strings)
        var inner = TableFields()
        inner.add(0, Float(2.5), default: 0)
        let member = b.table(inner)
        var outer = TableFields()
        outer.add(0, names)
        outer.add(1, UInt8(9))  // union type
        outer.add(2, member)    // union value
        let bytes = b.finish(root: b.table(outer))
        try view(bytes) { fb in
            let root = try XCTUnwrap(fb.root)
            let v = try XCTUnwrap(root.vector(0, elementSize: 4))
            let read = try (0..<v.count).map { String(decoding: try XCTUnwrap(v.string($0)).rawBytes, as: UTF8.self) }
            XCTAssertEqual(read, ["a", "", "ccc"])
            XCTAssertEqual(root.u8(1), 9)
            XCTAssertEqual(root.table(2)?.f32(0), 2.5)
        }
    }

    func testEmptyTableAndEmptyVector() throws {
        var b = FlatBufferBuilder()
        let empty = b.createVector([Int32]())
        let none = b.table(TableFields())
        var f = TableFields()
        f.add(0, empty)
        f.add(1, none)
        let bytes = b.finish(root: b.table(f))
        try view(bytes) { fb in
            let root = try XCTUnwrap(fb.root)
            XCTAssertEqual(root.vector(0, elementSize: 4)?.count, 0)
            let t = try XCTUnwrap(root.table(1))
            XCTAssertFalse(t.has(0))
        }
    }
}
