import Foundation
import XCTest
import MoteCore
@testable import MoteModel

/// The IR's rarely used fields survive a write -> read; metadata conveniences; readable errors.
final class TFLiteModelTests: XCTestCase {
    /// A model that sets every field of the IR at least once.
    static func everything() -> TFLiteModel {
        let q = Quantization(min: [-1, -2], max: [1, 2], scale: [0.5, 0.25], zeroPoint: [0, -3], quantizedDimension: 1)
        let sparse = SparsityParameters(traversalOrder: [0, 1, 2], blockMap: [1], dimensionMetadata: [
            DimensionMetadata(format: 0, denseSize: 4),
            DimensionMetadata(format: 1, arraySegments: .int32([0, 2, 3]), arrayIndices: .uint16([0, 1, 65535])),
            DimensionMetadata(format: 1, arraySegments: .uint8([0, 1]), arrayIndices: .uint8([7])),
        ])
        let tensors = [
            Tensor(shape: [1, 2, 3], type: .int8, buffer: 1, name: "weights", quantization: q, sparsity: sparse,
                   shapeSignature: [-1, 2, 3], hasRank: true),
            Tensor(shape: [], type: .float32, name: "", quantization: Quantization(), isVariable: true, hasRank: true),
            Tensor(shape: [2], type: .variant, name: "v", quantization: Quantization(customDetails: [1, 2, 3]),
                   variantTensors: [VariantSubType(shape: [3], type: .int32, hasRank: true), VariantSubType()]),
            Tensor(shape: [4], type: .int64, buffer: 2, name: "ünïcode"),
        ]
        let op = Operator(opcodeIndex: 1, inputs: [0, -1, 2], outputs: [1],
                          builtinOptions: .fullyConnected(FullyConnectedOptions(fusedActivationFunction: .relu)),
                          customOptions: [9, 8, 7], customOptionsFormat: 0, mutatingVariableInputs: [false, true, false],
                          intermediates: [3], builtinOptions2: GenericOptions(unionType: 1, fields: [0: .scalar([5, 0, 0, 0, 0, 0, 0, 0])]))
        let custom = Operator(opcodeIndex: 0, inputs: [], outputs: [3], customOptions: [])
        let main = Subgraph(tensors: tensors, inputs: [2], outputs: [1], operators: [op, custom], name: "main")
        let second = Subgraph(tensors: [Tensor(shape: [1], type: .int32)], inputs: [0], outputs: [0], operators: [], name: nil)
        return TFLiteModel(
            version: 3,
            operatorCodes: [OperatorCode(builtin: 32, customCode: "MyOp"), OperatorCode(builtin: 9, version: 12),
                            OperatorCode(builtin: 162, version: 2)],
            subgraphs: [main, second], description: nil,
            buffers: [Buffer(), Buffer(data: [1, 2, 3, 4, 5, 6]), Buffer(data: Array(repeating: 0xAB, count: 32)), Buffer(data: Array("{}".utf8))],
            metadataBuffer: [3], metadata: [MetadataEntry(name: "min_runtime_version", buffer: 3)],
            signatureDefs: [SignatureDef(inputs: [TensorMap(name: "x", tensorIndex: 2)], outputs: [TensorMap(name: "y", tensorIndex: 1)],
                                         signatureKey: "serving_default", subgraphIndex: 0),
                            SignatureDef()])
    }

    func testEveryFieldSurvivesWriteAndRead() throws {
        let model = Self.everything()
        let bytes = model.serialized()
        XCTAssertNoThrow(try bytes.withUnsafeBytes { try ModelVerifier.verify(FlatBuffer($0)) })
        let reread = try TFLiteModel(bytes: bytes)
        XCTAssertEqual(reread, model)
        XCTAssertEqual(reread.operatorCodes[2].deprecatedBuiltinCode, 127, "codes above 126 use the placeholder")
        XCTAssertEqual(reread.operatorCodes[2].builtinOperator, 162)
        XCTAssertEqual(reread.operatorCodes[0].name, "MyOp")
        XCTAssertEqual(reread.operatorCodes[1].name, "FULLY_CONNECTED")
    }

