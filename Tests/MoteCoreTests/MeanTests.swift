import Foundation
import XCTest
@testable import MoteCore
import MoteModel

/// MEAN: the reference routine against an Int64 recomputation of TFLite's formula over a
/// brute-force reduction written here, hand-worked requantization, every fixture MEAN, and the
/// float mean of the dequantized input (within one output step).
final class MeanTests: XCTestCase {
    /// TFLite's integer formula, with the sum taken by brute force over multi-indices.
    static func expected(shape: [Int], reduced: Set<Int>, input: [Int8], inScale: Float, inZero: Int32,
                         outScale: Float, outZero: Int32) -> [Int8] {
        let (m, shift) = FixedPoint.quantizeMultiplier(Double(inScale) / Double(outScale))
        let keptDims = shape.indices.filter { !reduced.contains($0) }
        let outCount = keptDims.map { shape[$0] }.reduce(1, *)
        var sums = [Int64](repeating: 0, count: outCount)
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<input.count {
            var rest = flat
            for d in stride(from: shape.count - 1, through: 0, by: -1) { index[d] = rest % shape[d]; rest /= shape[d] }
            var o = 0
            for d in keptDims { o = o * shape[d] + index[d] }
            sums[o] += Int64(input[flat])
        }
        let n = reduced.map { shape[$0] }.reduce(1, *)
        var s = Int32(Int.bitWidth - 1 - n.leadingZeroBitCount)
        s = min(min(s, 32), 31 + shift)
        let m2 = Int32((Int64(m) << Int64(s)) / Int64(n))
        return sums.map { sum in
            let v = Int32(sum - Int64(inZero) * Int64(n))
            let r = FixedPoint.multiplyByQuantizedMultiplier(v, m2, shift - s) + outZero
            return Int8(min(max(r, -128), 127))
        }
    }

