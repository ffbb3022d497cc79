import Foundation
import XCTest
@testable import MoteCore

/// A random int8 FULLY_CONNECTED, recomputed in the test with Int64 accumulators and the
/// single-rounding formula.
struct FullyConnectedProblem {
    var inputShape = [2, 6], units = 3
    var depth = 6
    var keepDims = false
    var activation: Int8 = 0
    var perChannel = true, hasBias = true
    /// The filter zero point (per-tensor weights only).
    var weightZero: Int64 = 0
    var inScale: Float = 0.02, inZero: Int32 = -3, outScale: Float = 0.05, outZero: Int32 = 5
    var filterScales: [Float] = []
    var input: [Int8] = [], filter: [Int8] = [], bias: [Int32] = []

    var rows: Int { inputShape.reduce(1, *) / depth }

    static func random(_ rng: inout SeededRandom) -> FullyConnectedProblem {
        var p = FullyConnectedProblem()
        p.depth = Int.random(in: 1...70, using: &rng)
        p.units = Int.random(in: 1...40, using: &rng)
        p.keepDims = Int.random(in: 0..<3, using: &rng) == 0
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: p.inputShape = [p.depth]
        case 1: p.inputShape = [Int.random(in: 1...3, using: &rng), p.depth]
        case 2: p.inputShape = [Int.random(in: 1...2, using: &rng), Int.random(in: 1...3, using: &rng), p.depth]
        default:
            // A flattened feature map: the depth spans several trailing dimensions.
            let h = Int.random(in: 1...3, using: &rng), c = Int.random(in: 1...8, using: &rng)
            p.depth = h * c
            p.inputShape = [Int.random(in: 1...2, using: &rng), h, c]
            p.keepDims = false
        }
        p.activation = [0, 1, 2, 3].randomElement(using: &rng)!
        p.perChannel = Bool.random(using: &rng)
        p.hasBias = Int.random(in: 0..<4, using: &rng) != 0
        p.weightZero = p.perChannel || Bool.random(using: &rng) ? 0 : Int64.random(in: -20...20, using: &rng)
        p.inScale = Float.random(in: 0.004...0.05, using: &rng)
        p.inZero = Int32.random(in: -128...127, using: &rng)
        p.outZero = Int32.random(in: -20...20, using: &rng)
        p.filterScales = (0..<(p.perChannel ? p.units : 1)).map { _ in Float.random(in: 0.002...0.02, using: &rng) }
        p.outScale = p.inScale * 0.01 * Float(p.depth).squareRoot() * Float.random(in: 100...300, using: &rng)
        p.input = rng.int8s(p.inputShape.reduce(1, *))
        p.filter = rng.int8s(p.units * p.depth, -107...107)
        p.bias = (0..<p.units).map { _ in Int32.random(in: -3000...3000, using: &rng) }
        return p
    }

    /// A problem for the optimized-versus-reference comparison: long rows (the one-unit-at-a-
    /// time form), several rows (the two-row form), filter zero points, extreme biases.
    static func wide(_ rng: inout SeededRandom) -> FullyConnectedProblem {
        var p = FullyConnectedProblem()
        p.depth = [Int.random(in: 1...40, using: &rng), Int.random(in: 200...700, using: &rng), 2304].randomElement(using: &rng)!
        p.units = Int.random(in: 1...40, using: &rng)
        p.inputShape = [Int.random(in: 1...5, using: &rng), p.depth]
        p.keepDims = Bool.random(using: &rng)
        p.activation = [0, 1, 2, 3].randomElement(using: &rng)!
        p.perChannel = Bool.random(using: &rng)
        p.hasBias = Int.random(in: 0..<5, using: &rng) != 0
        p.weightZero = p.perChannel || Bool.random(using: &rng) ? 0 : Int64.random(in: -128...127, using: &rng)
        p.inScale = Float.random(in: 0.002...0.1, using: &rng)
        p.inZero = [-128, 127, Int32.random(in: -128...127, using: &rng)].randomElement(using: &rng)!
        p.outZero = Int32.random(in: -128...127, using: &rng)
        p.filterScales = (0..<(p.perChannel ? p.units : 1)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
        let spread = Int.random(in: 0..<8, using: &rng) == 0 ? Float.random(in: 0.001...0.05, using: &rng) : Float.random(in: 50...400, using: &rng)
        p.outScale = p.inScale * 0.01 * Float(p.depth).squareRoot() * spread
        p.input = rng.int8s(p.inputShape.reduce(1, *))
        p.filter = rng.int8s(p.units * p.depth)
        let huge = Int.random(in: 0..<6, using: &rng) == 0
        p.bias = (0..<p.units).map { _ in huge ? Int32.random(in: Int32.min...Int32.max, using: &rng) : Int32.random(in: -100_000...100_000, using: &rng) }
        return p
    }

    var outputShape: [Int] { keepDims ? Array(inputShape.dropLast()) + [units] : [rows, units] }

    func scale(_ n: Int) -> Float { filterScales[perChannel ? n : 0] }

    var model: TinyModel {
        var tensors = [
            TinyModel.Tensor(shape: inputShape, scales: [inScale], zeroPoints: [Int64(inZero)]),
            TinyModel.Tensor(shape: [units, depth], data: filter.bytes, scales: filterScales,
                             zeroPoints: perChannel ? [Int64](repeating: 0, count: units) : [weightZero]),
            TinyModel.Tensor(shape: outputShape, scales: [outScale], zeroPoints: [Int64(outZero)]),
        ]
        var inputs: [Int32] = [0, 1, -1]
        if hasBias {
            tensors.append(TinyModel.Tensor(shape: [units], type: .int32, data: bias.bytes,
                                            scales: perChannel ? (0..<units).map { inScale * scale($0) } : [inScale * scale(0)],
                                            zeroPoints: perChannel ? [Int64](repeating: 0, count: units) : [0]))
            inputs[2] = 3
        }
        return TinyModel(tensors: tensors, builtin: BuiltinOperator.fullyConnected, version: hasBias ? (keepDims ? 5 : 4) : 6,
                         inputs: inputs, outputs: [2], optionsType: BuiltinOptionsType.fullyConnected,
                         options: [(0, .i8(activation)), (1, .i8(0)), (2, .u8(keepDims ? 1 : 0))])
    }

    func expected() -> [Int8] {
        let range = RefMath.activationRange(activation, scale: outScale, zeroPoint: outZero)
        var out: [Int8] = []
        for r in 0..<rows { for n in 0..<units {
            var acc: Int64 = hasBias ? Int64(bias[n]) : 0
            for k in 0..<depth {
                acc += (Int64(filter[n * depth + k]) - weightZero) * (Int64(input[r * depth + k]) - Int64(inZero))
            }
            let real = Double(inScale) * Double(scale(n)) / Double(outScale)
            out.append(RefMath.output(acc, real: real, outZero: outZero, range: range, single: true))
        } }
        return out
    }
}

