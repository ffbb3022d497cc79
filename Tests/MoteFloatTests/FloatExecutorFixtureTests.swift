import XCTest
import MoteModel
@testable import MoteFloat

/// Every float fixture model against TFLite's saved float outputs, all samples:
/// max |Mote − TFLite| ≤ 1e-5 · max(1, max |TFLite|). Hybrid models (constant int8 weights in
/// the float file) must be rejected with an error that says so.
final class FloatExecutorFixtureTests: XCTestCase {
    func testFloatModelsMatchTFLite() throws {
        var checked = 0
        for folder in try FloatFixtures.models() {
            let name = folder.lastPathComponent
            let model = try TFLiteModel(bytes: FloatFixtures.bytes(folder.appendingPathComponent("model_float.tflite")))
            let graph = model.subgraphs[0]
            let hybrid = graph.tensors.contains { $0.type == .int8 && $0.buffer > 0 && !model.buffers[$0.buffer].data.isEmpty }
            if hybrid {
                XCTAssertThrowsError(try FloatExecutor(model: model), name) { error in
                    let message = "\(error)"
                    XCTAssertTrue(message.contains("hybrid") && message.contains("operator 0 (CONV_2D"), "\(name): \(message)")
                    print("\(name): rejected: \(message)")
                }
                continue
            }
            let executor = try FloatExecutor(model: model)
            var worst = 0.0
            for sample in try FloatFixtures.samples(folder) {
                let expected = try FloatFixtures.floatOutput(folder, sample: sample)
                let got = try executor.run([FloatFixtures.floatInput(folder, sample: sample)])[0]
                XCTAssertEqual(got.count, expected.count, "\(name) \(sample)")
                let scale = max(1, expected.map { abs(Double($0)) }.max() ?? 0)
                let diff = zip(got, expected).map { abs(Double($0) - Double($1)) }.max() ?? 0
                worst = max(worst, diff / scale)
                XCTAssertLessThanOrEqual(diff, 1e-5 * scale, "\(name) sample \(sample): got \(got.prefix(8)), TFLite \(expected.prefix(8))")
            }
            print("\(name): worst max|Mote - TFLite| / max(1, max|TFLite|) = \(worst)")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 10)
    }
}
