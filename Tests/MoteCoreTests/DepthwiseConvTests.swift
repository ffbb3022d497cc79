import Foundation
import XCTest
@testable import MoteCore

/// A random int8 depthwise convolution, recomputed in the test with explicitly padded input
/// and Int64 accumulators.
struct DepthwiseProblem {
    var batches = 1, height = 5, width = 4, inputDepth = 3, multiplier = 2, kernelH = 3, kernelW = 3
    var strideH = 1, strideW = 1, dilationH = 1, dilationW = 1
    var same = true
    var activation: Int8 = 0
    var perChannel = true, hasBias = true
    var inScale: Float = 0.02, inZero: Int32 = -3, outScale: Float = 0.05, outZero: Int32 = 5
    var filterScales: [Float] = []
    var input: [Int8] = [], filter: [Int8] = [], bias: [Int32] = []
    /// The `depth_multiplier` option as written in the model (TFLite ignores it).
    var optionMultiplier: Int32? = nil

    var outputDepth: Int { inputDepth * multiplier }

    static func random(_ rng: inout SeededRandom) -> DepthwiseProblem {
        var p = DepthwiseProblem()
        p.batches = Int.random(in: 1...2, using: &rng)
        p.inputDepth = Int.random(in: 1...20, using: &rng)
        p.multiplier = [1, 1, 1, 2, 3].randomElement(using: &rng)!
        p.kernelH = Int.random(in: 1...5, using: &rng)
        p.kernelW = Int.random(in: 1...5, using: &rng)
        p.strideH = Int.random(in: 1...3, using: &rng)
        p.strideW = Int.random(in: 1...3, using: &rng)
        p.dilationH = Int.random(in: 1...2, using: &rng)
        p.dilationW = Int.random(in: 1...2, using: &rng)
        p.same = Bool.random(using: &rng)
        p.height = Int.random(in: ((p.kernelH - 1) * p.dilationH + 1)...14, using: &rng)
        p.width = Int.random(in: ((p.kernelW - 1) * p.dilationW + 1)...14, using: &rng)
        p.activation = [0, 1, 2, 3].randomElement(using: &rng)!
        p.perChannel = Bool.random(using: &rng)
        p.hasBias = Int.random(in: 0..<4, using: &rng) != 0
        p.inScale = Float.random(in: 0.004...0.05, using: &rng)
        p.inZero = Int32.random(in: -128...127, using: &rng)
        p.outZero = Int32.random(in: -20...20, using: &rng)
        p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.002...0.02, using: &rng) }
        let taps = Float(p.kernelH * p.kernelW)
        p.outScale = p.inScale * 0.01 * taps.squareRoot() * Float.random(in: 100...300, using: &rng)
        p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
        p.filter = rng.int8s(p.kernelH * p.kernelW * p.outputDepth, -127...127)
        p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -3000...3000, using: &rng) }
        return p
    }

    /// A problem for the optimized-versus-reference comparison: channel counts that exercise
    /// every form (16-channel blocks, leftovers, stride-1 row blocks mixing pixels), wide
    /// rows, extreme zero points and biases.
    static func wide(_ rng: inout SeededRandom) -> DepthwiseProblem {
        var p = DepthwiseProblem()
        p.batches = Int.random(in: 1...3, using: &rng)
        p.inputDepth = [1, 2, 3, 4, 7, 8, 12, 15, 16, 17, 24, 31, 32, 33, 48, 64, 80, 128].randomElement(using: &rng)!
        p.multiplier = [1, 1, 1, 1, 2, 3].randomElement(using: &rng)!
        let square = Bool.random(using: &rng)
        p.kernelH = square ? 3 : Int.random(in: 1...5, using: &rng)
        p.kernelW = square ? 3 : Int.random(in: 1...5, using: &rng)
        p.strideH = Int.random(in: 1...3, using: &rng)
        p.strideW = [1, 1, 2, 3].randomElement(using: &rng)!
        if Int.random(in: 0..<3, using: &rng) == 0 {
            p.dilationH = Int.random(in: 1...3, using: &rng)
            p.dilationW = Int.random(in: 1...3, using: &rng)
        }
        p.same = Bool.random(using: &rng)
        let side = p.inputDepth * p.multiplier > 64 ? 10 : 24
        p.height = Int.random(in: ((p.kernelH - 1) * p.dilationH + 1)...max(side, (p.kernelH - 1) * p.dilationH + 1), using: &rng)
        p.width = Int.random(in: ((p.kernelW - 1) * p.dilationW + 1)...max(side, (p.kernelW - 1) * p.dilationW + 1), using: &rng)
        p.activation = [0, 1, 2, 3].randomElement(using: &rng)!
        p.perChannel = Int.random(in: 0..<4, using: &rng) != 0
        p.hasBias = Int.random(in: 0..<5, using: &rng) != 0
        p.inScale = Float.random(in: 0.002...0.1, using: &rng)
        p.inZero = [-128, 127, Int32.random(in: -128...127, using: &rng)].randomElement(using: &rng)!
        p.outZero = Int32.random(in: -128...127, using: &rng)
        p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
        let taps = Float(p.kernelH * p.kernelW)
        let spread = Int.random(in: 0..<8, using: &rng) == 0 ? Float.random(in: 0.001...0.05, using: &rng) : Float.random(in: 50...400, using: &rng)
        p.outScale = p.inScale * 0.01 * taps.squareRoot() * spread
        p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
        p.filter = rng.int8s(p.kernelH * p.kernelW * p.outputDepth)
        let huge = Int.random(in: 0..<6, using: &rng) == 0
        p.bias = (0..<p.outputDepth).map { _ in huge ? Int32.random(in: Int32.min...Int32.max, using: &rng) : Int32.random(in: -100_000...100_000, using: &rng) }
        return p
    }

    func window(_ input: Int, _ k: Int, _ s: Int, _ d: Int) -> (out: Int, pad: Int) {
        let eff = (k - 1) * d + 1
        let out = same ? (input + s - 1) / s : (input - eff + s) / s
        return (out, max((out - 1) * s + eff - input, 0) / 2)
    }

    var outputShape: [Int] {
        [batches, window(height, kernelH, strideH, dilationH).out, window(width, kernelW, strideW, dilationW).out, outputDepth]
    }

    func scale(_ c: Int) -> Float { filterScales[perChannel ? c : 0] }

    var model: TinyModel {
        var tensors = [
            TinyModel.Tensor(shape: [batches, height, width, inputDepth], scales: [inScale], zeroPoints: [Int64(inZero)]),
            TinyModel.Tensor(shape: [1, kernelH, kernelW, outputDepth], data: filter.bytes, scales: filterScales,
                             zeroPoints: [Int64](repeating: 0, count: filterScales.count), quantizedDimension: 3),
            TinyModel.Tensor(shape: outputShape, scales: [outScale], zeroPoints: [Int64(outZero)]),
        ]
        var inputs: [Int32] = [0, 1]
        if hasBias {
            tensors.append(TinyModel.Tensor(shape: [outputDepth], type: .int32, data: bias.bytes,
                                            scales: (0..<outputDepth).map { inScale * scale($0) },
                                            zeroPoints: [Int64](repeating: 0, count: outputDepth)))
            inputs.append(3)
        }
        return TinyModel(tensors: tensors, builtin: BuiltinOperator.depthwiseConv2D, version: 3, inputs: inputs, outputs: [2],
                         optionsType: BuiltinOptionsType.depthwiseConv2D,
                         options: [(0, .i8(same ? 0 : 1)), (1, .i32(Int32(strideW))), (2, .i32(Int32(strideH))),
                                   (3, .i32(optionMultiplier ?? Int32(multiplier))), (4, .i8(activation)),
                                   (5, .i32(Int32(dilationW))), (6, .i32(Int32(dilationH)))])
    }

    func expected() -> [Int8] {
        let (oh, padT) = window(height, kernelH, strideH, dilationH)
        let (ow, padL) = window(width, kernelW, strideW, dilationW)
        let range = RefMath.activationRange(activation, scale: outScale, zeroPoint: outZero)
        func x(_ b: Int, _ y: Int, _ xx: Int, _ c: Int) -> Int64 {
            if y < 0 || y >= height || xx < 0 || xx >= width { return 0 }
            return Int64(input[((b * height + y) * width + xx) * inputDepth + c]) - Int64(inZero)
        }
        var out: [Int8] = []
        for b in 0..<batches { for oy in 0..<oh { for ox in 0..<ow { for c in 0..<outputDepth {
            var acc: Int64 = hasBias ? Int64(bias[c]) : 0
            for ky in 0..<kernelH { for kx in 0..<kernelW {
                let w = Int64(filter[(ky * kernelW + kx) * outputDepth + c])
                acc += w * x(b, oy * strideH - padT + ky * dilationH, ox * strideW - padL + kx * dilationW, c / multiplier)
            } }
            let real = Double(inScale) * Double(scale(c)) / Double(outScale)
            out.append(RefMath.output(acc, real: real, outZero: outZero, range: range, single: false))
        } } } }
        return out
    }
}

