import Foundation
import XCTest
import MoteFloat
import MoteModel
@testable import MoteTrain

/// The exported float .tflite, run by MoteFloat's executor, against the trainer's own
/// inference-mode forward pass (BatchNorm with its moving averages, unfolded).
final class ExportTests: XCTestCase {
    private let metadata = ExportMetadata(input: .init(height: 12, width: 12, channels: 3, resize: "nearest"), classes: ["a", "b"])

    /// Gives every BatchNorm non-trivial statistics and affine parameters.
    private func randomizeBatchNorms(_ model: Sequential) {
        var g = SeededGenerator(seed: 77)
        for case let bn as BatchNorm in model.layers {
            for c in 0..<bn.gamma.count {
                bn.gamma.value[c] = g.uniform(0.5, 1.5)
                bn.beta.value[c] = g.uniform(-0.3, 0.3)
                bn.movingMean.value[c] = g.uniform(-0.2, 0.2)
                bn.movingVariance.value[c] = g.uniform(0.3, 2)
            }
        }
    }

    private func compare(_ model: Sequential, _ exported: TFLiteModel, samples: Int = 3, file: StaticString = #filePath, line: UInt = #line) throws {
        let executor = try FloatExecutor(model: TFLiteModel(bytes: exported.serialized()))
        let per = model.inputShape.reduce(1, *)
        var worst: Float = 0
        for s in 0..<samples {
            let x = GradientCheck.values(per, seed: 500 + UInt64(s), 0, 1)
            let mine = model.predict(x, batch: 1)
            let theirs = try executor.run([x])[0]
            XCTAssertEqual(mine.count, theirs.count, file: file, line: line)
            let scale = max(1, theirs.map(abs).max()!)
            for i in mine.indices { worst = max(worst, abs(mine[i] - theirs[i]) / scale) }
        }
        XCTAssertLessThanOrEqual(worst, 1e-5, "max |trainer − executor| / max(1, |executor|)", file: file, line: line)
    }

    func testMicroExportMatchesTrainerForward() throws {
        let model = try Sequential(inputShape: [12, 12, 3], layers: Architecture.micro.layers(classes: 2), seed: 3, maxBatch: 4)
        randomizeBatchNorms(model)
        let exported = try TFLiteExporter.export(model, metadata: metadata)
        let ops = exported.subgraphs[0].operators.map { exported.operatorCodes[$0.opcodeIndex].name }
        // BatchNorm folded and ReLU6 fused: 13 convs, MEAN, FC, LOGISTIC.
        XCTAssertEqual(ops, ["CONV_2D"] + Array(repeating: ["DEPTHWISE_CONV_2D", "CONV_2D"], count: 6).flatMap { $0 }
                       + ["MEAN", "FULLY_CONNECTED", "LOGISTIC"])
        for op in exported.subgraphs[0].operators.prefix(13) {
            switch op.builtinOptions {
            case .conv2D(let o): XCTAssertEqual(o.fusedActivationFunction, .relu6)
            case .depthwiseConv2D(let o): XCTAssertEqual(o.fusedActivationFunction, .relu6); XCTAssertEqual(o.depthMultiplier, 1)
            default: XCTFail("unexpected options \(op.builtinOptions)")
            }
        }
        try compare(model, exported)
    }

    func testSeedExportLooksLikeTheConverterOutput() throws {
        let model = try Sequential(inputShape: [64, 64, 3], layers: Architecture.seed.layers(classes: 2), seed: 1, maxBatch: 1)
        let exported = try TFLiteExporter.export(model, metadata: ExportMetadata(input: .init(height: 64, width: 64, channels: 3, resize: "nearest"),
                                                                                 classes: ["female", "male"]))
        let g = exported.subgraphs[0]
        XCTAssertEqual(g.operators.map { exported.operatorCodes[$0.opcodeIndex].name },
                       ["CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE",
                        "FULLY_CONNECTED", "FULLY_CONNECTED", "LOGISTIC"])
        // Shapes as in ../shared/fixtures/tflite/peer_seed_64/model_float.tflite.
        XCTAssertEqual(g.tensors[g.inputs[0]].shape, [1, 64, 64, 3])
        XCTAssertEqual(g.tensors[g.outputs[0]].shape, [1, 1])
        XCTAssertEqual(g.tensors[g.operators[0].inputs[1]].shape, [16, 3, 3, 3])
        XCTAssertEqual(g.tensors[g.operators[6].outputs[0]].shape, [1, 2304])
        XCTAssertEqual(g.tensors[g.operators[7].inputs[1]].shape, [512, 2304])
        if case .fullyConnected(let o) = g.operators[7].builtinOptions {
            XCTAssertEqual(o.fusedActivationFunction, .relu)
            XCTAssertFalse(o.keepNumDims)
        } else { XCTFail("FC options") }
        let meta = try JSONSerialization.jsonObject(with: Data(exported.moteMetadataJSON!)) as! [String: Any]
        let input = meta["input"] as! [String: Any]
        XCTAssertEqual(input["resize"] as? String, "nearest")
        XCTAssertEqual(input["height"] as? Int, 64)
        XCTAssertEqual((input["scale"] as! NSNumber).doubleValue, 1.0 / 255, accuracy: 1e-9)
        XCTAssertEqual(meta["classes"] as? [String], ["female", "male"])
        try compare(model, exported, samples: 2)
    }

    func testCategoricalWithPoolsAndDenseBatchNorm() throws {
        let model = try Sequential(inputShape: [12, 12, 3], layers: [
            Conv2D(filters: 4, kernelSize: (3, 3), strides: (2, 2), padding: .same, activation: .relu),
            AveragePool2D(poolSize: (3, 3), strides: (2, 2), padding: .same),
            DepthwiseConv2D(kernelSize: (2, 2), depthMultiplier: 2), BatchNorm(), ActivationLayer(.relu),
            MaxPool2D(poolSize: (2, 2), strides: (1, 1)),
            Flatten(), Dropout(rate: 0.5), Dense(units: 6), BatchNorm(), ActivationLayer(.relu6), Dense(units: 3), ActivationLayer(.softmax),
        ], seed: 8, maxBatch: 2)
        randomizeBatchNorms(model)
        try compare(model, try TFLiteExporter.export(model, metadata: metadata))
    }
}