final class FullyConnectedTests: XCTestCase {
    /// input - zp = [1, 2, 3], weights [[1, 1, 1], [2, 0, -1]], bias [4, -1]:
    /// acc = 6 + 4 = 10 and (2 - 3) - 1 = -2; real multiplier 0.25 → 2.5 and -0.5, which single
    /// rounding (half up) makes 3 and 0 (double rounding would give 3 and -1); zero point -5.
    func testHandWorkedSingleRounding() throws {
        let model = TinyModel(
            tensors: [
                .init(shape: [1, 3], scales: [1], zeroPoints: [-1]),
                .init(shape: [2, 3], data: [Int8(1), 1, 1, 2, 0, -1].bytes, scales: [0.5], zeroPoints: [0]),
                .init(shape: [1, 2], scales: [2], zeroPoints: [-5]),
                .init(shape: [2], type: .int32, data: [Int32(4), -1].bytes, scales: [0.5], zeroPoints: [0]),
            ],
            builtin: BuiltinOperator.fullyConnected, version: 4, inputs: [0, 1, 3], outputs: [2],
            optionsType: BuiltinOptionsType.fullyConnected, options: [(0, .i8(0))])
        let x: [Int8] = [0, 1, 2]
        let out = try OpHarness.run(FullyConnectedKernel.self, model: model.serialize(), data: [0: x.bytes])
        XCTAssertEqual(out, [Int8(-2), -5].bytes)
    }

    /// Both memory policies: `.fast` runs the optimized routine, `.compact` the reference one.
    func testRandomFullyConnectedMatchesInt64Recomputation() throws {
        var rng = SeededRandom(0xFC)
        for trial in 0..<400 {
            let p = FullyConnectedProblem.random(&rng)
            let policy: Interpreter.MemoryPolicy = trial % 2 == 0 ? .fast : .compact
            let out = try OpHarness.run(FullyConnectedKernel.self, model: p.model.serialize(), data: [0: p.input.bytes], policy: policy)
            XCTAssertEqual(out, p.expected().bytes, "\(policy) " + "trial \(trial): \(p.inputShape) x [\(p.units), \(p.depth)] perChannel \(p.perChannel) wzp \(p.weightZero)")
        }
    }

