import Foundation
import XCTest
@testable import MoteSim

/// The evaluation path: the int8 runner's quantize → MoteCore → dequantize round trip against
/// TFLite's saved reference outputs, the float runner against TFLite's float outputs, and the
/// decision rule and counts against hand-worked examples.
final class EvaluationTests: XCTestCase {
    /// Feeding the dequantized fixture input must quantize back to the same int8 bytes, and the
    /// dequantized output must be exactly TFLite's reference output bytes, dequantized here.
    func testInt8RunnerReproducesReferenceOutputs() throws {
        let dir = try SimFixtures.require(SimFixtures.seed64)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("meta.json"))) as! [String: Any]
        let input = meta["input"] as! [String: Any], output = meta["output"] as! [String: Any]
        let (si, zi) = (Float((input["scale"] as! NSNumber).doubleValue), (input["zero_point"] as! NSNumber).intValue)
        let (so, zo) = (Float((output["scale"] as! NSNumber).doubleValue), (output["zero_point"] as! NSNumber).intValue)
        let (runner, _) = try ModelRunners.open(path: dir.appendingPathComponent("model_int8.tflite").path)
        XCTAssertTrue(runner.isInt8)
        XCTAssertEqual(runner.inputShape, [1, 64, 64, 3])
        let int8 = try XCTUnwrap(runner as? Int8Runner)
        let inputTensor = int8.core.interpreter.inputTensorIndex(0)
        for sample in ["000", "003", "007"] {
            let q = try Data(contentsOf: dir.appendingPathComponent("inputs/\(sample).bin")).map { Int8(bitPattern: $0) }
            let x = q.map { Float(Int($0) - zi) * si }
            try int8.core.setInput(0, x)
            XCTAssertEqual(int8.core.interpreter.tensorBytes(inputTensor).map { Int8(bitPattern: $0) }, q,
                           "sample \(sample): quantizing the dequantized input must give the input back")
            let expected = try Data(contentsOf: dir.appendingPathComponent("expected_ref/\(sample).bin"))
                .map { Float(Int(Int8(bitPattern: $0)) - zo) * so }
            XCTAssertEqual(try runner.scores(x), expected, "sample \(sample)")
        }
    }

    /// The float runner against TFLite's float outputs (the dequantized input fed to model_float).
    func testFloatRunnerMatchesTFLiteFloatOutputs() throws {
        let dir = try SimFixtures.require(SimFixtures.seed64)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("meta.json"))) as! [String: Any]
        let input = meta["input"] as! [String: Any]
        let (si, zi) = (Float((input["scale"] as! NSNumber).doubleValue), (input["zero_point"] as! NSNumber).intValue)
        let (runner, _) = try ModelRunners.open(path: dir.appendingPathComponent("model_float.tflite").path)
        XCTAssertFalse(runner.isInt8)
        let q = try Data(contentsOf: dir.appendingPathComponent("inputs/001.bin")).map { Int8(bitPattern: $0) }
        let expected = try Data(contentsOf: dir.appendingPathComponent("float_out/001.f32")).withUnsafeBytes {
            Array($0.bindMemory(to: Float.self))
        }
        let got = try runner.scores(q.map { Float(Int($0) - zi) * si })
        XCTAssertEqual(got.count, expected.count)
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
    }

    func testDecisionRule() {
        XCTAssertEqual(Prediction.decide([0.5]), 0, "a sigmoid at exactly 0.5 is class 0 (p > 0.5 is class 1)")
        XCTAssertEqual(Prediction.decide([0.50001]), 1)
        XCTAssertEqual(Prediction.decide([0.1]), 0)
        XCTAssertEqual(Prediction.decide([0.2, 0.7, 0.1]), 1)
        XCTAssertEqual(Prediction.decide([0.4, 0.1, 0.4]), 0, "ties go to the first largest score")
    }

    /// Accuracy, confusion, per-class accuracy and changed predictions on a hand-made set:
    /// labels 0 0 0 1 1, predictions A 0 1 0 1 1 (4/5), B 0 1 1 1 0 (3/5); A and B differ on 2 files.
    func testCountsAgainstHandWorkedExample() {
        func eval(_ name: String, _ predicted: [Int]) -> Evaluation {
            let labels = [0, 0, 0, 1, 1]
            let predictions = zip(labels, predicted).enumerated().map { i, lp in
                Prediction(file: "c/\(i).jpg", label: lp.0, predicted: lp.1, scores: [Float(lp.1)])
            }
            return Evaluation(model: name, classes: ["a", "b"], predictions: predictions, skipped: [])
        }
        let a = eval("A", [0, 1, 0, 1, 1]), b = eval("B", [0, 1, 1, 1, 0])
        XCTAssertEqual(a.correct, 4)
        XCTAssertEqual(a.accuracy, 0.8, accuracy: 1e-12)
        XCTAssertEqual(a.confusion, [[2, 1], [0, 2]])
        XCTAssertEqual(a.perClassAccuracy[0], 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(a.perClassAccuracy[1], 1.0, accuracy: 1e-12)
        XCTAssertEqual(b.confusion, [[1, 2], [1, 1]])
        XCTAssertEqual(a.predictionsChanged(versus: b), 2)
        XCTAssertEqual(b.predictionsChanged(versus: a), 2)
    }
}
