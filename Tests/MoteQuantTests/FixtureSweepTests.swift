import Foundation
import MoteCore
import MoteFloat
import MoteModel
import XCTest
@testable import MoteQuant

/// Every generated fixture's float model, quantized from its own dequantized sample inputs:
/// the operator list and versions equal TF's int8 model of the same Keras weights (QUANTIZE
/// included where TF inserts one), and MoteCore accepts and runs the result.
final class FixtureSweepTests: XCTestCase {
    static let models = ["seed_cnn_32x32", "seed_cnn_same_s2_24x20", "mobilenet_48x48x1", "residual_16x16x8",
                         "inception_concat_20x20", "pad_reshape_18x14", "mlp_64_tanh", "se_hardswish_24x24",
                         "misc_elementwise_16x12"]

    func testOperatorsMatchTensorFlowAndMoteCoreRunsThem() throws {
        for name in Self.models {
            let dir = try SharedFixtures.model(name)
            let float = try TFLiteModel(bytes: SharedFixtures.bytes(dir.appendingPathComponent("model_float.tflite")))
            let tf = try TFLiteModel(bytes: SharedFixtures.bytes(dir.appendingPathComponent("model_int8.tflite")))
            let tfInput = try XCTUnwrap(tf.subgraphs[0].tensors[tf.subgraphs[0].inputs[0]].quantization)
            let (s, z) = (tfInput.scale[0], Int(tfInput.zeroPoint[0]))
            let inputs = try SharedFixtures.inputs(dir)
            let samples = inputs.map { q in q.map { Float(Int($0) - z) * s } }
            var recipe = CalibrationRecipe()
            recipe.inputRange = .observed
            let (model, _) = try PostTrainingQuantizer(recipe: recipe)
                .quantize(float, calibration: InMemoryCalibrationData(samples)) { try FloatExecutorRunner(model: $0) }
            let ops = { (m: TFLiteModel) in m.subgraphs[0].operators.map { "\(m.operatorCodes[$0.opcodeIndex].name) v\(m.operatorCodes[$0.opcodeIndex].version)" } }
            XCTAssertEqual(ops(model), ops(tf), name)
            let runner = try MoteCoreRunner(model)
            let inQ = try XCTUnwrap(model.subgraphs[0].tensors[model.subgraphs[0].inputs[0]].quantization)
            let out = try runner.run(samples[0].map { Int8(QuantizationMath.quantize($0, scale: inQ.scale[0], zeroPoint: Int32(inQ.zeroPoint[0]))) })
            XCTAssertEqual(out.count, model.subgraphs[0].tensors[model.subgraphs[0].outputs[0]].elementCount, name)
        }
    }
}
