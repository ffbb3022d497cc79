import XCTest
import MoteModel
@testable import MoteSim

final class HostInt8ModelTests: XCTestCase {
    /// The host model gives TFLite's reference bytes, and every intermediate seen through
    /// `invoke(afterEach:)` equals the tensor TFLite dumped (the per-layer comparison reads these).
    func testOutputsAndIntermediatesEqualTFLiteReference() throws {
        let dir = try SimFixtures.require(SimFixtures.seed64)
        let model = try HostInt8Model(bytes: SimFixtures.bytes(dir.appendingPathComponent("model_int8.tflite")))
        try model.setInput(0, raw: SimFixtures.bytes(dir.appendingPathComponent("inputs/000.bin")))
        var seen: [Int: [UInt8]] = [:]
        model.invoke { op in
            for k in 0..<model.interpreter.outputTensors(ofOperator: op).count {
                let t = Int(model.interpreter.outputTensors(ofOperator: op).i32(k))
                seen[t] = Array(model.interpreter.tensorBytes(t))
            }
        }
        XCTAssertEqual(model.rawOutput(0), try SimFixtures.bytes(dir.appendingPathComponent("expected_ref/000.bin")))
        XCTAssertEqual(seen.count, 10)
        for (t, bytes) in seen {
            XCTAssertEqual(bytes, try SimFixtures.bytes(dir.appendingPathComponent("intermediates_000/t\(t).bin")), "tensor \(t)")
        }
        // Dequantized output: (q - zp) * scale with the output's 1/256, -128.
        let q = Int(Int8(bitPattern: model.rawOutput(0)[0]))
        XCTAssertEqual(Double(model.output(0)[0]), Double(q + 128) / 256, accuracy: 1e-7)
        // The footprint is the core's arena and the file size.
        let f = model.footprint
        XCTAssertEqual(f.flash, 1_225_640)
        XCTAssertEqual(f.ram, model.interpreter.usage.required)
        XCTAssertEqual(f.arenaPlanned! + f.arenaPersistent!, model.interpreter.usage.planned + model.interpreter.usage.persistent)
    }

    func testRejectsGarbageWithAMessage() {
        XCTAssertThrowsError(try HostInt8Model(bytes: [1, 2, 3, 4, 5, 6, 7, 8])) { error in
            XCTAssertTrue("\(error)".contains("cannot read the int8 model"), "\(error)")
        }
    }

    /// peer_seed_64: the float and int8 files have the same ten operators; every int8 output is
    /// paired with the float output of the same position, and the names agree.
    func testMatcherPairsSeedModelOneToOne() throws {
        let dir = try SimFixtures.require(SimFixtures.seed64)
        let q = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_int8.tflite"))
        let f = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_float.tflite"))
        let m = LayerMatcher(int8: q, float: f)
        XCTAssertEqual(m.matches.map(\.int8Operator), Array(0..<10))
        XCTAssertEqual(m.matches.map(\.floatOperator), Array(0..<10))
        XCTAssertTrue(m.unmatched.isEmpty, "\(m.unmatched)")
        XCTAssertEqual(m.matches.map(\.name).prefix(3), ["conv2d_1", "max_pooling2d_1", "conv2d_1_2"])
        XCTAssertEqual(m.matches.filter { !$0.namesAgree }.map(\.int8Operator), [], "names cross-check")
        XCTAssertEqual(m.matches[0].macs, 1_660_608)
    }
}
