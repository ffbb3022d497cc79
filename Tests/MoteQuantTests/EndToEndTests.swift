import Foundation
import MoteCore
import MoteFloat
import MoteModel
import XCTest
@testable import MoteQuant

/// Quantizes the seed CNN fixture's float model and checks the result against the float model
/// (run by MoteFloat) and against TensorFlow's int8 model of the same Keras weights.
final class EndToEndTests: XCTestCase {
    struct Setup {
        var float: TFLiteModel
        var tf: TFLiteModel
        var mote: TFLiteModel
        var report: QuantizationReport
        var inputs: [[Int8]]
    }

    /// Calibration inputs derived from the fixture's int8 inputs: dequantized with the input's
    /// parameters (1/255, −128), and each also mirrored left-right (16 samples of 32×32×3).
    static func calibration(_ inputs: [[Int8]], height: Int, width: Int, channels: Int) -> [[Float]] {
        var out: [[Float]] = []
        for q in inputs {
            let x = q.map { Float(Int($0) + 128) / 255 }
            out.append(x)
            var mirrored = x
            for r in 0..<height { for c in 0..<width { for k in 0..<channels {
                mirrored[(r * width + c) * channels + k] = x[(r * width + (width - 1 - c)) * channels + k]
            } } }
            out.append(mirrored)
        }
        return out
    }

    func setup(_ recipe: CalibrationRecipe = CalibrationRecipe()) throws -> Setup {
        let dir = try SharedFixtures.model("seed_cnn_32x32")
        let float = try TFLiteModel(bytes: SharedFixtures.bytes(dir.appendingPathComponent("model_float.tflite")))
        let tf = try TFLiteModel(bytes: SharedFixtures.bytes(dir.appendingPathComponent("model_int8.tflite")))
        let inputs = try SharedFixtures.inputs(dir)
        let data = InMemoryCalibrationData(Self.calibration(inputs, height: 32, width: 32, channels: 3))
        let q = PostTrainingQuantizer(recipe: recipe, inputRange: PostTrainingQuantizer.pixelRange(scale: 1 / 255, offset: 0))
        let (model, report) = try q.quantize(float, calibration: data) { try FloatExecutorRunner(model: $0) }
        return Setup(float: float, tf: tf, mote: model, report: report, inputs: inputs)
    }

