import XCTest
import MoteCore
@testable import MoteModel

/// The written files satisfy the alignment rules that flatbuffers' verifier enforces (and that
/// TFLite's `VerifyAndBuildFromFile` checks): tables 4-aligned, vtables 2-aligned, every scalar
/// field aligned to its size, vector lengths 4-aligned, elements aligned to their size, and
/// `Buffer.data` 16-aligned.
final class AlignmentTests: XCTestCase {
    /// What a field holds, per slot, for the tables that TFLite's schema defines.
    indirect enum Kind {
        case scalar(Int)
        case string
        case vector(Int, force: Int)
        case table([Int: Kind])
        case tables([Int: Kind])
    }

    static let quantization: [Int: Kind] = [0: .vector(4, force: 4), 1: .vector(4, force: 4), 2: .vector(4, force: 4),
                                            3: .vector(8, force: 8), 4: .scalar(1), 5: .table([0: .vector(1, force: 16)]),
                                            6: .scalar(4)]
    static let tensor: [Int: Kind] = [0: .vector(4, force: 4), 1: .scalar(1), 2: .scalar(4), 3: .string, 4: .table(quantization),
                                      5: .scalar(1), 7: .vector(4, force: 4), 8: .scalar(1)]
    static let op: [Int: Kind] = [0: .scalar(4), 1: .vector(4, force: 4), 2: .vector(4, force: 4), 3: .scalar(1),
                                  5: .vector(1, force: 1), 6: .scalar(1), 7: .vector(1, force: 1), 8: .vector(4, force: 4),
                                  9: .scalar(8), 10: .scalar(8), 11: .scalar(1)]
    static let tensorMap: [Int: Kind] = [0: .string, 1: .scalar(4)]
    static let model: [Int: Kind] = [
        0: .scalar(4),
        1: .tables([0: .scalar(1), 1: .string, 2: .scalar(4), 3: .scalar(4)]),
        2: .tables([0: .tables(tensor), 1: .vector(4, force: 4), 2: .vector(4, force: 4), 3: .tables(op), 4: .string]),
        3: .string,
        4: .tables([0: .vector(1, force: 16), 1: .scalar(8), 2: .scalar(8)]),
        5: .vector(4, force: 4),
        6: .tables([0: .string, 1: .scalar(4)]),
        7: .tables([0: .tables(tensorMap), 1: .tables(tensorMap), 2: .string, 4: .scalar(4)]),
    ]

    static func check(_ t: FBTable, _ schema: [Int: Kind], _ path: String, _ problems: inout [String]) {
        let fb = t.buffer
        if t.position % 4 != 0 { problems.append("\(path): table at \(t.position)") }
        let vtable = t.position - Int(fb.i32(t.position))
        if vtable % 2 != 0 { problems.append("\(path): vtable at \(vtable)") }
        for (slot, kind) in schema where t.has(slot) {
            let at = t.field(slot, size: 1)!
            func vector(_ size: Int, _ force: Int) -> FBVector? {
                if at % 4 != 0 { problems.append("\(path).\(slot): offset field at \(at)") }
                guard let v = fb.vector(atReference: at, elementSize: size) else { problems.append("\(path).\(slot): vector"); return nil }
                if (v.start - 4) % 4 != 0 { problems.append("\(path).\(slot): length at \(v.start - 4)") }
                if v.count > 0, v.start % force != 0 { problems.append("\(path).\(slot): elements at \(v.start), need \(force)") }
                return v
            }
            switch kind {
            case .scalar(let size):
                if at % size != 0 { problems.append("\(path).\(slot): \(size)-byte scalar at \(at)") }
            case .string:
                _ = vector(1, 1)
            case .vector(let size, let force):
                _ = vector(size, force)
            case .table(let inner):
                if at % 4 != 0 { problems.append("\(path).\(slot): offset field at \(at)") }
                if let sub = t.table(slot) { check(sub, inner, "\(path).\(slot)", &problems) }
            case .tables(let inner):
                guard let v = vector(4, 4) else { continue }
                for i in 0..<v.count {
                    if let sub = v.table(i) { check(sub, inner, "\(path).\(slot)[\(i)]", &problems) }
                }
            }
        }
    }

    func testWrittenFixturesAreAligned() throws {
        for file in try Fixtures.modelFiles() {
            let written = try TFLiteModel(contentsOf: file).serialized()
            var problems: [String] = []
            try written.withUnsafeBytes { raw in
                let root = try XCTUnwrap(FlatBuffer(raw).root)
                Self.check(root, Self.model, "model", &problems)
            }
            XCTAssertEqual(problems, [], Fixtures.label(file))
        }
    }

    func testHandBuiltModelIsAligned() throws {
        let written = TFLiteModelTests.everything().serialized()
        var problems: [String] = []
        try written.withUnsafeBytes { raw in
            Self.check(try XCTUnwrap(FlatBuffer(raw).root), Self.model, "model", &problems)
        }
        XCTAssertEqual(problems, [])
    }

    /// The checker itself finds a 4-byte field placed at an odd offset (a negative control).
    func testCheckerCatchesMisalignment() throws {
        var b = FlatBufferBuilder()
        b.startTable()
        b.add(slot: 9, UInt8(7))  // not a Model field: only shifts the next one
        b.add(slot: 0, rawBytes: [3, 0, 0, 0], alignment: 1)
        let bytes = b.finish(root: b.endTable(), fileIdentifier: "TFL3")
        var problems: [String] = []
        try bytes.withUnsafeBytes { raw in
            Self.check(try XCTUnwrap(FlatBuffer(raw).root), Self.model, "model", &problems)
        }
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems.first?.hasPrefix("model.0: 4-byte scalar") == true, "\(problems)")
    }
}
