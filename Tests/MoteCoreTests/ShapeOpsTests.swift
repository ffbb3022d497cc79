import XCTest
@testable import MoteCore
import MoteModel

/// RESHAPE, SHAPE, STRIDED_SLICE, PACK: hand-worked slices (numpy semantics, which TFLite's
/// follow) through one-operator models, prepare's shape validation, and every fixture
/// occurrence run alone on the saved intermediates.
final class ShapeOpsTests: XCTestCase {
    /// x = arange(24).reshape(2, 3, 4) as int32.
    let x = int32Bytes((0..<24).map { Int32($0) })

    func slice(_ begin: [Int32], _ end: [Int32], _ strides: [Int32], _ options: StridedSliceOptions, output shape: [Int],
               input: [UInt8]? = nil, inputShape: [Int] = [2, 3, 4], runtimeBegin: Bool = false) throws -> [Int32] {
        var m = OneOpModel()
        let i = m.input(inputShape, .int32, input ?? x)
        let n = begin.count
        let b = runtimeBegin ? m.input([n], .int32, int32Bytes(begin)) : m.constant([n], .int32, int32Bytes(begin))
        let e = m.constant([n], .int32, int32Bytes(end)), s = m.constant([n], .int32, int32Bytes(strides))
        let o = m.tensor(shape, .int32)
        return int32s(try m.run(BuiltinOperator.stridedSlice, options: .stridedSlice(options), inputs: [i, b, e, s], output: o))
    }

    func testStridedSliceBasicAndStrided() throws {
        // x[0:2, 1:3, 0:4:2]
        XCTAssertEqual(try slice([0, 1, 0], [2, 3, 4], [1, 1, 2], StridedSliceOptions(), output: [2, 2, 2]), [4, 6, 8, 10, 16, 18, 20, 22])
    }

    func testStridedSliceNegativeStridesWithMasksAndShrink() throws {
        // x[1, ::-1, ::-2]
        let o = StridedSliceOptions(beginMask: 0b110, endMask: 0b110, shrinkAxisMask: 0b001)
        XCTAssertEqual(try slice([1, 0, 0], [2, 0, 0], [1, -1, -2], o, output: [3, 2]), [23, 21, 19, 17, 15, 13])
        // x[1, 2:0:-1, -1:-5:-3] = rows 2, 1; columns 3, 0
        XCTAssertEqual(try slice([1, 2, -1], [2, 0, -5], [1, -1, -3], StridedSliceOptions(shrinkAxisMask: 1), output: [2, 2]), [23, 20, 19, 16])
    }

    func testStridedSliceClampsOutOfRangeIndices() throws {
        // x[-10:10, 1:100, 2:-1] = x[0:2, 1:3, 2:3]
        XCTAssertEqual(try slice([-10, 1, 2], [10, 100, -1], [1, 1, 1], StridedSliceOptions(), output: [2, 2, 1]), [6, 10, 18, 22])
        // Negative stride clamps to [-1, n-1]: x[0, 10:-10:-1, 0] = rows 2, 1, 0
        XCTAssertEqual(try slice([0, 10, 0], [1, -10, 1], [1, -1, 1], StridedSliceOptions(shrinkAxisMask: 0b101), output: [3]), [8, 4, 0])
    }

    func testStridedSliceEllipsisAndNewAxis() throws {
        // x[..., 1]
        XCTAssertEqual(try slice([0, 1], [0, 2], [1, 1], StridedSliceOptions(ellipsisMask: 1, shrinkAxisMask: 0b10), output: [2, 3]),
                       [1, 5, 9, 13, 17, 21])
        // x[:, None, 0]
        XCTAssertEqual(try slice([0, 0, 0], [0, 0, 1], [1, 1, 1], StridedSliceOptions(beginMask: 1, endMask: 1, newAxisMask: 0b10, shrinkAxisMask: 0b100),
                                 output: [2, 1, 4]), [0, 1, 2, 3, 12, 13, 14, 15])
        // x[1:] with fewer begin entries than dimensions: the rest is full range.
        XCTAssertEqual(try slice([1], [2], [1], StridedSliceOptions(), output: [1, 3, 4]), (12..<24).map { Int32($0) })
    }

