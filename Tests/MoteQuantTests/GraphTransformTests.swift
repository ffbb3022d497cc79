import Foundation
import MoteCore
import MoteFloat
import MoteModel
import XCTest
@testable import MoteQuant

/// A float model built operator by operator for the graph-transform tests.
struct FloatGraph {
    var model = TFLiteModel(subgraphs: [Subgraph()])
    var rng = ObserverTests.Rand(state: 1)

    mutating func tensor(_ shape: [Int], _ data: [Float]? = nil, type: TensorType = .float32) -> Int {
        var t = Tensor(shape: shape, type: type, name: "t\(model.subgraphs[0].tensors.count)")
        if let data {
            model.buffers.append(Buffer(data: type == .float32 ? Bytes.of(data) : Bytes.of(data.map { Int32($0) })))
            t.buffer = model.buffers.count - 1
        }
        model.subgraphs[0].tensors.append(t)
        return model.subgraphs[0].tensors.count - 1
    }

    mutating func random(_ shape: [Int], scale: Float = 1) -> Int {
        tensor(shape, (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform() * 2 - 1) * scale })
    }

    mutating func op(_ builtin: Int32, _ inputs: [Int], _ outputs: [Int], _ options: BuiltinOptions = .none) {
        let code = model.operatorCodes.firstIndex { $0.builtinOperator == builtin } ?? {
            model.operatorCodes.append(OperatorCode(builtin: builtin))
            return model.operatorCodes.count - 1
        }()
        model.subgraphs[0].operators.append(Operator(opcodeIndex: code, inputs: inputs, outputs: outputs, builtinOptions: options))
    }

    mutating func input(_ t: Int) { model.subgraphs[0].inputs.append(t) }
    mutating func output(_ t: Int) { model.subgraphs[0].outputs.append(t) }

    /// The model's output on `x`, by MoteFloat.
    static func run(_ m: TFLiteModel, _ x: [Float]) throws -> [Float] { try FloatExecutor(model: m).run([x])[0] }
}

final class GraphTransformTests: XCTestCase {
    /// CONV_2D → MUL(per-channel) → ADD(per-channel, RELU) folds into one CONV_2D with fused RELU
    /// computing the same function (MoteFloat runs both).
    func testBatchNormFolding() throws {
        var g = FloatGraph()
        let x = g.tensor([1, 5, 5, 2]), w = g.random([3, 3, 3, 2]), b = g.random([3])
        let y = g.tensor([1, 3, 3, 3]), gamma = g.tensor([3], [0.5, -2, 3]), z = g.tensor([1, 3, 3, 3])
        let beta = g.tensor([3], [0.1, -0.2, 0.3]), out = g.tensor([1, 3, 3, 3])
        g.input(x); g.output(out)
        g.op(BuiltinOperator.conv2D, [x, w, b], [y], .conv2D(Conv2DOptions(padding: .valid, strideW: 1, strideH: 1)))
        g.op(BuiltinOperator.mul, [y, gamma], [z], .mul(MulOptions()))
        g.op(BuiltinOperator.add, [z, beta], [out], .add(AddOptions(fusedActivationFunction: .relu)))
        let (folded, folds) = BatchNormFolding.apply(g.model)
        XCTAssertEqual(folds.map(\.op), ["MUL", "ADD"])
        XCTAssertEqual(folded.subgraphs[0].operators.count, 1)
        XCTAssertEqual(folded.subgraphs[0].operators[0].builtinOptions.fusedActivation, .relu)
        let input = (0..<50).map { Float(sin(Double($0))) }
        let a = try FloatGraph.run(g.model, input), c = try FloatGraph.run(folded, input)
        XCTAssertEqual(a.count, c.count)
        for (u, v) in zip(a, c) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        XCTAssertGreaterThan(a.filter { $0 > 0 }.count, 3)  // the RELU does not zero everything
    }