    /// Same operators and versions as TF's converter, int8 edges with TF's parameters, the
    /// spec's fixed LOGISTIC output, per-channel weights whose scales and codes match TF's.
    func testStructureMatchesTensorFlowsInt8Model() throws {
        let s = try setup()
        let mine = s.mote.subgraphs[0], theirs = s.tf.subgraphs[0]
        XCTAssertEqual(mine.operators.map { s.mote.operatorCodes[$0.opcodeIndex].name },
                       theirs.operators.map { s.tf.operatorCodes[$0.opcodeIndex].name })
        XCTAssertEqual(mine.operators.map { s.mote.operatorCodes[$0.opcodeIndex].version },
                       theirs.operators.map { s.tf.operatorCodes[$0.opcodeIndex].version })
        for (a, b) in [(mine.inputs[0], theirs.inputs[0]), (mine.outputs[0], theirs.outputs[0])] {
            XCTAssertEqual(mine.tensors[a].type, .int8)
            XCTAssertEqual(mine.tensors[a].quantization?.scale, theirs.tensors[b].quantization?.scale)
            XCTAssertEqual(mine.tensors[a].quantization?.zeroPoint, theirs.tensors[b].quantization?.zeroPoint)
        }
        XCTAssertEqual(mine.tensors[mine.outputs[0]].quantization?.scale, [1.0 / 256])
        // Operator by operator: every tensor of the same type; weights per channel like TF's.
        for (k, (op, ref)) in zip(mine.operators, theirs.operators).enumerated() {
            XCTAssertEqual(op.inputs.count, ref.inputs.count, "op \(k)")
            for (t, u) in zip(op.inputs + op.outputs, ref.inputs + ref.outputs) where t >= 0 && u >= 0 {
                XCTAssertEqual(mine.tensors[t].type, theirs.tensors[u].type, "op \(k) tensor \(t)")
                XCTAssertEqual(mine.tensors[t].shape, theirs.tensors[u].shape, "op \(k) tensor \(t)")
            }
            let name = s.mote.operatorCodes[op.opcodeIndex].name
            guard name == "CONV_2D" || name == "FULLY_CONNECTED" else { continue }
            let w = mine.tensors[op.inputs[1]], v = theirs.tensors[ref.inputs[1]]
            let (wq, vq) = (try XCTUnwrap(w.quantization), try XCTUnwrap(v.quantization))
            XCTAssertEqual(wq.quantizedDimension, vq.quantizedDimension)
            XCTAssertEqual(wq.scale.count, vq.scale.count)
            for (a, b) in zip(wq.scale, vq.scale) { XCTAssertEqual(a, b, accuracy: b * 1e-6, "op \(k) weight scale") }
            let mineCodes = s.mote.buffers[w.buffer].data.map { Int(Int8(bitPattern: $0)) }
            let tfCodes = s.tf.buffers[v.buffer].data.map { Int(Int8(bitPattern: $0)) }
            XCTAssertEqual(mineCodes.count, tfCodes.count)
            XCTAssertLessThanOrEqual(zip(mineCodes, tfCodes).map { abs($0 - $1) }.max() ?? 0, 1, "op \(k) weight codes")
            // The bias scale is input scale × weight scale, channel by channel.
            let inScale = try XCTUnwrap(mine.tensors[op.inputs[0]].quantization?.scale.first)
            let bq = try XCTUnwrap(mine.tensors[op.inputs[2]].quantization)
            XCTAssertEqual(mine.tensors[op.inputs[2]].type, .int32)
            for (c, bs) in bq.scale.enumerated() { XCTAssertEqual(bs, inScale * wq.scale[c], accuracy: bs * 1e-6) }
        }
        // The calibration summary is in the mote metadata.
        let meta = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(s.mote.moteMetadataJSON))) as? [String: Any])
        let calibration = try XCTUnwrap(meta["calibration"] as? [String: Any])
        XCTAssertEqual(calibration["samples"] as? Int, 16)
        XCTAssertEqual((calibration["tensors"] as? [Any])?.count, s.report.tensors.count)
    }

    /// MoteCore runs the model; its dequantized outputs are within a bound from the scales of
    /// the float model's: one output step (1/256) plus the LOGISTIC slope (at most 1/4) times
    /// three steps of its input's scale (rounding, the threshold rounding's half step, and
    /// the error accumulated before).
    func testMoteCoreOutputsAreCloseToTheFloatModel() throws {
        let s = try setup()
        let runner = try MoteCoreRunner(s.mote)
        let executor = try FloatExecutor(model: s.float)
        let g = s.mote.subgraphs[0]
        let logisticInput = g.operators.last!.inputs[0]
        let inputScale = try XCTUnwrap(g.tensors[logisticInput].quantization?.scale.first)
        let bound = 1.0 / 256 + 0.25 * 3 * Double(inputScale)
        var worst = 0.0
        for q in s.inputs {
            let out = try runner.run(q)
            let p = Double(Int(out[0]) + 128) / 256
            let x = q.map { Float(Int($0) + 128) / 255 }
            let f = try executor.run([x])[0][0]
            worst = max(worst, abs(p - Double(f)))
            XCTAssertEqual(p, Double(f), accuracy: bound)
        }
        XCTAssertGreaterThan(worst, 0)  // not trivially equal
    }

    /// Bias correction leaves a smaller mean error per channel than it found.
    func testBiasCorrectionReducesTheMeanError() throws {
        var recipe = CalibrationRecipe()
        recipe.biasCorrection = true
        recipe.thresholdRounding = false  // its deliberate half-step shift would count as error here
        let s = try setup(recipe)
        XCTAssertEqual(s.report.biasCorrection.count, 4)
        // Measure again on the corrected model: the errors left are below those corrected.
        let meansFloat = try Self.floatMeans(s)
        let inputs = Self.calibration(s.inputs, height: 32, width: 32, channels: 3).map { $0.map { Int8(QuantizationMath.quantize($0, scale: 1 / 255, zeroPoint: -128)) } }
        let (_, again) = try BiasCorrection.apply(s.mote, floatMeans: { t, lo, hi in meansFloat(t, lo, hi) }, inputs: inputs) { _, _ in }
        for (before, after) in zip(s.report.biasCorrection, again) {
            XCTAssertLessThanOrEqual(after.meanAbsError, before.meanAbsError * 1.05 + 1e-6, "op \(before.op)")
        }
    }

    /// Per-channel means of the float model's tensors, clamped to [lo, hi], keyed by the int8
    /// model's tensor indices (the float model keeps tensor names: matched by name).
    static func floatMeans(_ s: Setup) throws -> (Int, Float, Float) -> [Double]? {
        let executor = try FloatExecutor(model: s.float)
        var values: [String: [[Float]]] = [:]
        for x in calibration(s.inputs, height: 32, width: 32, channels: 3) {
            _ = try executor.run([x]) { out in values[out.name, default: []].append(Array(out.values)) }
        }
        let names = s.mote.subgraphs[0].tensors.map(\.name)
        return { t, lo, hi in
            guard let runs = values[names[t]], let c = s.mote.subgraphs[0].tensors[t].shape.last else { return nil }
            var sums = [Double](repeating: 0, count: c), n = 0.0
            for r in runs {
                for (i, y) in r.enumerated() { sums[i % c] += Double(min(max(y, lo), hi)) }
                n += Double(r.count / c)
            }
            return sums.map { $0 / n }
        }
    }
}