    func testStridedSliceOffsetMeansEndIsASize() throws {
        // begin [0, 1, 1], sizes [2, 2, 2]
        XCTAssertEqual(try slice([0, 1, 1], [2, 2, 2], [1, 1, 1], StridedSliceOptions(offset: true), output: [2, 2, 2]), [5, 6, 9, 10, 17, 18, 21, 22])
    }

    func testStridedSliceShapeArithmeticAsInTheFixtures() throws {
        // SHAPE -> STRIDED_SLICE(shrink 1) -> scalar batch size; also a negative shrink index.
        let shape = int32Bytes([1, 6, 6, 16])
        XCTAssertEqual(try slice([0], [1], [1], StridedSliceOptions(shrinkAxisMask: 1), output: [], input: shape, inputShape: [4]), [1])
        XCTAssertEqual(try slice([-1], [0], [1], StridedSliceOptions(shrinkAxisMask: 1), output: [], input: shape, inputShape: [4]), [16])
    }

    func testStridedSliceReadsComputedBeginAtEval() throws {
        XCTAssertEqual(try slice([0, 1, 0], [2, 3, 4], [1, 1, 2], StridedSliceOptions(), output: [2, 2, 2], runtimeBegin: true),
                       [4, 6, 8, 10, 16, 18, 20, 22])
    }

    func testStridedSliceInt8() throws {
        var m = OneOpModel()
        let i = m.input([2, 5], .int8, int8Bytes([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4]), scale: 0.1, zeroPoint: 0)
        let b = m.constant([2], .int32, int32Bytes([0, 4])), e = m.constant([2], .int32, int32Bytes([2, 0])), s = m.constant([2], .int32, int32Bytes([1, -2]))
        let o = m.tensor([2, 2], .int8, scale: 0.1, zeroPoint: 0)
        XCTAssertEqual(int8s(try m.run(BuiltinOperator.stridedSlice, version: 2, options: .stridedSlice(StridedSliceOptions()), inputs: [i, b, e, s], output: o)),
                       [-1, -3, 4, 2])
    }

    func testStridedSlicePrepareRejectsInconsistencies() {
        func failure(_ begin: [Int32], _ end: [Int32], _ strides: [Int32], _ options: StridedSliceOptions, output: [Int]) -> MoteError? {
            var m = OneOpModel()
            let i = m.input([2, 3, 4], .int32, x)
            let b = m.constant([begin.count], .int32, int32Bytes(begin)), e = m.constant([end.count], .int32, int32Bytes(end))
            let s = m.constant([strides.count], .int32, int32Bytes(strides))
            return m.failure(BuiltinOperator.stridedSlice, options: .stridedSlice(options), inputs: [i, b, e, s], output: OneOpModel.out(output, .int32))
        }
        XCTAssertEqual(failure([0, 1, 0], [2, 3, 4], [1, 1, 2], StridedSliceOptions(), output: [2, 2, 3])?.kind, .shapeMismatch)
        XCTAssertEqual(failure([0, 1, 0], [2, 3, 4], [1, 0, 2], StridedSliceOptions(), output: [2, 2, 2])?.kind, .invalidOptions)
        XCTAssertEqual(failure([0, 1], [2, 3, 4], [1, 1, 2], StridedSliceOptions(), output: [2, 2, 2])?.kind, .shapeMismatch)
        // Shrinking an axis at an index past its end selects nothing.
        XCTAssertEqual(failure([0, 5, 0], [1, 6, 4], [1, 1, 1], StridedSliceOptions(shrinkAxisMask: 0b011), output: [4])?.kind, .invalidOptions)
    }

    func testStridedSliceCountAndClampRules() {
        XCTAssertEqual(StridedSlicePlan.count(start: 0, stop: 5, stride: 2), 3)
        XCTAssertEqual(StridedSlicePlan.count(start: 4, stop: -1, stride: -2), 3)
        XCTAssertEqual(StridedSlicePlan.count(start: 3, stop: 3, stride: 1), 0)
        XCTAssertEqual(StridedSlicePlan.count(start: 3, stop: 5, stride: -1), 0)
        XCTAssertEqual(StridedSlicePlan.count(start: 5, stop: 0, stride: Int32.min), 1)
        XCTAssertEqual(StridedSlicePlan.count(start: 0, stop: 7, stride: Int32.max), 1)
    }

