import Foundation
import XCTest
import MoteCore
@testable import MoteModel

/// MAC counts against hand-worked numbers and against a recomputation from meta.json;
/// operator descriptions against the fixtures' README.
final class ModelSummaryTests: XCTestCase {
    func testHandWorkedMACs() {
        let shapes: [[Int]] = [
            [1, 8, 8, 3], [16, 3, 3, 3], [16], [1, 8, 8, 16],      // 0-3 conv
            [1, 8, 8, 4], [8, 3, 3, 2], [8], [1, 6, 6, 8],         // 4-7 grouped conv (2 groups)
            [1, 6, 6, 8], [1, 3, 3, 8], [8], [1, 4, 4, 8],         // 8-11 depthwise
            [2, 64], [10, 64], [10], [2, 10],                      // 12-15 fully connected
            [1, 4, 4, 8], [1, 2, 2, 8],                            // 16-17 pool
            [1, 4, 4, 8], [1, 1, 1, 8], [4], [1, 8],               // 18-21 add (broadcast), mean
            [4], [1, 4, 4, 8], [8, 3, 3, 8], [1, 8, 8, 8],         // 22-25 transpose conv [out shape, filter, input, output]
        ]
        let tensors = shapes.map { Tensor(shape: $0, type: .int8) }
        let ops = [
            Operator(opcodeIndex: 0, inputs: [0, 1, 2], outputs: [3], builtinOptions: .conv2D(Conv2DOptions(strideW: 1, strideH: 1))),
            Operator(opcodeIndex: 0, inputs: [4, 5, 6], outputs: [7], builtinOptions: .conv2D(Conv2DOptions(padding: .valid))),
            Operator(opcodeIndex: 1, inputs: [8, 9, 10], outputs: [11], builtinOptions: .depthwiseConv2D(DepthwiseConv2DOptions())),
            Operator(opcodeIndex: 2, inputs: [12, 13, 14], outputs: [15], builtinOptions: .fullyConnected(FullyConnectedOptions())),
            Operator(opcodeIndex: 3, inputs: [16], outputs: [17],
                     builtinOptions: .pool2D(Pool2DOptions(padding: .valid, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2))),
            Operator(opcodeIndex: 4, inputs: [18, 19], outputs: [18], builtinOptions: .add(AddOptions())),
            Operator(opcodeIndex: 5, inputs: [18, 20], outputs: [21], builtinOptions: .reducer(ReducerOptions())),
            Operator(opcodeIndex: 6, inputs: [21, 20], outputs: [21]),
            Operator(opcodeIndex: 7, inputs: [22, 24, 23], outputs: [25], builtinOptions: .transposeConv(TransposeConvOptions(strideW: 2, strideH: 2))),
        ]
        let codes = [3, 4, 9, 1, 0, 40, 22, 67].map { OperatorCode(builtin: Int32($0)) }
        let model = TFLiteModel(operatorCodes: codes, subgraphs: [Subgraph(tensors: tensors, operators: ops)])
        let s = model.summary()
        XCTAssertEqual(s.operators.map(\.macs), [
            8 * 8 * 16 * 3 * 3 * 3,  // 27,648
            6 * 6 * 8 * 3 * 3 * 2,   // 5,184: inC / groups = 2
            4 * 4 * 8 * 3 * 3,       // 1,152
            2 * 10 * 64,             // 1,280
            2 * 2 * 8 * 2 * 2,       // 128
            4 * 4 * 8,               // 128
            4 * 4 * 8,               // 128: the input's elements
            0,                       // RESHAPE
            4 * 4 * 8 * 3 * 3 * 8,   // 9,216: per input pixel, KH·KW·outC
        ])
        XCTAssertEqual(s.totalMACs, 27_648 + 5_184 + 1_152 + 1_280 + 128 + 128 + 128 + 9_216)
        XCTAssertEqual(s.operators.map(\.opName), ["CONV_2D", "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED",
                                                  "AVERAGE_POOL_2D", "ADD", "MEAN", "RESHAPE", "TRANSPOSE_CONV"])
        XCTAssertEqual(s.operators[0].description, "#0 CONV_2D v1 [1,8,8,3], [16,3,3,3], [16] -> [1,8,8,16] s1 SAME 27648 MACs")
    }