    /// The optimized routine (the kernel's eval) gives the bytes of
    /// `FullyConnectedReference.run` on the same prepared parameters.
    func testOptimizedFullyConnectedEqualsReferenceRoutine() throws {
        var rng = SeededRandom(0xFCFC)
        for trial in 0..<300 {
            let p = FullyConnectedProblem.wide(&rng)
            let (fast, slow) = try OpHarness.runBoth(FullyConnectedKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                XCTAssertTrue(params.optimized)
                FullyConnectedReference.run(params.shape, params.requantization, weightsOffset: params.weightsOffset,
                                            input: ctx.input(0, as: Int8.self), filter: ctx.input(1, as: Int8.self),
                                            bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self), output: ctx.output(0, as: Int8.self))
            }
            XCTAssertEqual(fast, slow, "trial \(trial): \(p.inputShape) x [\(p.units), \(p.depth)] perChannel \(p.perChannel) wzp \(p.weightZero)")
        }
    }

    func testFixtureFullyConnectedMatchTFLite() throws {
        for policy in [Interpreter.MemoryPolicy.fast, .compact] {
            let (checked, failures) = try OpHarness.fixtureOps(FullyConnectedKernel.self, builtin: "FULLY_CONNECTED", policy: policy)
            XCTAssertGreaterThan(checked, 15)
            XCTAssertEqual(failures, [])
        }
    }

    func testMissingOptionsMeanDefaults() throws {
        var rng = SeededRandom(21)
        var p = FullyConnectedProblem.random(&rng)
        p.activation = 0
        p.keepDims = false
        var m = p.model
        m.optionsType = 0
        let out = try OpHarness.run(FullyConnectedKernel.self, model: m.serialize(), data: [0: p.input.bytes])
        XCTAssertEqual(out, p.expected().bytes)
    }

    func testPrepareRejectsWhatItDoesNotImplement() {
        var base = FullyConnectedProblem()
        var rng = SeededRandom(9)
        base.filterScales = [0.01, 0.02, 0.03]
        base.input = rng.int8s(12)
        base.filter = rng.int8s(18)
        base.bias = [5, 6, 7]
        func rejected(_ edit: (inout TinyModel) -> Void) -> MoteError.Kind? {
            var m = base.model
            edit(&m)
            return OpHarness.rejection(FullyConnectedKernel.self, m)
        }
        XCTAssertNil(rejected { _ in })
        XCTAssertEqual(rejected { $0.version = 7 }, .unsupportedOperator)
        XCTAssertEqual(rejected { $0.options[1] = (1, .i8(1)) }, .unsupportedOperator)
        XCTAssertEqual(rejected { $0.options.append((4, .u8(TensorType.int64.rawValue))) }, .unsupportedOperator)
        XCTAssertEqual(rejected { $0.tensors[0].type = .int16; $0.tensors[2].type = .int16 }, .typeMismatch)
        XCTAssertEqual(rejected { $0.tensors[2].type = .int16 }, .typeMismatch)
        XCTAssertEqual(rejected { $0.tensors[0].shape = [13] }, .shapeMismatch)        // not a multiple of 6
        XCTAssertEqual(rejected { $0.tensors[2].shape = [2, 4] }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[2].shape = [6] }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[1].shape = [3, 6, 1] }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[1].zeroPoints[0] = 2 }, .invalidQuantization)  // per-channel weights are symmetric
        XCTAssertEqual(rejected { $0.tensors[1].quantizedDimension = 1 }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[3].scales[2] *= 40 }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.options[0] = (0, .i8(4)) }, .invalidOptions)
        XCTAssertEqual(rejected { $0.optionsType = BuiltinOptionsType.conv2D }, .invalidOptions)
        // keep_num_dims keeps [2, 6] -> [2, 3]; a [12] input cannot keep its dimensions.
        XCTAssertNil(rejected { $0.options[2] = (2, .u8(1)) })
        XCTAssertEqual(rejected { $0.options[2] = (2, .u8(1)); $0.tensors[0].shape = [12] }, .shapeMismatch)
        // A requantization scale of 2^30 or more cannot be represented.
        XCTAssertEqual(rejected { $0.tensors[2].scales = [1e-12] }, .invalidQuantization)
    }
}
