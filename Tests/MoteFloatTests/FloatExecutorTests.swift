import MoteCore
import MoteModel
import XCTest
@testable import MoteFloat

/// FloatExecutor on hand-built graphs (operators the fixtures lack, against loops written
/// here), batches, `observe`, and the errors for unsupported or malformed input.
final class FloatExecutorTests: XCTestCase {
    /// Little-endian bytes of float32 / int32 / int8 values.
    private func bytes(_ v: [Float]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
    private func bytes(_ v: [Int32]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }

    /// Builds a model from (builtin, version, inputs, outputs, options) rows; `constants` maps
    /// tensor index to its data. Written and read back, so options come from real flatbuffer bytes.
    private func model(tensors: [Tensor], constants: [Int: [UInt8]], inputs: [Int], outputs: [Int],
                       ops: [(Int32, Int32, [Int], [Int], BuiltinOptions)]) throws -> TFLiteModel {
        var buffers = [Buffer()]
        var tensors = tensors
        for (t, data) in constants.sorted(by: { $0.key < $1.key }) {
            buffers.append(Buffer(data: data))
            tensors[t].buffer = buffers.count - 1
        }
        var codes: [OperatorCode] = []
        var operators: [Operator] = []
        for (builtin, version, ins, outs, options) in ops {
            let code = OperatorCode(builtin: builtin, version: version)
            if !codes.contains(code) { codes.append(code) }
            operators.append(Operator(opcodeIndex: codes.firstIndex(of: code)!, inputs: ins, outputs: outs, builtinOptions: options))
        }
        let m = TFLiteModel(operatorCodes: codes, subgraphs: [Subgraph(tensors: tensors, inputs: inputs, outputs: outputs, operators: operators)],
                            buffers: buffers)
        return try TFLiteModel(bytes: m.serialized())
    }

    /// PADV2 → DEQUANTIZE (per-channel int8) → pointwise CONV_2D without bias → MAXIMUM → DIV
    /// (fused RELU_N1_TO_1) → float STRIDED_SLICE → float PACK → EXPAND_DIMS → SQUEEZE.
    private func extrasModel() throws -> TFLiteModel {
        let f = TensorType.float32
        let tensors = [
            Tensor(shape: [1, 4, 4, 2], type: f, name: "input", shapeSignature: [-1, 4, 4, 2]),     // 0
            Tensor(shape: [4, 2], type: .int32, name: "paddings"),                                  // 1
            Tensor(shape: [], type: f, name: "pad_value"),                                          // 2
            Tensor(shape: [1, 5, 5, 2], type: f, name: "padded"),                                   // 3
            Tensor(shape: [3, 1, 1, 2], type: .int8, name: "q_filter",
                   quantization: Quantization(scale: [0.1, 0.2, 0.05], zeroPoint: [0, 0, 0], quantizedDimension: 0)), // 4
            Tensor(shape: [3, 1, 1, 2], type: f, name: "filter"),                                   // 5
            Tensor(shape: [1, 5, 5, 3], type: f, name: "conv"),                                     // 6
            Tensor(shape: [3], type: f, name: "floor_values"),                                      // 7
            Tensor(shape: [1, 5, 5, 3], type: f, name: "maximum"),                                  // 8
            Tensor(shape: [1], type: f, name: "divisor"),                                           // 9
            Tensor(shape: [1, 5, 5, 3], type: f, name: "divided"),                                  // 10
            Tensor(shape: [1, 3, 3, 3], type: f, name: "sliced"),                                   // 11
            Tensor(shape: [1, 2, 3, 3, 3], type: f, name: "packed"),                                // 12
            Tensor(shape: [1, 2, 3, 3, 3, 1], type: f, name: "expanded"),                           // 13
            Tensor(shape: [1, 2, 3, 3, 3], type: f, name: "squeezed"),                              // 14
            Tensor(shape: [4], type: .int32, name: "begin"),                                        // 15
            Tensor(shape: [4], type: .int32, name: "end"),                                          // 16
            Tensor(shape: [4], type: .int32, name: "strides"),                                      // 17
            Tensor(shape: [], type: .int32, name: "axis"),                                          // 18
        ]
        let constants: [Int: [UInt8]] = [
            1: bytes([0, 0, 1, 0, 0, 1, 0, 0] as [Int32]), 2: bytes([0.5] as [Float]),
            4: [10, 246, 5, 20, 128, 127].map { UInt8($0) },   // int8 10, -10, 5, 20, -128, 127
            7: bytes([-0.3, 0.1, -1.5] as [Float]), 9: bytes([2] as [Float]),
            15: bytes([0, 1, 0, 0] as [Int32]), 16: bytes([0, 4, 5, 3] as [Int32]), 17: bytes([1, 1, 2, 1] as [Int32]),
            18: bytes([-1] as [Int32]),
        ]
        return try model(tensors: tensors, constants: constants, inputs: [0], outputs: [14], ops: [
            (BuiltinOperator.padV2, 1, [0, 1, 2], [3], .padV2),
            (BuiltinOperator.dequantize, 2, [4], [5], .dequantize),
            (BuiltinOperator.conv2D, 1, [3, 5, -1], [6], .conv2D(Conv2DOptions(padding: .valid, strideW: 1, strideH: 1))),
            (55, 1, [6, 7], [8], .maximumMinimum),
            (42, 1, [8, 9], [10], .div(DivOptions(fusedActivationFunction: .reluN1To1))),
            (BuiltinOperator.stridedSlice, 1, [10, 15, 16, 17], [11], .stridedSlice(StridedSliceOptions(beginMask: 1, endMask: 1))),
            (BuiltinOperator.pack, 1, [11, 11], [12], .pack(PackOptions(valuesCount: 2, axis: 1))),
            (BuiltinOperator.expandDims, 1, [12, 18], [13], .expandDims),
            (BuiltinOperator.squeeze, 1, [13], [14], .squeeze(SqueezeOptions(squeezeDims: [5]))),
        ])
    }

    /// The extras model recomputed in float64 for one 4×4×2 image.
    private func extrasExpected(_ x: [Float]) -> [Double] {
        let q: [Double] = [10, -10, 5, 20, -128, 127], scales = [0.1, 0.2, 0.05], floors = [-0.3, 0.1, -1.5]
        func padded(_ y: Int, _ xx: Int, _ c: Int) -> Double {
            let sy = y - 1
            return sy >= 0 && sy < 4 && xx < 4 ? Double(x[(sy * 4 + xx) * 2 + c]) : 0.5
        }
        var slice = [Double]()
        for y in 1...3 { for xx in stride(from: 0, through: 4, by: 2) { for o in 0..<3 {
            let conv = (0..<2).reduce(0.0) { $0 + padded(y, xx, $1) * q[o * 2 + $1] * scales[o] }
            slice.append(min(max(max(conv, floors[o]) / 2, -1), 1))
        } } }
        return slice + slice
    }

    func testExtraOperatorsAgainstFloat64() throws {
        let m = try extrasModel()
        let executor = try FloatExecutor(model: m)
        XCTAssertEqual(executor.inputShapes, [[1, 4, 4, 2]])
        XCTAssertEqual(executor.outputShapes, [[1, 2, 3, 3, 3]])
        XCTAssertEqual(executor.operators.map(\.opName), ["PADV2", "DEQUANTIZE", "CONV_2D", "MAXIMUM", "DIV", "STRIDED_SLICE",
                                                          "PACK", "EXPAND_DIMS", "SQUEEZE"])
        XCTAssertEqual(executor.constantTensors, [1, 2, 4, 7, 9, 15, 16, 17, 18])
        var rng = TestRandom(seed: 10)
        let x = rng.array(32).map { $0 * 4 }
        let y = try executor.run([x])[0]
        XCTAssertLessThan(maxAbsDifference(y, extrasExpected(x)), 1e-6)

        // Batch 3 (dynamic signature): each image as if run alone.
        let batched = try FloatExecutor(model: m, batch: 3)
        XCTAssertEqual(batched.inputShapes, [[3, 4, 4, 2]])
        XCTAssertEqual(batched.outputShapes, [[3, 2, 3, 3, 3]])
        let images = (0..<3).map { _ in rng.array(32).map { $0 * 4 } }
        let out = try batched.run([images.flatMap { $0 }])[0]
        for i in 0..<3 {
            XCTAssertLessThan(maxAbsDifference(Array(out[(i * 54)..<((i + 1) * 54)]), extrasExpected(images[i])), 1e-6, "image \(i)")
        }
    }

    /// PRELU (per-channel slope) → REDUCE_MAX over H, W → SUM over channels (keep_dims), and
    /// REDUCE_MIN beside it, against float64.
    func testPReluAndReductionsAgainstFloat64() throws {
        let f = TensorType.float32
        let tensors = [
            Tensor(shape: [1, 3, 3, 2], type: f, name: "x"), Tensor(shape: [2], type: f, name: "alpha"),
            Tensor(shape: [1, 3, 3, 2], type: f, name: "prelu"), Tensor(shape: [2], type: .int32, name: "hw"),
            Tensor(shape: [1, 2], type: f, name: "max"), Tensor(shape: [1], type: .int32, name: "c"),
            Tensor(shape: [1, 1], type: f, name: "sum"), Tensor(shape: [1, 2], type: f, name: "min"),
        ]
        let m = try model(tensors: tensors, constants: [1: bytes([0.25, -2] as [Float]), 3: bytes([1, 2] as [Int32]), 5: bytes([-1] as [Int32])],
                          inputs: [0], outputs: [6, 7], ops: [
                            (54, 1, [0, 1], [2], .none),
                            (82, 1, [2, 3], [4], .reducer(ReducerOptions(keepDims: false))),
                            (74, 1, [4, 5], [6], .reducer(ReducerOptions(keepDims: true))),
                            (89, 1, [2, 3], [7], .reducer(ReducerOptions(keepDims: false))),
                          ])
        let executor = try FloatExecutor(model: m)
        XCTAssertEqual(executor.outputShapes, [[1, 1], [1, 2]])
        var rng = TestRandom(seed: 11)
        let x = rng.array(18)
        let out = try executor.run([x])
        let alpha = [0.25, -2.0]
        let prelu = x.enumerated().map { i, v in Double(v) >= 0 ? Double(v) : Double(v) * alpha[i % 2] }
        let maxima = (0..<2).map { c in stride(from: c, to: 18, by: 2).map { prelu[$0] }.max()! }
        let minima = (0..<2).map { c in stride(from: c, to: 18, by: 2).map { prelu[$0] }.min()! }
        XCTAssertLessThan(maxAbsDifference(out[0], [maxima.reduce(0, +)]), 1e-6)
        XCTAssertLessThan(maxAbsDifference(out[1], minima), 1e-6)
    }

    /// Int32 shape arithmetic at prepare: SHAPE, STRIDED_SLICE, MUL and SUB (scalar broadcast),
    /// CONCATENATION of the pieces, RESHAPE to the result: [N, 2·3, 4] at batch 1 and 2.
    func testInt32ShapeArithmetic() throws {
        let i32 = TensorType.int32
        let tensors = [
            Tensor(shape: [1, 2, 3, 4], type: .float32, name: "x", shapeSignature: [-1, 2, 3, 4]),   // 0
            Tensor(shape: [4], type: i32, name: "shape"),                                               // 1
            Tensor(shape: [1], type: i32, name: "b0"), Tensor(shape: [1], type: i32, name: "e1"),      // 2, 3
            Tensor(shape: [1], type: i32, name: "e2"), Tensor(shape: [1], type: i32, name: "e4"),      // 4, 5
            Tensor(shape: [1], type: i32, name: "one"),                                                 // 6
            Tensor(shape: [1], type: i32, name: "n"), Tensor(shape: [1], type: i32, name: "h"),        // 7, 8
            Tensor(shape: [1], type: i32, name: "c"),                                                   // 9
            Tensor(shape: [1], type: i32, name: "three"), Tensor(shape: [1], type: i32, name: "h3"),   // 10, 11
            Tensor(shape: [], type: i32, name: "zero"), Tensor(shape: [1], type: i32, name: "c0"),     // 12, 13
            Tensor(shape: [3], type: i32, name: "new_shape"),                                           // 14
            Tensor(shape: [1, 6, 4], type: .float32, name: "y"),                                        // 15
        ]
        let constants: [Int: [UInt8]] = [2: bytes([0] as [Int32]), 3: bytes([1] as [Int32]), 4: bytes([2] as [Int32]),
                                         5: bytes([4] as [Int32]), 6: bytes([1] as [Int32]), 10: bytes([3] as [Int32]),
                                         12: bytes([0] as [Int32])]
        let slice = BuiltinOptions.stridedSlice(StridedSliceOptions())
        let m = try model(tensors: tensors, constants: constants, inputs: [0], outputs: [15], ops: [
            (BuiltinOperator.shape, 1, [0], [1], .shape(ShapeOptions(outType: .int32))),
            (BuiltinOperator.stridedSlice, 1, [1, 2, 3, 6], [7], slice),      // shape[0:1]
            (BuiltinOperator.stridedSlice, 1, [1, 3, 4, 6], [8], slice),      // shape[1:2]
            (BuiltinOperator.stridedSlice, 1, [1, 10, 5, 6], [9], slice),     // shape[3:4]
            (BuiltinOperator.mul, 1, [8, 10], [11], .mul(MulOptions())),      // 2 · 3
            (BuiltinOperator.sub, 1, [9, 12], [13], .sub(SubOptions())),      // 4 − 0 (scalar)
            (BuiltinOperator.concatenation, 1, [7, 11, 13], [14], .concatenation(ConcatenationOptions(axis: 0))),
            (BuiltinOperator.reshape, 1, [0, 14], [15], .reshape(ReshapeOptions())),
        ])
        for batch in [1, 2] {
            let executor = try FloatExecutor(model: m, batch: batch)
            XCTAssertEqual(executor.outputShapes, [[batch, 6, 4]])
            let x = (0..<(24 * batch)).map { Float($0) - 7.5 }
            XCTAssertEqual(try executor.run([x]), [x])
        }
    }

    func testBatchesOfFixtureModelsEqualSingleRuns() throws {
        let folders = try FloatFixtures.models()
        // Dynamic batch with SHAPE/STRIDED_SLICE/PACK flatten, and a static-batch model whose
        // constant RESHAPE target [1, 2304] follows the batch.
        for name in ["seed_cnn_32x32", "peer_seed_64", "mlperf_vww_96"] {
            guard let folder = folders.first(where: { $0.lastPathComponent == name }) else { XCTFail("\(name) missing"); continue }
            let model = try TFLiteModel(bytes: FloatFixtures.bytes(folder.appendingPathComponent("model_float.tflite")))
            let samples = Array(try FloatFixtures.samples(folder).prefix(3))
            let inputs = try samples.map { try FloatFixtures.floatInput(folder, sample: $0) }
            let executor = try FloatExecutor(model: model, batch: samples.count)
            let out = try executor.run([inputs.flatMap { $0 }])[0]
            let per = out.count / samples.count
            for (i, s) in samples.enumerated() {
                let expected = try FloatFixtures.floatOutput(folder, sample: s)
                let scale = max(1, expected.map { abs(Double($0)) }.max()!)
                XCTAssertLessThanOrEqual(maxAbsDifference(Array(out[(i * per)..<((i + 1) * per)]), expected.map(Double.init)), 1e-5 * scale,
                                         "\(name) batch position \(i)")
            }
        }
    }

    func testObserveReportsEveryFloatOutputInOrder() throws {
        let folder = try FloatFixtures.models().first { $0.lastPathComponent == "seed_cnn_32x32" }!
        let model = try TFLiteModel(bytes: FloatFixtures.bytes(folder.appendingPathComponent("model_float.tflite")))
        let executor = try FloatExecutor(model: model)
        var seen: [(op: Int, name: String, tensor: Int, shape: [Int], last: [Float])] = []
        let out = try executor.run([FloatFixtures.floatInput(folder, sample: "000")]) { o in
            seen.append((o.operatorIndex, o.opName, o.tensorIndex, o.shape, Array(o.values)))
        }
        // 11 operators; SHAPE, STRIDED_SLICE and PACK compute int32 shapes and are not reported.
        let graph = model.subgraphs[0]
        let floatOps = graph.operators.enumerated().filter { graph.tensors[$0.element.outputs[0]].type == .float32 }
        XCTAssertEqual(seen.map(\.op), floatOps.map(\.offset))
        XCTAssertEqual(seen.map(\.name), ["CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED",
                                          "FULLY_CONNECTED", "LOGISTIC"])
        for s in seen {
            // The converter's declared shapes are the independent source.
            XCTAssertEqual(s.shape, graph.tensors[s.tensor].shape, "tensor \(s.tensor)")
            XCTAssertEqual(s.last.count, s.shape.reduce(1, *))
        }
        XCTAssertEqual(seen.last!.last, out[0])
        // RELU-fused CONV_2D outputs are non-negative; the RESHAPE is the pool's values.
        XCTAssertTrue(seen[0].last.allSatisfy { $0 >= 0 })
        XCTAssertEqual(seen[4].last, seen[3].last)
    }

    func testErrorsNameTheOperator() throws {
        let f = TensorType.float32
        let base = [Tensor(shape: [1, 4], type: f, name: "x"), Tensor(shape: [1, 4], type: f, name: "y")]
        func expectError(_ ops: [(Int32, Int32, [Int], [Int], BuiltinOptions)], tensors: [Tensor]? = nil, batch: Int = 1,
                         _ contains: String, line: UInt = #line) throws {
            let m = try model(tensors: tensors ?? base, constants: [:], inputs: [0], outputs: [1], ops: ops)
            XCTAssertThrowsError(try FloatExecutor(model: m, batch: batch), line: line) { error in
                XCTAssertTrue("\(error)".contains(contains), "\(error)", line: line)
            }
        }
        try expectError([(8, 1, [0], [1], .none)], "operator 0 (FLOOR v1) is not supported")
        try expectError([(BuiltinOperator.logistic, 9, [0], [1], .none)], "operator 0 (LOGISTIC v9) is not supported by the float executor: version 9")
        try expectError([(BuiltinOperator.add, 1, [0, 0], [1], .add(AddOptions(fusedActivationFunction: .tanh)))],
                        "operator 0 (ADD v1) is not supported by the float executor: fused activation tanh")
        try expectError([(BuiltinOperator.quantize, 1, [0], [1], .quantize)], "operator 0 (QUANTIZE v1)")
        try expectError([(BuiltinOperator.logistic, 1, [0], [1], .none)],
                        tensors: [Tensor(shape: [2, 4], type: f, name: "x"), Tensor(shape: [2, 4], type: f, name: "y")], batch: 2,
                        "no batch dimension")
        try expectError([(BuiltinOperator.add, 1, [0, 2], [1], .add(AddOptions()))],
                        tensors: base + [Tensor(shape: [1, 4], type: f, name: "never written")], "read before any operator writes it")
        try expectError([(BuiltinOperator.fullyConnected, 1, [0, 2], [1], .fullyConnected(FullyConnectedOptions()))],
                        tensors: base + [Tensor(shape: [3, 5], type: f, name: "w")], "operator 0 (FULLY_CONNECTED)")

        let reluModel = try model(tensors: base, constants: [:], inputs: [0], outputs: [1], ops: [(BuiltinOperator.relu, 1, [0], [1], .none)])
        let ok = try FloatExecutor(model: reluModel)
        XCTAssertEqual(try ok.run([[-1, 2, -3, 4]]), [[0, 2, 0, 4]])
        XCTAssertThrowsError(try ok.run([[1, 2, 3]])) { XCTAssertEqual($0 as? FloatExecutorError, .inputSize(input: 0, expected: 4, got: 3)) }
        XCTAssertThrowsError(try ok.run([])) { XCTAssertEqual($0 as? FloatExecutorError, .inputCount(expected: 1, got: 0)) }
        XCTAssertThrowsError(try FloatExecutor(model: TFLiteModel(), batch: 1))
        XCTAssertThrowsError(try FloatExecutor(model: reluModel, batch: 0))
    }
}
