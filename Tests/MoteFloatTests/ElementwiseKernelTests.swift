import Foundation
import XCTest
@testable import MoteFloat

/// Broadcasting binary ops, softmax, reductions, pad, concatenation, strided slice and the
/// activations against float64 recomputations and hand-worked examples.
final class ElementwiseKernelTests: XCTestCase {
    /// Row-major index → multi-index of `shape`.
    private func unravel(_ i: Int, _ shape: [Int]) -> [Int] {
        var rest = i
        var index = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        return index
    }

    /// Multi-index → row-major offset, broadcasting dimensions of size 1 (right-aligned).
    private func offset(_ index: [Int], _ shape: [Int]) -> Int {
        let lead = index.count - shape.count
        var o = 0
        for d in 0..<shape.count { o = o * shape[d] + (shape[d] == 1 ? 0 : index[lead + d]) }
        return o
    }

    func testBroadcastingAgainstFloat64() {
        var rng = TestRandom(seed: 6)
        let cases: [([Int], [Int], [Int])] = [
            ([2, 1, 3, 1], [1, 4, 1, 5], [2, 4, 3, 5]),
            ([1, 12, 12, 12], [1, 1, 1, 12], [1, 12, 12, 12]),   // the squeeze-excite MUL
            ([2, 3, 4, 5, 6, 2], [6, 1], [2, 3, 4, 5, 6, 2]),    // rank 6 against rank 2
            ([3, 4], [], [3, 4]),                                // scalar
            ([5], [3, 1], [3, 5]),
            ([2, 3], [2, 3], [2, 3]),
        ]
        let ops: [(ElementwiseBinary.Operation, (Double, Double) -> Double)] = [
            (.add, { $0 + $1 }), (.subtract, { $0 - $1 }), (.multiply, { $0 * $1 }),
            (.maximum, { max($0, $1) }), (.minimum, { min($0, $1) }), (.divide, { $0 / $1 }),
            (.prelu, { $0 >= 0 ? $0 : $0 * $1 }),
        ]
        for (sa, sb, expectedShape) in cases {
            let a = rng.array(sa.reduce(1, *)), b = rng.array(sb.reduce(1, *)).map { $0 == 0 ? 0.5 : $0 }
            for (op, f) in ops {
                for activation in [ActivationRange.none, .relu] {
                    let p = ElementwiseBinary.Parameters(op, shapeA: sa, shapeB: sb, activation: activation)!
                    XCTAssertEqual(p.outputShape, expectedShape)
                    var y = [Float](repeating: .nan, count: p.outputCount)
                    ElementwiseBinary.forward(p, a: a, b: b, output: &y)
                    let expected = (0..<p.outputCount).map { i -> Double in
                        let index = unravel(i, expectedShape)
                        let v = f(Double(a[offset(index, sa)]), Double(b[offset(index, sb)]))
                        return activation.isIdentity ? v : max(v, 0)
                    }
                    let tolerance = op == .divide ? 1e-3 : 1e-6
                    XCTAssertLessThan(maxAbsDifference(y, expected), tolerance, "\(op) \(sa) \(sb) \(activation)")
                }
            }
        }
        XCTAssertNil(ElementwiseBinary.Parameters(.add, shapeA: [2, 3], shapeB: [3, 2]))
        XCTAssertNil(ElementwiseBinary.Parameters(.add, shapeA: [1, 1, 1, 1, 1, 1, 2], shapeB: [2]))
    }

    func testSoftmaxAgainstFloat64() {
        var rng = TestRandom(seed: 7)
        let rows = 4, depth = 10
        let x = rng.array(rows * depth).map { $0 * 20 }   // large logits: the max shift matters
        for beta: Float in [1, 0.5, 2.5] {
            var y = [Float](repeating: .nan, count: x.count)
            Softmax.forward(beta: beta, rows: rows, depth: depth, input: x, output: &y)
            var expected = [Double]()
            for r in 0..<rows {
                let row = x[(r * depth)..<((r + 1) * depth)].map { Double($0) * Double(beta) }
                let top = row.max()!
                let e = row.map { Foundation.exp($0 - top) }
                let sum = e.reduce(0, +)
                expected += e.map { $0 / sum }
            }
            XCTAssertLessThan(maxAbsDifference(y, expected), 1e-6, "beta \(beta)")
        }
    }