    // MARK: RESHAPE

    func testReshapeResolvesStretchDimension() {
        XCTAssertTrue(ReshapeKernel.resolve(TensorShape(-1, 576), elementCount: 576)!.equals(TensorShape(1, 576)))
        XCTAssertTrue(ReshapeKernel.resolve(TensorShape(2, -1, 3), elementCount: 24)!.equals(TensorShape(2, 4, 3)))
        XCTAssertTrue(ReshapeKernel.resolve(TensorShape(0, -1), elementCount: 0)!.equals(TensorShape(0, 0)))
        XCTAssertNil(ReshapeKernel.resolve(TensorShape(-1, -1), elementCount: 4))
        XCTAssertNil(ReshapeKernel.resolve(TensorShape(5, -1), elementCount: 24))
        XCTAssertNil(ReshapeKernel.resolve(TensorShape(-2, 12), elementCount: 24))
        XCTAssertNil(ReshapeKernel.resolve(TensorShape(0, -1), elementCount: 3))
    }

    func testReshapeFromConstantShapeOptionsAndComputedShape() throws {
        let data = int8Bytes((0..<24).map { Int8($0) })
        // Constant shape input with -1.
        var m = OneOpModel()
        var i = m.input([1, 2, 3, 4], .int8, data, scale: 0.5)
        var s = m.constant([2], .int32, int32Bytes([-1, 12]))
        XCTAssertEqual(try m.run(BuiltinOperator.reshape, inputs: [i, s], output: OneOpModel.out([2, 12], .int8, scale: 0.5)), data)
        // ReshapeOptions.new_shape, no shape input.
        m = OneOpModel()
        i = m.input([1, 2, 3, 4], .int8, data, scale: 0.5)
        XCTAssertEqual(try m.run(BuiltinOperator.reshape, options: .reshape(ReshapeOptions(newShape: [6, -1])), inputs: [i],
                                 output: OneOpModel.out([6, 4], .int8, scale: 0.5)), data)
        // A computed shape tensor: only its length is checked, the data is copied.
        m = OneOpModel()
        i = m.input([1, 2, 3, 4], .int8, data, scale: 0.5)
        s = m.input([2], .int32, int32Bytes([1, 24]))
        XCTAssertEqual(try m.run(BuiltinOperator.reshape, inputs: [i, s], output: OneOpModel.out([1, 24], .int8, scale: 0.5)), data)
        // A declared output shape other than the new shape is rejected.
        m = OneOpModel()
        i = m.input([1, 2, 3, 4], .int8, data, scale: 0.5)
        s = m.constant([2], .int32, int32Bytes([-1, 12]))
        XCTAssertEqual(m.failure(BuiltinOperator.reshape, inputs: [i, s], output: OneOpModel.out([12, 2], .int8, scale: 0.5))?.kind, .shapeMismatch)
        m = OneOpModel()
        i = m.input([1, 2, 3, 4], .int8, data, scale: 0.5)
        s = m.input([3], .int32, int32Bytes([1, 24, 1]))
        XCTAssertEqual(m.failure(BuiltinOperator.reshape, inputs: [i, s], output: OneOpModel.out([1, 24], .int8, scale: 0.5))?.kind, .shapeMismatch)
    }

    func testReshapeCopiesWhenNotAliased() throws {
        // A constant input is never aliased: eval must copy it.
        var m = OneOpModel()
        let c = m.constant([2, 2], .int32, int32Bytes([7, 8, 9, 10]))
        let s = m.constant([1], .int32, int32Bytes([4]))
        XCTAssertEqual(int32s(try m.run(BuiltinOperator.reshape, inputs: [c, s], output: OneOpModel.out([4], .int32))), [7, 8, 9, 10])
    }

    // MARK: SHAPE