    func testFixtureSignaturesAndMetadataAreRead() throws {
        guard let file = try Fixtures.models().first?.appendingPathComponent("model_int8.tflite") else {
            throw XCTSkip("no fixture model")
        }
        let model = try TFLiteModel(contentsOf: file)
        XCTAssertEqual(model.signatureDefs.first?.signatureKey, "serving_default")
        XCTAssertEqual(model.signatureDefs.first?.inputs.count, 1)
        let version = try XCTUnwrap(model.metadataBytes(named: "min_runtime_version"))
        XCTAssertTrue(String(decoding: version, as: UTF8.self).hasPrefix("1."), "min_runtime_version like 1.14.0")
    }

    struct MoteInfo: Codable, Equatable {
        var classes: [String]
        var scale: Double
    }

    func testMoteMetadataSetGetReplaceRemove() throws {
        var model = Self.everything()
        XCTAssertNil(model.moteMetadataJSON)
        let bufferCount = model.buffers.count
        try model.setMoteMetadata(MoteInfo(classes: ["female", "male"], scale: 0.5))
        XCTAssertEqual(model.buffers.count, bufferCount + 1)
        XCTAssertEqual(String(decoding: try XCTUnwrap(model.moteMetadataJSON), as: UTF8.self),
                       #"{"classes":["female","male"],"scale":0.5}"#)
        var reread = try TFLiteModel(bytes: model.serialized())
        XCTAssertEqual(try reread.moteMetadata(as: MoteInfo.self), MoteInfo(classes: ["female", "male"], scale: 0.5))
        // Replacing reuses the entry's buffer.
        try reread.setMoteMetadata(MoteInfo(classes: ["a"], scale: 1))
        XCTAssertEqual(reread.buffers.count, bufferCount + 1)
        XCTAssertEqual(reread.metadata.filter { $0.name == "mote" }.count, 1)
        XCTAssertEqual(try reread.moteMetadata(as: MoteInfo.self)?.classes, ["a"])
        // The other entries are untouched.
        XCTAssertEqual(reread.metadataBytes(named: "min_runtime_version"), Array("{}".utf8))
        reread.moteMetadataJSON = nil
        XCTAssertNil(reread.moteMetadataJSON)
        XCTAssertEqual(reread.metadata.map(\.name), ["min_runtime_version"])
        XCTAssertEqual(reread.metadataContents.map(\.name), ["min_runtime_version"])
    }

    func testMalformedInputsGiveReadableErrors() throws {
        XCTAssertThrowsError(try TFLiteModel(bytes: [1, 2, 3])) { e in
            XCTAssertEqual("\(e)", "invalid TFLite model (malformedModel): model is shorter than a flatbuffer header at byte 0")
        }
        var bytes = Self.everything().serialized()
        bytes[4] = UInt8(ascii: "X")
        XCTAssertThrowsError(try TFLiteModel(bytes: bytes)) { e in
            XCTAssertEqual(e as? TFLiteModelError, .verification(kind: "malformedModel", reason: "missing TFL3 file identifier", offset: 4))
            XCTAssertEqual((e as? LocalizedError)?.errorDescription, "invalid TFLite model (malformedModel): missing TFL3 file identifier at byte 4")
        }
        // Every truncation of a valid model is rejected or read without crashing.
        let valid = Self.everything().serialized()
        for n in stride(from: 0, to: valid.count, by: 7) {
            _ = try? TFLiteModel(bytes: Array(valid[..<n]))
        }
        XCTAssertThrowsError(try TFLiteModel(contentsOf: URL(fileURLWithPath: "/nonexistent/model.tflite"))) { e in
            guard case .io(let reason)? = e as? TFLiteModelError else { return XCTFail("expected an io error, got \(e)") }
            XCTAssertTrue(reason.contains("/nonexistent/model.tflite"))
        }
    }

    func testUnknownTensorTypeIsReported() throws {
        var model = Self.everything()
        model.subgraphs[0].tensors[0].type = .int4
        var bytes = model.serialized()
        // Patch tensor 0's type byte to 99 (no such TensorType), found through the core's view.
        let at = try bytes.withUnsafeBytes { raw -> Int in
            let fb = FlatBuffer(raw)
            let t = try XCTUnwrap(fb.root?.vector(2, elementSize: 4)?.table(0)?.vector(0, elementSize: 4)?.table(0))
            return try XCTUnwrap(t.field(1, size: 1))
        }
        bytes[at] = 99
        XCTAssertThrowsError(try TFLiteModel(bytes: bytes)) { e in
            XCTAssertEqual(e as? TFLiteModelError, .unsupported("tensor type 99 is not a TensorType this reader knows"))
        }
    }
}
