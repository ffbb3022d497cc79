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

    /// An int8 file with a float boundary (QUANTIZE in front, DEQUANTIZE behind, as TF's
    /// converter writes without int8 I/O) still pairs every computing operator with the float
    /// file's, one position later; the boundary operators are listed as not compared.
    func testMatcherSkipsBoundaryOperators() throws {
        let dir = try SimFixtures.require(SimFixtures.seed64)
        var q = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_int8.tflite"))
        let f = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_float.tflite"))
        var g = q.subgraphs[0]
        let oldIn = g.inputs[0], oldOut = g.outputs[0]
        g.tensors.append(Tensor(shape: [1, 64, 64, 3], type: .float32, name: "float_input"))
        g.tensors.append(Tensor(shape: [1, 1], type: .float32, name: "float_output"))
        let fin = g.tensors.count - 2, fout = g.tensors.count - 1
        q.operatorCodes.append(OperatorCode(builtin: 114))  // QUANTIZE
        q.operatorCodes.append(OperatorCode(builtin: 6))    // DEQUANTIZE
        let quantize = Operator(opcodeIndex: q.operatorCodes.count - 2, inputs: [fin], outputs: [oldIn])
        let dequantize = Operator(opcodeIndex: q.operatorCodes.count - 1, inputs: [oldOut], outputs: [fout])
        g.operators = [quantize] + g.operators + [dequantize]
        g.inputs = [fin]
        g.outputs = [fout]
        q.subgraphs[0] = g
        let m = LayerMatcher(int8: q, float: f)
        XCTAssertEqual(m.matches.map(\.int8Operator), Array(1...10))
        XCTAssertEqual(m.matches.map(\.floatOperator), Array(0..<10))
        XCTAssertEqual(m.unmatched.map(\.opName), ["QUANTIZE", "DEQUANTIZE"])
        XCTAssertEqual(m.unmatched.map(\.operatorIndex), [0, 11])
        XCTAssertTrue(m.matches.allSatisfy(\.namesAgree))
    }
}