final class DepthwiseConvTests: XCTestCase {
    /// One channel, 3x3 input, 3x3 filter of ones at stride 2, SAME: total padding 2, one row
    /// and column before; input - zp = 1...9 row-major. Windows: top-left {1,2,4,5} = 12,
    /// top-right {2,3,5,6} = 16, bottom-left {4,5,7,8} = 24, bottom-right {5,6,8,9} = 28.
    /// Real multiplier 0.25 → 3, 4, 6, 7; zero point 0.
    func testHandWorkedStridedSamePadding() throws {
        let model = TinyModel(
            tensors: [
                .init(shape: [1, 3, 3, 1], scales: [1], zeroPoints: [-1]),
                .init(shape: [1, 3, 3, 1], data: [Int8](repeating: 1, count: 9).bytes, scales: [0.25], zeroPoints: [0], quantizedDimension: 3),
                .init(shape: [1, 2, 2, 1], scales: [1], zeroPoints: [0]),
            ],
            builtin: BuiltinOperator.depthwiseConv2D, version: 1, inputs: [0, 1, -1], outputs: [2],
            optionsType: BuiltinOptionsType.depthwiseConv2D, options: [(0, .i8(0)), (1, .i32(2)), (2, .i32(2)), (3, .i32(1))])
        let x: [Int8] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
        let out = try OpHarness.run(DepthwiseConv2DKernel.self, model: model.serialize(), data: [0: x.bytes])
        XCTAssertEqual(out, [Int8(3), 4, 6, 7].bytes)
    }