    func testReductionsAgainstFloat64() {
        var rng = TestRandom(seed: 8)
        for (shape, axes) in [([2, 5, 4, 3], [1, 2]), ([3, 80, 12], [1]), ([2, 3, 4], [0, 2]), ([6], [0]), ([2, 3], [])] {
            let x = rng.array(shape.reduce(1, *))
            let reduced = shape.indices.map { axes.contains($0) }
            let keptShape = shape.indices.filter { !reduced[$0] }.map { shape[$0] }
            var groups = [[Double]](repeating: [], count: keptShape.reduce(1, *))
            for i in 0..<x.count {
                let index = unravel(i, shape)
                groups[offset(shape.indices.filter { !reduced[$0] }.map { index[$0] }, keptShape)].append(Double(x[i]))
            }
            let expected: [(Reduce.Operation, [Double])] = [
                (.mean, groups.map { $0.reduce(0, +) / Double($0.count) }), (.sum, groups.map { $0.reduce(0, +) }),
                (.maximum, groups.map { $0.max()! }), (.minimum, groups.map { $0.min()! }),
            ]
            for (operation, values) in expected {
                let p = Reduce.Parameters(operation, inputShape: shape, reduced: reduced)!
                XCTAssertEqual(p.outputCount, values.count)
                var y = [Float](repeating: .nan, count: p.outputCount)
                var accumulator = [Double](repeating: .nan, count: p.outputCount)
                Reduce.forward(p, input: x, output: &y, accumulator: &accumulator)
                XCTAssertLessThan(maxAbsDifference(y, values), 1e-5, "\(operation) \(shape) \(axes)")
            }
        }
    }

    func testPadHandWorkedAndAgainstLoop() {
        // [[1, 2], [3, 4]] padded (1, 0) rows and (0, 2) columns with 9.
        let p = Pad.Parameters(inputShape: [2, 2], before: [1, 0], after: [0, 2])!
        XCTAssertEqual(p.outputShape, [3, 4])
        var y = [Float](repeating: .nan, count: 12)
        Pad.forward(p, value: 9, input: [1, 2, 3, 4], output: &y)
        XCTAssertEqual(y, [9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9])
        // 4-D asymmetric (ZeroPadding2D ((1,2),(2,1))) against an index loop.
        var rng = TestRandom(seed: 9)
        let shape = [1, 4, 3, 2], before = [0, 1, 2, 0], after = [0, 2, 1, 0]
        let x = rng.array(24)
        let q = Pad.Parameters(inputShape: shape, before: before, after: after)!
        var z = [Float](repeating: .nan, count: q.outputCount)
        Pad.forward(q, value: 0, input: x, output: &z)
        for i in 0..<q.outputCount {
            let index = unravel(i, q.outputShape)
            let inside = (0..<4).allSatisfy { index[$0] >= before[$0] && index[$0] < before[$0] + shape[$0] }
            let expected = inside ? x[offset((0..<4).map { index[$0] - before[$0] }, shape)] : 0
            XCTAssertEqual(z[i], expected, "at \(index)")
        }
    }