    static func run(shape: [Int], reduced: Set<Int>, axisCount: Int? = nil, input: [Int8], inScale: Float, inZero: Int32,
                    outScale: Float, outZero: Int32) -> [Int8] {
        var ts = TensorShape()
        for d in shape { ts.append(d) }
        var bits: UInt32 = 0
        for a in reduced { bits |= 1 << UInt32(a) }
        let (m, shift) = FixedPoint.quantizeMultiplier(Double(inScale) / Double(outScale))
        let p = MeanReference.Params(shape: ts, reduced: bits, axisCount: axisCount ?? reduced.count, multiplier: m, shift: shift,
                                     inputZeroPoint: inZero, outputZeroPoint: outZero)
        var out = [Int8](repeating: 99, count: max(p.outputCount, p.copiesInput ? input.count : 0))
        var acc = [Int32](repeating: 0, count: max(p.outputCount, 1))
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                acc.withUnsafeMutableBufferPointer { a in
                    MeanReference.int8(p, input: i.baseAddress ?? UnsafePointer(bitPattern: 16)!, output: o.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!,
                                       accumulator: a.baseAddress!)
                }
            }
        }
        return out
    }

    func testHandWorkedSameQuantization() {
        // Mean over the last axis of [[1, 2], [-3, -4], [5, 6]] with equal scales: the fold
        // s = 1, M' = M (= 2^30 for 1.0, shift 1 -> 0) halves with SRDHM's rounding, which
        // sends positive ties up and negative ties toward zero: 1.5 -> 2, -3.5 -> -3, 5.5 -> 6.
        let out = Self.run(shape: [3, 2], reduced: [1], input: [1, 2, -3, -4, 5, 6], inScale: 0.5, inZero: 0, outScale: 0.5, outZero: 0)
        XCTAssertEqual(out, [2, -3, 6])
        // With zero points: (10 + 14) / 2 - 4 = 8 on the input's integer axis, + 3.
        XCTAssertEqual(Self.run(shape: [2], reduced: [0], input: [10, 14], inScale: 1, inZero: 4, outScale: 1, outZero: 3), [11])
    }

    func testEmptyAxisListCopies() {
        let input: [Int8] = [5, -7, 100]
        XCTAssertEqual(Self.run(shape: [3], reduced: [], axisCount: 0, input: input, inScale: 1, inZero: 0, outScale: 0.25, outZero: 9), input)
    }

    func testRandomShapesAndAxesMatchRecomputation() {
        var rng = SplitMix64(seed: 40)
        for trial in 0..<300 {
            let rank = 1 + rng.below(5)
            let shape = (0..<rank).map { _ in 1 + rng.below(5) }
            var reduced = Set<Int>()
            for d in 0..<rank where rng.below(2) == 0 { reduced.insert(d) }
            if reduced.isEmpty { reduced.insert(rng.below(rank)) }
            let input = (0..<shape.reduce(1, *)).map { _ in Int8(truncatingIfNeeded: rng.next()) }
            let inScale = Float(0.001 + Double(rng.below(1000)) / 1000), outScale = Float(0.001 + Double(rng.below(1000)) / 2000)
            let inZero = Int32(rng.below(256) - 128), outZero = Int32(rng.below(256) - 128)
            XCTAssertEqual(Self.run(shape: shape, reduced: reduced, input: input, inScale: inScale, inZero: inZero, outScale: outScale, outZero: outZero),
                           Self.expected(shape: shape, reduced: reduced, input: input, inScale: inScale, inZero: inZero, outScale: outScale, outZero: outZero),
                           "trial \(trial) shape \(shape) axes \(reduced.sorted())")
        }
    }

    func testCloseToFloatMean() {
        var rng = SplitMix64(seed: 41)
        let shape = [1, 7, 9, 5], reduced: Set<Int> = [1, 2]
        let input = (0..<(7 * 9 * 5)).map { _ in Int8(truncatingIfNeeded: rng.next()) }
        let inScale: Float = 0.05, inZero: Int32 = -10, outScale: Float = 0.013, outZero: Int32 = 7
        let out = Self.run(shape: shape, reduced: reduced, input: input, inScale: inScale, inZero: inZero, outScale: outScale, outZero: outZero)
        for c in 0..<5 {
            var sum = 0.0
            for k in 0..<63 { sum += Double(Int(input[k * 5 + c]) - Int(inZero)) * Double(inScale) }
            let ideal = (sum / 63 / Double(outScale) + Double(outZero)).rounded()
            XCTAssertEqual(Double(out[c]), min(max(ideal, -128), 127), accuracy: 1, "channel \(c)")
        }
    }

    // MARK: - The kernel through the interpreter

    func testMeanKernelNegativeAndDuplicateAxesKeepDims() throws {
        // [2, 3] reduced over axis -1 (listed twice as -1 and 1): row means 2 and -3.
        var m = OneOpModel()
        let x = m.input([2, 3], .int8, int8Bytes([1, 2, 3, -2, -3, -4]), scale: 0.5, zeroPoint: 0)
        let axes = m.constant([2], .int32, int32Bytes([-1, 1]))
        let keep = try m.run(BuiltinOperator.mean, version: 2, options: .reducer(ReducerOptions(keepDims: true)), inputs: [x, axes],
                             output: OneOpModel.out([2, 1], .int8, scale: 0.5, zeroPoint: 0))
        XCTAssertEqual(int8s(keep), [2, -3])
        let drop = try m.run(BuiltinOperator.mean, version: 2, options: .reducer(ReducerOptions(keepDims: false)), inputs: [x, axes],
                             output: OneOpModel.out([2], .int8, scale: 0.25, zeroPoint: 1))
        XCTAssertEqual(int8s(drop), [5, -5])
        // A scalar axis tensor reducing axis 0: every column sums to -1 (mean -0.5 steps).
        let axis0 = m.constant([], .int32, int32Bytes([0]))
        let cols = try m.run(BuiltinOperator.mean, version: 2, options: .reducer(ReducerOptions(keepDims: false)), inputs: [x, axis0],
                             output: OneOpModel.out([3], .int8, scale: 0.5, zeroPoint: 0))
        XCTAssertEqual(int8s(cols), Self.expected(shape: [2, 3], reduced: [0], input: [1, 2, 3, -2, -3, -4], inScale: 0.5, inZero: 0, outScale: 0.5, outZero: 0))
    }

    func testMeanKernelRejectsInconsistentModels() {
        var m = OneOpModel()
        let x = m.input([1, 4, 4, 2], .int8, [UInt8](repeating: 0, count: 32), scale: 0.1, zeroPoint: 0)
        let axes = m.constant([2], .int32, int32Bytes([1, 2]))
        let out = OneOpModel.out([1, 2], .int8, scale: 0.1, zeroPoint: 0)
        XCTAssertNil(m.failure(BuiltinOperator.mean, version: 2, options: .reducer(ReducerOptions()), inputs: [x, axes], output: out))
        XCTAssertEqual(m.failure(BuiltinOperator.mean, version: 2, options: .reducer(ReducerOptions(keepDims: true)), inputs: [x, axes], output: out)?.kind, .shapeMismatch)
        let far = m.constant([1], .int32, int32Bytes([4]))
        XCTAssertEqual(m.failure(BuiltinOperator.mean, version: 2, options: .reducer(ReducerOptions()), inputs: [x, far],
                                 output: OneOpModel.out([1, 4, 4, 2], .int8, scale: 0.1, zeroPoint: 0))?.kind, .invalidOptions)
        let dynamic = m.input([2], .int32, int32Bytes([1, 2]))
        XCTAssertEqual(m.failure(BuiltinOperator.mean, version: 2, options: .reducer(ReducerOptions()), inputs: [x, dynamic], output: out)?.kind, .invalidBuffer)
        let wide = m.constant([2], .int64, [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(m.failure(BuiltinOperator.mean, version: 2, options: .reducer(ReducerOptions()), inputs: [x, wide], output: out)?.kind, .typeMismatch)
    }

    func testFixtureMeansOnSavedInputs() throws {
        var checked = 0
        for op in try FixtureOps.all(["MEAN"]) {
            let input = op.inputs[0], output = op.output
            // The fixtures reduce the spatial axes of NHWC maps, or axis 1 of [1, 80, 12].
            let reduced: Set<Int> = input.shape.count == 4 ? [1, 2] : [1]
            XCTAssertEqual(Self.run(shape: input.shape, reduced: reduced, input: input.values, inScale: input.scale, inZero: input.zeroPoint,
                                    outScale: output.scale, outZero: output.zeroPoint), output.values, op.label)
            checked += 1
        }
        XCTAssertEqual(checked, 4)
    }
}