    /// Both memory policies: `.fast` runs the optimized routine, `.compact` the reference one.
    func testRandomDepthwiseMatchesInt64Recomputation() throws {
        var rng = SeededRandom(0xD3E9)
        for trial in 0..<300 {
            let p = DepthwiseProblem.random(&rng)
            let policy: Interpreter.MemoryPolicy = trial % 2 == 0 ? .fast : .compact
            let out = try OpHarness.run(DepthwiseConv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes], policy: policy)
            XCTAssertEqual(out, p.expected().bytes, "\(policy) " + "trial \(trial): \(p.outputShape) mult \(p.multiplier) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW) d \(p.dilationH),\(p.dilationW) same \(p.same)")
        }
    }

    /// The optimized routine (the kernel's eval) gives the bytes of
    /// `DepthwiseConv2DReference.run` on the same prepared parameters.
    func testOptimizedDepthwiseEqualsReferenceRoutine() throws {
        var rng = SeededRandom(0xD1FF)
        for trial in 0..<400 {
            let p = DepthwiseProblem.wide(&rng)
            let (fast, slow) = try OpHarness.runBoth(DepthwiseConv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                XCTAssertTrue(params.optimized)
                DepthwiseConv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                             filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                             output: ctx.output(0, as: Int8.self))
            }
            XCTAssertEqual(fast, slow, "trial \(trial): in \([p.batches, p.height, p.width, p.inputDepth]) out \(p.outputShape) mult \(p.multiplier) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW) d \(p.dilationH),\(p.dilationW) same \(p.same)")
        }
    }

    /// TFLite derives the multiplier from the shapes and ignores the option.
    func testDepthMultiplierOptionIsIgnored() throws {
        var rng = SeededRandom(11)
        var p = DepthwiseProblem.random(&rng)
        p.multiplier = 2
        p.filterScales = [0.01]
        p.perChannel = false
        p.filter = rng.int8s(p.kernelH * p.kernelW * p.outputDepth)
        p.bias = [Int32](repeating: 7, count: p.outputDepth)
        p.optionMultiplier = 0
        let out = try OpHarness.run(DepthwiseConv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes])
        XCTAssertEqual(out, p.expected().bytes)
    }

    func testFixtureDepthwiseConvolutionsMatchTFLite() throws {
        for policy in [Interpreter.MemoryPolicy.fast, .compact] {
            let (checked, failures) = try OpHarness.fixtureOps(DepthwiseConv2DKernel.self, builtin: "DEPTHWISE_CONV_2D", policy: policy)
            XCTAssertGreaterThan(checked, 15)
            XCTAssertEqual(failures, [])
        }
    }

    func testPrepareRejectsWhatItDoesNotImplement() {
        var base = DepthwiseProblem()
        var rng = SeededRandom(5)
        base.filterScales = (0..<6).map { _ in Float.random(in: 0.005...0.02, using: &rng) }
        base.input = rng.int8s(5 * 4 * 3)
        base.filter = rng.int8s(9 * 6)
        base.bias = [1, 2, 3, 4, 5, 6]
        func rejected(_ edit: (inout TinyModel) -> Void) -> MoteError.Kind? {
            var m = base.model
            edit(&m)
            return OpHarness.rejection(DepthwiseConv2DKernel.self, m)
        }
        XCTAssertNil(rejected { _ in })
        XCTAssertEqual(rejected { $0.version = 4 }, .unsupportedOperator)
        XCTAssertEqual(rejected { $0.tensors[0].type = .int16; $0.tensors[2].type = .int16 }, .typeMismatch)
        XCTAssertEqual(rejected { $0.tensors[1].shape = [2, 3, 3, 3] }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[0].shape[3] = 4 }, .shapeMismatch)  // 6 channels are not a multiple of 4
        XCTAssertEqual(rejected { $0.tensors[0].shape[3] = 0 }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[2].shape[2] = 5 }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[3].shape = [1, 6] }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[1].quantizedDimension = 0 }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[1].zeroPoints[2] = 3 }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.options[2] = (2, .i32(-2)) }, .invalidOptions)
        XCTAssertEqual(rejected { $0.options[6] = (6, .i32(0)) }, .invalidOptions)
        XCTAssertEqual(rejected { $0.options[4] = (4, .i8(5)) }, .invalidOptions)
        XCTAssertEqual(rejected { $0.optionsType = BuiltinOptionsType.conv2D }, .invalidOptions)
        XCTAssertEqual(rejected { $0.tensors[3].scales[1] *= 50 }, .invalidQuantization)
    }
}