    /// DEPTHWISE_CONV_2D(RELU) → 1×1 CONV_2D with very unequal channel ranges: after equalization
    /// the function is the same and each channel's depthwise and pointwise ranges are equal.
    func testCrossLayerEqualization() throws {
        var g = FloatGraph()
        let x = g.tensor([1, 4, 4, 3])
        var dwWeights = (0..<27).map { _ in Float(g.rng.uniform() * 2 - 1) }
        for i in dwWeights.indices { dwWeights[i] *= [10, 1, 0.05][i % 3] }
        let w1 = g.tensor([1, 3, 3, 3], dwWeights), b1 = g.tensor([3], [0.5, -0.1, 0.02])
        let y = g.tensor([1, 2, 2, 3]), w2 = g.random([4, 1, 1, 3]), b2 = g.random([4]), out = g.tensor([1, 2, 2, 4])
        g.input(x); g.output(out)
        g.op(BuiltinOperator.depthwiseConv2D, [x, w1, b1], [y],
             .depthwiseConv2D(DepthwiseConv2DOptions(padding: .valid, strideW: 1, strideH: 1, depthMultiplier: 1, fusedActivationFunction: .relu)))
        g.op(BuiltinOperator.conv2D, [y, w2, b2], [out], .conv2D(Conv2DOptions(padding: .valid, strideW: 1, strideH: 1)))
        let (eq, changes) = CrossLayerEqualization.apply(g.model)
        XCTAssertEqual(changes.count, 1)
        let change = try XCTUnwrap(changes.first)
        XCTAssertGreaterThan(change.depthwiseSpreadBefore, 50)
        XCTAssertLessThan(change.depthwiseSpreadAfter, change.depthwiseSpreadBefore)
        let input = (0..<48).map { Float(cos(Double($0) * 0.7)) }
        let a = try FloatGraph.run(g.model, input), c = try FloatGraph.run(eq, input)
        for (u, v) in zip(a, c) { XCTAssertEqual(u, v, accuracy: 1e-4 * max(1, abs(u))) }
        // r1'_i = r2'_i = sqrt(r1_i · r2_i).
        let nw1 = try XCTUnwrap(eq.floats(w1)), nw2 = try XCTUnwrap(eq.floats(w2))
        let ow2 = try XCTUnwrap(g.model.floats(w2))
        for c in 0..<3 {
            let r1 = stride(from: c, to: 27, by: 3).map { abs(dwWeights[$0]) }.max()!
            let r2 = stride(from: c, to: 12, by: 3).map { abs(ow2[$0]) }.max()!
            let n1 = stride(from: c, to: 27, by: 3).map { abs(nw1[$0]) }.max()!
            let n2 = stride(from: c, to: 12, by: 3).map { abs(nw2[$0]) }.max()!
            XCTAssertEqual(Double(n1), (Double(r1) * Double(r2)).squareRoot(), accuracy: 1e-5)
            XCTAssertEqual(Double(n2), (Double(r1) * Double(r2)).squareRoot(), accuracy: 1e-5)
        }
        // RELU6 is not positively homogeneous: such a pair is left alone.
        var h = g
        h.model.subgraphs[0].operators[0].builtinOptions = .depthwiseConv2D(DepthwiseConv2DOptions(
            padding: .valid, strideW: 1, strideH: 1, depthMultiplier: 1, fusedActivationFunction: .relu6))
        XCTAssertTrue(CrossLayerEqualization.apply(h.model).1.isEmpty)
    }

    /// An operator without an int8 form is named, with its index.
    func testUnsupportedOperatorIsNamed() throws {
        var g = FloatGraph()
        let x = g.tensor([1, 4]), y = g.tensor([1, 4]), z = g.tensor([1, 4])
        g.input(x); g.output(z)
        g.op(BuiltinOperator.relu, [x], [y])
        g.op(47, [y], [z])  // EXP
        XCTAssertThrowsError(try PostTrainingQuantizer.validate(g.model)) { error in
            XCTAssertEqual(error as? QuantError, .unsupportedOperator(name: "EXP", index: 1, reason: "the quantizer and MoteCore have no int8 form of it"))
            XCTAssertTrue("\(error)".contains("EXP at index 1"))
        }
        // An already quantized model is refused too.
        g.model.subgraphs[0].tensors[x].type = .int8
        XCTAssertThrowsError(try PostTrainingQuantizer.validate(g.model)) { XCTAssertTrue("\($0)".contains("already quantized")) }
    }

    /// Empty and unreadable calibration folders are errors that name the folder.
    func testCalibrationFolderErrors() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("mote-quant-\(getpid())")
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("female"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let p = MoteImageDefaults.preprocessing
        XCTAssertThrowsError(try ImageCalibrationData(folder: tmp.path, samples: 10, seed: 0, preprocessing: p)) { error in
            guard case QuantError.calibration(let m) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(m.contains(tmp.path), m)
        }
        XCTAssertThrowsError(try ImageCalibrationData(folder: "/nonexistent/calib", samples: 10, seed: 0, preprocessing: p)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/calib"), "\(error)")
        }
    }
}

/// A dead depthwise channel (weights ~0, bias not) is left unscaled by equalization.
final class CrossLayerEqualizationDeadChannelTests: XCTestCase {
    func testDeadChannelKeepsItsScale() throws {
        var g = FloatGraph()
        let x = g.tensor([1, 3, 3, 2])
        let w1 = g.tensor([1, 3, 3, 2], (0..<18).map { $0 % 2 == 0 ? Float($0 + 1) * 0.1 : 1e-9 })
        let b1 = g.tensor([2], [0.1, 0.5]), y = g.tensor([1, 1, 1, 2])
        let w2 = g.tensor([3, 1, 1, 2], [0.5, 1, -0.25, 2, 1, -1]), b2 = g.tensor([3], [0, 0, 0]), out = g.tensor([1, 1, 1, 3])
        g.input(x); g.output(out)
        g.op(BuiltinOperator.depthwiseConv2D, [x, w1, b1], [y],
             .depthwiseConv2D(DepthwiseConv2DOptions(padding: .valid, strideW: 1, strideH: 1, depthMultiplier: 1, fusedActivationFunction: .relu)))
        g.op(BuiltinOperator.conv2D, [y, w2, b2], [out], .conv2D(Conv2DOptions(padding: .valid, strideW: 1, strideH: 1)))
        let (eq, changes) = CrossLayerEqualization.apply(g.model)
        XCTAssertEqual(changes.count, 1)
        // The dead channel's bias is unchanged (not divided by s ≈ 3e-5).
        XCTAssertEqual(try XCTUnwrap(eq.floats(b1))[1], 0.5)
        let input = (0..<18).map { Float($0) * 0.05 }
        let a = try FloatGraph.run(g.model, input), c = try FloatGraph.run(eq, input)
        for (u, v) in zip(a, c) { XCTAssertEqual(u, v, accuracy: 1e-4 * max(1, abs(u))) }
    }
}
