import XCTest
import MoteModel
@testable import MoteCore

/// PAD copies bytes: prepare must reject an int8 input whose quantization is invalid or
/// differs from the output's (a mutant found by the hostile-model run: scale 0, NaN, -1, inf
/// were accepted), while the unmodified fixture still prepares.
final class PadQuantizationTests: XCTestCase {
    func testPadRejectsInvalidOrMismatchedInputQuantization() throws {
        guard let dir = try Fixtures.models().first(where: { $0.lastPathComponent == "pad_reshape_18x14" }) else {
            return XCTFail("pad_reshape_18x14 fixture missing")
        }
        let original = try TFLiteModel(bytes: Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite")))
        let pad = original.subgraphs[0].operators[0]
        let input = pad.inputs[0], output = pad.outputs[0]
        XCTAssertNoThrow(try FixtureConformanceTests.withInterpreter(original.serialized(), memoryPolicy: .compact) { _ in })

        let outScale = original.subgraphs[0].tensors[output].quantization!.scale[0]
        for scale in [Float(0), -0.0, .nan, -1, .infinity, outScale * 2] {
            var model = original
            model.subgraphs[0].tensors[input].quantization!.scale[0] = scale
            do {
                try FixtureConformanceTests.withInterpreter(model.serialized(), memoryPolicy: .compact) { _ in }
                XCTFail("input scale \(scale) accepted")
            } catch let error as FixtureConformanceTests.FixtureError {
                XCTAssertTrue("\(error)".contains("invalidQuantization"), "\(scale): \(error)")
                XCTAssertTrue("\(error)".contains("op 0"), "\(scale): \(error)")
            }
        }
    }
}