    func testShapeWritesInt32AndInt64Dimensions() throws {
        var m = OneOpModel()
        var i = m.input([1, 6, 6, 16], .int8, [UInt8](repeating: 0, count: 576), scale: 1)
        XCTAssertEqual(int32s(try m.run(BuiltinOperator.shape, options: .shape(ShapeOptions(outType: .int32)), inputs: [i], output: OneOpModel.out([4], .int32))),
                       [1, 6, 6, 16])
        m = OneOpModel()
        i = m.input([3, 5], .int32, [UInt8](repeating: 0, count: 60))
        let bytes = try m.run(BuiltinOperator.shape, options: .shape(ShapeOptions(outType: .int64)), inputs: [i], output: OneOpModel.out([2], .int64))
        XCTAssertEqual(bytes, [3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0])
        m = OneOpModel()
        i = m.input([3, 5], .int32, [UInt8](repeating: 0, count: 60))
        XCTAssertEqual(m.failure(BuiltinOperator.shape, options: .shape(ShapeOptions(outType: .int64)), inputs: [i], output: OneOpModel.out([2], .int32))?.kind, .typeMismatch)
        m = OneOpModel()
        i = m.input([3, 5], .int32, [UInt8](repeating: 0, count: 60))
        XCTAssertEqual(m.failure(BuiltinOperator.shape, options: .shape(ShapeOptions(outType: .int32)), inputs: [i], output: OneOpModel.out([3], .int32))?.kind, .shapeMismatch)
    }

    // MARK: PACK

    func testPackStacksAlongEveryAxis() throws {
        // Two [2, 3] int32 tensors a = 0..5, b = 10..15.
        let a = int32Bytes([0, 1, 2, 3, 4, 5]), b = int32Bytes([10, 11, 12, 13, 14, 15])
        let expected: [Int: ([Int], [Int32])] = [
            0: ([2, 2, 3], [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]),
            1: ([2, 2, 3], [0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15]),
            2: ([2, 3, 2], [0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]),
            -1: ([2, 3, 2], [0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]),
        ]
        for (axis, (shape, values)) in expected {
            var m = OneOpModel()
            let i0 = m.input([2, 3], .int32, a), i1 = m.constant([2, 3], .int32, b)
            let got = try m.run(BuiltinOperator.pack, options: .pack(PackOptions(valuesCount: 2, axis: axis)), inputs: [i0, i1], output: OneOpModel.out(shape, .int32))
            XCTAssertEqual(int32s(got), values, "axis \(axis)")
        }
    }

    func testPackScalarsAndQuantizationRule() throws {
        var m = OneOpModel()
        let s0 = m.input([], .int32, int32Bytes([1])), s1 = m.constant([], .int32, int32Bytes([-1]))
        XCTAssertEqual(int32s(try m.run(BuiltinOperator.pack, options: .pack(PackOptions(valuesCount: 2)), inputs: [s0, s1], output: OneOpModel.out([2], .int32))), [1, -1])
        // int8 inputs must share the output's quantization.
        m = OneOpModel()
        let q0 = m.input([2], .int8, [1, 2], scale: 0.5, zeroPoint: 1), q1 = m.input([2], .int8, [3, 4], scale: 0.25, zeroPoint: 1)
        XCTAssertEqual(m.failure(BuiltinOperator.pack, options: .pack(PackOptions(valuesCount: 2)), inputs: [q0, q1],
                                 output: OneOpModel.out([2, 2], .int8, scale: 0.5, zeroPoint: 1))?.kind, .invalidQuantization)
        m = OneOpModel()
        let r0 = m.input([2], .int8, [1, 2], scale: 0.5, zeroPoint: 1), r1 = m.input([2], .int8, [3, 4], scale: 0.5, zeroPoint: 1)
        XCTAssertEqual(try m.run(BuiltinOperator.pack, version: 2, options: .pack(PackOptions(valuesCount: 2, axis: 1)), inputs: [r0, r1],
                                 output: OneOpModel.out([2, 2], .int8, scale: 0.5, zeroPoint: 1)), [1, 3, 2, 4])
        // values_count must match the inputs.
        m = OneOpModel()
        let t0 = m.input([2], .int32, int32Bytes([1, 2]))
        XCTAssertEqual(m.failure(BuiltinOperator.pack, options: .pack(PackOptions(valuesCount: 2)), inputs: [t0], output: OneOpModel.out([2, 2], .int32))?.kind, .invalidArgument)
    }

    // MARK: fixtures

    func testFixtureShapeOpsMatchReference() throws {
        let checked = try OpFixtureHarness.checkAll(opNames: ["RESHAPE", "SHAPE", "STRIDED_SLICE", "PACK"])
        XCTAssertGreaterThanOrEqual(checked, 15)
    }
}
