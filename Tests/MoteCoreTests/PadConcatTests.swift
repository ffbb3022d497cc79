import XCTest
@testable import MoteCore
import MoteModel

/// PAD / PADV2 and CONCATENATION: hand-worked outputs, an index recomputation over many
/// shapes, one-operator models (paddings types, the pad value input, requantizing concat
/// inputs, validation), and every fixture occurrence run alone.
final class PadConcatTests: XCTestCase {
    func testPadHandWorked() {
        // [[1, 2, 3], [4, 5, 6]] padded by ((1, 0), (2, 1)) with 0.
        var plan = PadPlan(input: TensorShape(2, 3))
        plan.setPadding(0, before: 1, after: 0)
        plan.setPadding(1, before: 2, after: 1)
        XCTAssertTrue(plan.outputShape!.equals(TensorShape(3, 6)))
        let input: [Int32] = [1, 2, 3, 4, 5, 6]
        var out = [Int32](repeating: -1, count: 18)
        input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in plan.run(i.baseAddress!, padValue: 0, o.baseAddress!) } }
        XCTAssertEqual(out, [0, 0, 0, 0, 0, 0,
                             0, 0, 1, 2, 3, 0,
                             0, 0, 4, 5, 6, 0])
    }

    /// Every output element against the definition: inside the input box it is the input
    /// element at (output index - before), elsewhere the pad value.
    func testPadMatchesDefinitionOnManyShapes() {
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<60 {
            let rank = 1 + trial % 6
            let dims = (0..<rank).map { _ in Int.random(in: 1...3, using: &rng) }
            let before = (0..<rank).map { _ in Int.random(in: 0...2, using: &rng) }
            let after = (0..<rank).map { _ in Int.random(in: 0...2, using: &rng) }
            var shape = TensorShape(rank: 0)
            dims.forEach { shape.append($0) }
            var plan = PadPlan(input: shape)
            for d in 0..<rank { plan.setPadding(d, before: before[d], after: after[d]) }
            let outDims = (0..<rank).map { dims[$0] + before[$0] + after[$0] }
            let n = dims.reduce(1, *), m = outDims.reduce(1, *)
            let input = (0..<n).map { Int8(truncatingIfNeeded: $0 + 1) }
            var out = [Int8](repeating: 0, count: m)
            input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in plan.run(i.baseAddress!, padValue: -7, o.baseAddress!) } }
            for k in 0..<m {
                var rem = k, inside = true, src = 0
                var coord = [Int](repeating: 0, count: rank)
                for d in stride(from: rank - 1, through: 0, by: -1) { coord[d] = rem % outDims[d]; rem /= outDims[d] }
                for d in 0..<rank {
                    let c = coord[d] - before[d]
                    if c < 0 || c >= dims[d] { inside = false }
                    src = src * dims[d] + max(0, min(c, dims[d] - 1))
                }
                XCTAssertEqual(out[k], inside ? input[src] : -7, "dims \(dims) before \(before) after \(after) at \(k)")
            }
        }
    }

    func testPadAndPadV2Models() throws {
        let input = int8Bytes([1, 2, 3, 4])
        // PAD, int64 paddings, pad value = output zero point.
        var m = OneOpModel()
        var i = m.input([1, 2, 2, 1], .int8, input, scale: 0.1, zeroPoint: -5)
        var p = m.constant([4, 2], .int64, [0, 0, 1, 0, 0, 1, 0, 0].flatMap { (v: Int64) in (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } })
        XCTAssertEqual(int8s(try m.run(BuiltinOperator.pad, version: 4, inputs: [i, p], output: OneOpModel.out([1, 3, 3, 1], .int8, scale: 0.1, zeroPoint: -5))),
                       [-5, -5, -5, 1, 2, -5, 3, 4, -5])
        // PADV2 with a constant pad value of the output's quantization.
        m = OneOpModel()
        i = m.input([2, 2], .int8, input, scale: 0.1, zeroPoint: -5)
        p = m.constant([2, 2], .int32, int32Bytes([0, 1, 1, 0]))
        var v = m.constant([], .int8, int8Bytes([9]), scale: 0.1, zeroPoint: -5)
        XCTAssertEqual(int8s(try m.run(BuiltinOperator.padV2, version: 2, options: .padV2, inputs: [i, p, v], output: OneOpModel.out([3, 3], .int8, scale: 0.1, zeroPoint: -5))),
                       [9, 1, 2, 9, 3, 4, 9, 9, 9])
        // A pad value of other quantization, negative paddings and a wrong output shape are rejected.
        m = OneOpModel()
        i = m.input([2, 2], .int8, input, scale: 0.1, zeroPoint: -5)
        p = m.constant([2, 2], .int32, int32Bytes([0, 1, 1, 0]))
        v = m.constant([], .int8, int8Bytes([9]), scale: 0.2, zeroPoint: -5)
        XCTAssertEqual(m.failure(BuiltinOperator.padV2, options: .padV2, inputs: [i, p, v], output: OneOpModel.out([3, 3], .int8, scale: 0.1, zeroPoint: -5))?.kind, .invalidQuantization)
        m = OneOpModel()
        i = m.input([2, 2], .int8, input, scale: 0.1, zeroPoint: -5)
        p = m.constant([2, 2], .int32, int32Bytes([0, -1, 1, 0]))
        XCTAssertEqual(m.failure(BuiltinOperator.pad, inputs: [i, p], output: OneOpModel.out([1, 3], .int8, scale: 0.1, zeroPoint: -5))?.kind, .invalidOptions)
        m = OneOpModel()
        i = m.input([2, 2], .int8, input, scale: 0.1, zeroPoint: -5)
        p = m.constant([2, 2], .int32, int32Bytes([0, 1, 1, 0]))
        XCTAssertEqual(m.failure(BuiltinOperator.pad, inputs: [i, p], output: OneOpModel.out([3, 2], .int8, scale: 0.1, zeroPoint: -5))?.kind, .shapeMismatch)
        // Computed paddings are not supported (shapes are static).
        m = OneOpModel()
        i = m.input([2, 2], .int8, input, scale: 0.1, zeroPoint: -5)
        p = m.input([2, 2], .int32, int32Bytes([0, 1, 1, 0]))
        XCTAssertEqual(m.failure(BuiltinOperator.pad, inputs: [i, p], output: OneOpModel.out([3, 3], .int8, scale: 0.1, zeroPoint: -5))?.kind, .invalidBuffer)
    }

    // MARK: CONCATENATION

    func testConcatenationAlongEveryAxisIncludingNegative() throws {
        // a: [2, 2, 2] = 0..7, b: [2, 2, 1] or [2, 1, 2] or [1, 2, 2] = 100..103
        let a = int32Bytes((0..<8).map { Int32($0) }), b = int32Bytes([100, 101, 102, 103])
        let cases: [(Int, [Int], [Int], [Int32])] = [
            (0, [1, 2, 2], [3, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103]),
            (1, [2, 1, 2], [2, 3, 2], [0, 1, 2, 3, 100, 101, 4, 5, 6, 7, 102, 103]),
            (2, [2, 2, 1], [2, 2, 3], [0, 1, 100, 2, 3, 101, 4, 5, 102, 6, 7, 103]),
            (-1, [2, 2, 1], [2, 2, 3], [0, 1, 100, 2, 3, 101, 4, 5, 102, 6, 7, 103]),
            (-3, [1, 2, 2], [3, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103]),
        ]
        for (axis, bShape, outShape, expected) in cases {
            var m = OneOpModel()
            let i0 = m.input([2, 2, 2], .int32, a), i1 = m.constant(bShape, .int32, b)
            let got = try m.run(BuiltinOperator.concatenation, options: .concatenation(ConcatenationOptions(axis: axis)), inputs: [i0, i1],
                                output: OneOpModel.out(outShape, .int32))
            XCTAssertEqual(int32s(got), expected, "axis \(axis)")
        }
    }

    func testConcatenationInt8CopiesEqualAndRequantizesDifferentInputs() throws {
        // Three inputs: one with the output's quantization (copied), two requantized by the
        // QUANTIZE rule; the output is their concatenation along the last axis.
        let a = int8Bytes([-128, -1, 0, 127]), b = int8Bytes([-128, 0, 50, 127]), c = int8Bytes([10, -10])
        var m = OneOpModel()
        let i0 = m.input([2, 2], .int8, a, scale: 0.05, zeroPoint: 3)
        let i1 = m.input([2, 2], .int8, b, scale: 1.0 / 256, zeroPoint: -128)
        let i2 = m.constant([2, 1], .int8, c, scale: 0.2, zeroPoint: 0)
        let got = int8s(try m.run(BuiltinOperator.concatenation, version: 2, options: .concatenation(ConcatenationOptions(axis: 1)), inputs: [i0, i1, i2],
                                  output: OneOpModel.out([2, 5], .int8, scale: 0.05, zeroPoint: 3)))
        let q1 = Requantize.Params.quantize(inputScale: 1.0 / 256, inputZeroPoint: -128, outputScale: 0.05, outputZeroPoint: 3)
        let q2 = Requantize.Params.quantize(inputScale: 0.2, inputZeroPoint: 0, outputScale: 0.05, outputZeroPoint: 3)
        let r = { (x: UInt8, p: Requantize.Params) in Requantize.value(Int8(bitPattern: x), p) }
        XCTAssertEqual(got, [-128, -1, r(b[0], q1), r(b[1], q1), r(c[0], q2),
                             0, 127, r(b[2], q1), r(b[3], q1), r(c[1], q2)])
        // Hand-worked: 50 at (1/256, -128) is 0.69531; at 0.05 that is 13.906 -> 14 + 3 = 17.
        // 10 at 0.2 is 2.0 -> 40 + 3 = 43; -10 -> -37.
        XCTAssertEqual(got[7], 17)
        XCTAssertEqual(got[4], 43)
        XCTAssertEqual(got[9], -37)
    }

    func testConcatenationValidation() {
        var m = OneOpModel()
        var i0 = m.input([2, 2], .int32, int32Bytes([1, 2, 3, 4])), i1 = m.input([3, 2], .int32, int32Bytes([1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(m.failure(BuiltinOperator.concatenation, options: .concatenation(ConcatenationOptions(axis: 1)), inputs: [i0, i1],
                                 output: OneOpModel.out([2, 4], .int32))?.kind, .shapeMismatch)
        XCTAssertEqual(m.failure(BuiltinOperator.concatenation, options: .concatenation(ConcatenationOptions(axis: 2)), inputs: [i0, i1],
                                 output: OneOpModel.out([5, 2], .int32))?.kind, .invalidOptions)
        XCTAssertEqual(m.failure(BuiltinOperator.concatenation, options: .concatenation(ConcatenationOptions(axis: 0, fusedActivationFunction: .relu)),
                                 inputs: [i0, i1], output: OneOpModel.out([5, 2], .int32))?.kind, .invalidOptions)
        XCTAssertEqual(m.failure(BuiltinOperator.concatenation, options: .concatenation(ConcatenationOptions(axis: 0)), inputs: [i0, i1],
                                 output: OneOpModel.out([5, 3], .int32))?.kind, .shapeMismatch)
        m = OneOpModel()
        i0 = m.input([2], .int32, int32Bytes([1, 2]))
        i1 = m.input([2], .int8, [1, 2], scale: 0.1)
        XCTAssertEqual(m.failure(BuiltinOperator.concatenation, options: .concatenation(ConcatenationOptions(axis: 0)), inputs: [i0, i1],
                                 output: OneOpModel.out([4], .int32))?.kind, .typeMismatch)
    }

    func testFixturePadAndConcatenationMatchReference() throws {
        let checked = try OpFixtureHarness.checkAll(opNames: ["PAD", "PADV2", "CONCATENATION"])
        XCTAssertGreaterThanOrEqual(checked, 3)
    }
}