/// Threshold rounding on a hand-made logit: the sign of the accumulator decides `p > 0.5`.
final class ThresholdRoundingTests: XCTestCase {
    func testPositiveLogitsBelowHalfAStepNoLongerTie() throws {
        // input [1, 3] → FC(1) → LOGISTIC, weights [1, −1, 1], bias 0.
        var g = FloatGraph()
        let x = g.tensor([1, 3]), w = g.tensor([1, 3], [1, -1, 1]), b = g.tensor([1], [0]), y = g.tensor([1, 1]), p = g.tensor([1, 1])
        g.input(x); g.output(p)
        g.op(BuiltinOperator.fullyConnected, [x, w, b], [y], .fullyConnected(FullyConnectedOptions()))
        g.op(BuiltinOperator.logistic, [y], [p])
        // Calibration: inputs in [0, 1.27] (one input step 1.27/255), logits in [−1.27, 2.54]
        // (a logit step of three input steps).
        let samples: [[Float]] = [[0, 1.27, 0], [1.27, 0, 1.27], [0.5, 0.5, 0]]
        for rounding in [false, true] {
            var recipe = CalibrationRecipe()
            recipe.thresholdRounding = rounding
            recipe.inputRange = .observed
            let (m, report) = try PostTrainingQuantizer(recipe: recipe)
                .quantize(g.model, calibration: InMemoryCalibrationData(samples)) { try FloatExecutorRunner(model: $0) }
            XCTAssertEqual(report.thresholdRounding.count, rounding ? 1 : 0)
            let inQ = try XCTUnwrap(m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].quantization)
            let logitScale = try XCTUnwrap(m.subgraphs[0].tensors[m.subgraphs[0].operators[0].outputs[0]].quantization?.scale.first)
            let runner = try MoteCoreRunner(m)
            // A logit of +0.3 input steps (well below half a logit step) and one of −0.3.
            let step = inQ.scale[0]
            // Logits of one input step, +1/3 and −1/3 of a logit step.
            for (a, c) in [(Float(0.5) + step, Float(0.5)), (Float(0.5), Float(0.5) + step)] {
                let q = [a, c, 0].map { Int8(QuantizationMath.quantize($0, scale: inQ.scale[0], zeroPoint: Int32(inQ.zeroPoint[0]))) }
                let logit = (Float(Int(q[0]) - Int(inQ.zeroPoint[0])) - Float(Int(q[1]) - Int(inQ.zeroPoint[0]))) * step
                XCTAssertLessThan(abs(logit), logitScale / 2)
                let out = try runner.run(q)[0]
                let positive = logit > 0
                if rounding {
                    // Codes above the zero point (p > 0.5) exactly for positive logits.
                    XCTAssertEqual(out > 0, positive, "logit \(logit)")
                } else {
                    XCTAssertEqual(out, 0, "round-to-nearest puts |logit| < s/2 on the 0.5 tie")
                }
            }
        }
    }
}