    /// Per-operator MACs recomputed from meta.json's shapes and options.
    func testFixtureMACsAgreeWithMetaRecomputation() throws {
        for dir in try Fixtures.models() {
            let meta = try Fixtures.json(dir.appendingPathComponent("meta.json"))
            let tensors = meta["tensors"] as! [[String: Any]]
            func shape(_ i: Int) -> [Int] { tensors[i]["shape"] as! [Int] }
            func count(_ s: [Int]) -> Int { s.reduce(1, *) }
            var expected: [Int] = []
            for op in meta["ops"] as! [[String: Any]] {
                let ins = op["inputs"] as! [Int], outs = op["outputs"] as! [Int]
                let o = op["builtin_options"] as? [String: Any] ?? [:]
                switch op["op_name"] as! String {
                case "CONV_2D":
                    let f = shape(ins[1]), out = shape(outs[0])
                    expected.append(out[1] * out[2] * out[3] * f[1] * f[2] * f[3] * out[0])
                case "DEPTHWISE_CONV_2D":
                    let f = shape(ins[1]), out = shape(outs[0])
                    expected.append(out[0] * out[1] * out[2] * out[3] * f[1] * f[2])
                case "FULLY_CONNECTED":
                    expected.append(count(shape(outs[0])) * shape(ins[1])[1])
                case "AVERAGE_POOL_2D", "MAX_POOL_2D":
                    expected.append(count(shape(outs[0])) * (o["filter_height"] as! Int) * (o["filter_width"] as! Int))
                case "ADD", "SUB", "MUL":
                    expected.append(count(shape(outs[0])))
                case "MEAN":
                    expected.append(count(shape(ins[0])))
                default:
                    expected.append(0)
                }
            }
            let summary = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_int8.tflite")).summary()
            XCTAssertEqual(summary.operators.map(\.macs), expected, dir.lastPathComponent)
            XCTAssertGreaterThan(summary.totalMACs, 0)
        }
    }

    /// The README's "ops (execution order)" lines spell options the same way.
    func testOperatorDescriptionsMatchReadme() throws {
        let models = try Fixtures.models()
        let readme = try String(contentsOf: Fixtures.tfliteRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var section = ""
        var lines: [String: [String]] = [:]
        for line in readme.split(separator: "\n") {
            if line.hasPrefix("### ") { section = String(line.dropFirst(4)) }
            let prefix = "* ops (execution order): "
            if line.hasPrefix(prefix) { lines[section] = line.dropFirst(prefix.count).components(separatedBy: ", ") }
        }
        var compared = 0
        for dir in models {
            guard let ops = lines[dir.lastPathComponent] else { continue }
            let summary = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_int8.tflite")).summary()
            XCTAssertEqual(summary.operators.count, ops.count, dir.lastPathComponent)
            for (info, token) in zip(summary.operators, ops) {
                if token.contains("(") {
                    XCTAssertEqual("\(info.opName)(\(info.options))", token, "\(dir.lastPathComponent) op \(info.index)")
                    compared += 1
                } else {
                    XCTAssertEqual(info.opName, token, "\(dir.lastPathComponent) op \(info.index)")
                }
            }
        }
        XCTAssertGreaterThan(compared, 20)
    }

    func testQuantizationStrings() {
        XCTAssertEqual(ModelSummary.quantizationString(Quantization(scale: 0.00390625, zeroPoint: -128)), "s=0.00390625 zp=-128")
        let perChannel = Quantization(scale: [0.5, 0.25, 0.125], zeroPoint: [0, 0, 0], quantizedDimension: 3)
        XCTAssertEqual(ModelSummary.quantizationString(perChannel), "per-channel(3) dim 3 s=[0.125..0.5] zp=0")
    }
}
