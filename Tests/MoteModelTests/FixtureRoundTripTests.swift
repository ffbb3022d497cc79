import Foundation
import XCTest
import MoteCore
@testable import MoteModel

/// Every fixture model survives read -> write -> read unchanged, the written bytes pass the
/// core's verifier and run in the core exactly like the original.
final class FixtureRoundTripTests: XCTestCase {
    func testReadWriteReadGivesEqualModel() throws {
        var checked = 0
        for file in try Fixtures.modelFiles() {
            let original = try Fixtures.bytes(file)
            let model = try TFLiteModel(bytes: original)
            let written = model.serialized()
            let reread = try TFLiteModel(bytes: written)
            XCTAssertEqual(reread, model, "\(Fixtures.label(file)): IR changed by write -> read")
            XCTAssertEqual(reread.serialized(), written, "\(Fixtures.label(file)): writing is not deterministic")
            XCTAssertEqual(written.count % 16, 0, "\(Fixtures.label(file)): size not a multiple of 16")
            // TF's converter pads little; a writer that bloats the file is broken.
            XCTAssertLessThan(written.count, original.count + original.count / 10 + 4096, "\(Fixtures.label(file))")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 2)
    }

    /// The core's own views of original and rewritten file agree field by field.
    func testWrittenBytesPassCoreVerifierAndViewAlike() throws {
        for file in try Fixtures.modelFiles() {
            let original = try Fixtures.bytes(file)
            let written = try TFLiteModel(bytes: original).serialized()
            try original.withUnsafeBytes { o in
                try written.withUnsafeBytes { w in
                    XCTAssertNoThrow(try ModelVerifier.verify(FlatBuffer(w)), Fixtures.label(file))
                    let a = try ModelView(o), b = try ModelView(w)
                    XCTAssertEqual(a.version, b.version)
                    XCTAssertEqual(a.operatorCodeCount, b.operatorCodeCount)
                    for i in 0..<a.operatorCodeCount {
                        XCTAssertEqual(a.operatorCode(i)?.builtin, b.operatorCode(i)?.builtin)
                        XCTAssertEqual(a.operatorCode(i)?.version, b.operatorCode(i)?.version)
                    }
                    XCTAssertEqual(a.bufferCount, b.bufferCount)
                    for i in 0..<a.bufferCount {
                        XCTAssertEqual([UInt8](a.bufferData(i)), [UInt8](b.bufferData(i)), "\(Fixtures.label(file)) buffer \(i)")
                        let data = b.bufferData(i)
                        if data.count > 0, let base = data.baseAddress, let start = w.baseAddress {
                            XCTAssertEqual((base - start) % 16, 0, "\(Fixtures.label(file)) buffer \(i) data not 16-byte aligned")
                        }
                    }
                    let sa = try XCTUnwrap(a.subgraph(0)), sb = try XCTUnwrap(b.subgraph(0))
                    XCTAssertEqual(sa.tensorCount, sb.tensorCount)
                    XCTAssertEqual(sa.operatorCount, sb.operatorCount)
                    for i in 0..<sa.operatorCount {
                        let x = try XCTUnwrap(sa.op(i)), y = try XCTUnwrap(sb.op(i))
                        XCTAssertEqual(x.opcodeIndex, y.opcodeIndex)
                        XCTAssertEqual(x.builtinOptionsType, y.builtinOptionsType)
                        XCTAssertEqual(ints(x.inputs), ints(y.inputs))
                        XCTAssertEqual(ints(x.outputs), ints(y.outputs))
                    }
                    for i in 0..<sa.tensorCount {
                        let x = try XCTUnwrap(sa.tensor(i)), y = try XCTUnwrap(sb.tensor(i))
                        XCTAssertEqual(ints(x.shape), ints(y.shape))
                        XCTAssertEqual(x.typeRaw, y.typeRaw)
                        XCTAssertEqual(x.buffer, y.buffer)
                        XCTAssertEqual(x.quantization.map { floats($0.scale) }, y.quantization.map { floats($0.scale) })
                        XCTAssertEqual(x.quantization?.quantizedDimension, y.quantization?.quantizedDimension)
                    }
                }
            }
        }
    }

    /// Input 000 through the original and the rewritten int8 model gives the same output
    /// (or, while the core lacks an operator, the same prepare error).
    func testRewrittenInt8ModelsRunLikeOriginals() throws {
        var ran = 0
        var notes: [String] = []
        for dir in try Fixtures.models() {
            let original = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let written = try TFLiteModel(bytes: original).serialized()
            let input = try Fixtures.bytes(dir.appendingPathComponent("inputs/000.bin"))
            let a = run(original, input), b = run(written, input)
            switch (a, b) {
            case let (.success(x), .success(y)):
                XCTAssertEqual(x, y, "\(dir.lastPathComponent): rewritten model computes a different output")
                ran += 1
            case let (.failure(x), .failure(y)):
                XCTAssertEqual(x, y, "\(dir.lastPathComponent): different prepare errors")
                notes.append("\(dir.lastPathComponent): core cannot run it yet (\(x))")
            default:
                XCTFail("\(dir.lastPathComponent): original \(a), rewritten \(b)")
            }
        }
        print("rewritten int8 models run: \(ran)\n" + notes.joined(separator: "\n"))
    }

    /// `write(to:)` leaves exactly the model file, readable and equal.
    func testAtomicWriteToFile() throws {
        guard let file = try Fixtures.modelFiles().first else { throw XCTSkip("no fixture model") }
        let model = try TFLiteModel(contentsOf: file)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mote-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("out.tflite")
        try Data("old".utf8).write(to: target)
        try model.write(to: target)
        XCTAssertEqual(try TFLiteModel(contentsOf: target), model)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["out.tflite"])
        XCTAssertThrowsError(try model.write(to: folder.appendingPathComponent("missing/out.tflite")))
    }

    enum RunError: Error, Equatable { case prepare(String) }

    func run(_ model: [UInt8], _ input: [UInt8]) -> Result<[UInt8], RunError> {
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 << 20, alignment: 16)
        defer { arena.deallocate() }
        return model.withUnsafeBytes { bytes in
            do {
                let it = try Interpreter(model: bytes, arena: arena)
                try input.withUnsafeBytes { try it.setInput(0, $0) }
                it.invoke()
                return .success([UInt8](it.output(0)))
            } catch let error as MoteError {
                return .failure(.prepare("\(error.kind) \(error.message) op \(error.operatorIndex) tensor \(error.tensorIndex)"))
            } catch {
                return .failure(.prepare("\(error)"))
            }
        }
    }

    func ints(_ v: FBVector) -> [Int32] { (0..<v.count).map { v.i32($0) } }
    func floats(_ v: FBVector) -> [Float] { (0..<v.count).map { v.f32($0) } }
}