/// Saturation clipping costs nothing: with the LOGISTIC input clipped to its saturation
/// interval, MoteCore's int8 LOGISTIC already gives its end codes at the clipped ends, and the
/// finer input scale follows the float sigmoid at least as closely everywhere inside.
final class SaturationClippingTests: XCTestCase {
    func testClippedLogisticInputLosesNothing() throws {
        var g = FloatGraph()
        let x = g.tensor([1, 4]), p = g.tensor([1, 4])
        g.input(x); g.output(p)
        g.op(BuiltinOperator.logistic, [x], [p])
        let samples: [[Float]] = [[-12, -3, 0.5, 12], [-1, 2, 4, 7]]
        var models: [Bool: (TFLiteModel, Quantization)] = [:]
        for clip in [true, false] {
            var recipe = CalibrationRecipe()
            recipe.saturationClipping = clip
            recipe.inputRange = .observed
            let (m, _) = try PostTrainingQuantizer(recipe: recipe)
                .quantize(g.model, calibration: InMemoryCalibrationData(samples)) { try FloatExecutorRunner(model: $0) }
            models[clip] = (m, try XCTUnwrap(m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].quantization))
        }
        let (clipped, cq) = try XCTUnwrap(models[true]), (plain, pq) = try XCTUnwrap(models[false])
        XCTAssertLessThan(cq.scale[0], pq.scale[0] / 1.8)
        let runClipped = try MoteCoreRunner(clipped), runPlain = try MoteCoreRunner(plain)
        // The end codes of the clipped input give the end output codes.
        XCTAssertEqual(try runClipped.run([127, 127, 127, 127])[0], 127)
        XCTAssertEqual(try runClipped.run([-128, -128, -128, -128])[0], -128)
        // Over a grid of reals in [−12, 12]: the error against the float sigmoid, in output
        // codes, is never worse with clipping than without (beyond one code), and smaller on average.
        var sumClipped = 0.0, sumPlain = 0.0
        for k in 0...480 {
            let v = Float(k) * 0.05 - 12
            let exact = 256 / (1 + exp(-Double(v))) - 128
            let a = Double(try runClipped.run([Int8](repeating: Int8(QuantizationMath.quantize(v, scale: cq.scale[0], zeroPoint: Int32(cq.zeroPoint[0]))), count: 4))[0])
            let b = Double(try runPlain.run([Int8](repeating: Int8(QuantizationMath.quantize(v, scale: pq.scale[0], zeroPoint: Int32(pq.zeroPoint[0]))), count: 4))[0])
            XCTAssertLessThanOrEqual(abs(a - exact), abs(b - exact) + 1, "x = \(v)")
            sumClipped += abs(a - exact)
            sumPlain += abs(b - exact)
        }
        XCTAssertLessThan(sumClipped, sumPlain)
    }
}