    func testConcatenationAlongMiddleAxis() {
        let a: [Float] = [1, 2, 3, 4]          // [2, 1, 2]
        let b: [Float] = [5, 6, 7, 8, 9, 10, 11, 12]  // [2, 2, 2]
        let p = Concatenation.Parameters(inputShapes: [[2, 1, 2], [2, 2, 2]], axis: 1)!
        XCTAssertEqual(Concatenation.Parameters.outputShape([[2, 1, 2], [2, 2, 2]], axis: 1), [2, 3, 2])
        var y = [Float](repeating: .nan, count: 12)
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            let table = [pa.baseAddress!, pb.baseAddress!]
            table.withUnsafeBufferPointer { Concatenation.forward(p, inputs: $0.baseAddress!, output: &y) }
        } }
        XCTAssertEqual(y, [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12])
        XCTAssertNil(Concatenation.Parameters(inputShapes: [[2, 1, 2], [3, 2, 2]], axis: 1))
    }

    func testStridedSliceHandWorked() {
        let x = (0..<24).map(Int32.init)   // [2, 3, 4]
        func slice(_ begin: [Int], _ end: [Int], _ strides: [Int], begin bm: Int = 0, end em: Int = 0, shrink: Int = 0) -> ([Int32], [Int]) {
            let p = StridedSlice.Parameters(inputShape: [2, 3, 4], begin: begin, end: end, strides: strides,
                                            beginMask: bm, endMask: em, shrinkAxisMask: shrink)!
            var y = [Int32](repeating: -1, count: p.outputCount)
            StridedSlice.forward(p, input: x, output: &y)
            return (y, p.outputShape)
        }
        // Keras Flatten's batch read: shape[0:1] with shrink -> a scalar.
        let shapeVector: [Int32] = [7, 6, 6, 16]
        let s = StridedSlice.Parameters(inputShape: [4], begin: [0], end: [1], strides: [1], beginMask: 0, endMask: 0, shrinkAxisMask: 1)!
        var scalar: [Int32] = [0]
        StridedSlice.forward(s, input: shapeVector, output: &scalar)
        XCTAssertEqual(scalar, [7]); XCTAssertEqual(s.outputShape, [])
        // x[1, 0:3:2, ::-1]
        var (y, shape) = slice([1, 0, 0], [2, 3, 0], [1, 2, -1], begin: 4, end: 4, shrink: 1)
        XCTAssertEqual(shape, [2, 4]); XCTAssertEqual(y, [15, 14, 13, 12, 23, 22, 21, 20])
        // Negative indices and clamping: x[:, -2:, 1:100]
        (y, shape) = slice([0, -2, 1], [0, 3, 100], [1, 1, 1], begin: 1, end: 1)
        XCTAssertEqual(shape, [2, 2, 3]); XCTAssertEqual(y, [5, 6, 7, 9, 10, 11, 17, 18, 19, 21, 22, 23])
        // Fewer spec entries than dimensions: the rest is taken whole.
        (y, shape) = slice([1], [2], [1])
        XCTAssertEqual(shape, [1, 3, 4]); XCTAssertEqual(y, Array(12..<24))
    }

    func testActivationsAgainstFloat64() {
        let x: [Float] = [-8, -3.5, -3, -1.5, -0.25, 0, 0.25, 1, 2.9, 3, 6.5, 40]
        var y = [Float](repeating: .nan, count: x.count)
        func check(_ expected: (Double) -> Double, _ name: String, tolerance: Double = 1e-6) {
            XCTAssertLessThan(maxAbsDifference(y, x.map { expected(Double($0)) }), tolerance, name)
        }
        Activations.logistic(input: x, output: &y, count: x.count); check({ 1 / (1 + Foundation.exp(-$0)) }, "logistic")
        Activations.tanh(input: x, output: &y, count: x.count); check({ Foundation.tanh($0) }, "tanh")
        Activations.hardSwish(input: x, output: &y, count: x.count); check({ $0 * min(max($0 + 3, 0), 6) / 6 }, "hard swish")
        Activations.leakyRelu(alpha: 0.2, input: x, output: &y, count: x.count); check({ $0 > 0 ? $0 : 0.2 * $0 }, "leaky relu")
        Activations.clamp(.relu6, input: x, output: &y, count: x.count); check({ min(max($0, 0), 6) }, "relu6")
        Activations.clamp(.reluN1To1, input: x, output: &y, count: x.count); check({ min(max($0, -1), 1) }, "relu_n1_to_1")
    }
}
