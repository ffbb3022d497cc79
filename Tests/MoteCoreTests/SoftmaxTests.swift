import Foundation
import XCTest
@testable import MoteCore
import MoteModel

/// SOFTMAX: TFLite's scaling parameters, bit-exact rows from an independent Python
/// transcription of `reference_ops::Softmax` (the one that reproduces every fixture SOFTMAX),
/// closeness to the float64 softmax, and every fixture SOFTMAX on its saved input.
final class SoftmaxTests: XCTestCase {
    static func run(_ rows: [[Int8]], scale: Float, beta: Float = 1) throws -> [[Int8]] {
        let depth = rows[0].count
        let p = try XCTUnwrap(SoftmaxReference.Params(beta: beta, inputScale: scale, rows: rows.count, depth: depth))
        let flat = rows.flatMap { $0 }
        var out = [Int8](repeating: 99, count: flat.count)
        flat.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in SoftmaxReference.int8(p, input: i.baseAddress!, output: o.baseAddress!) }
        }
        return stride(from: 0, to: out.count, by: depth).map { Array(out[$0..<($0 + depth)]) }
    }

    func testPreprocessSoftmaxScaling() throws {
        // beta * scale * 2^26 through QuantizeMultiplier; diff_min = -floor(31 * 2^26 / 2^shift).
        let cases: [(Float, Int32, Int32, Int32)] = [(0.1, 1717986944, 23, -248), (0.0361, 1240386560, 22, -496), (0.5, 1073741824, 26, -31)]
        for (scale, m, shift, diffMin) in cases {
            let p = try XCTUnwrap(SoftmaxReference.Params(beta: 1, inputScale: scale, rows: 1, depth: 1))
            XCTAssertEqual([p.multiplier, p.leftShift, p.diffMin], [m, shift, diffMin], "scale \(scale)")
        }
        // A huge beta caps the real multiplier at 2^31 - 1: shift 31, only the maximum counts.
        let big = try XCTUnwrap(SoftmaxReference.Params(beta: 1e6, inputScale: 1, rows: 1, depth: 1))
        XCTAssertEqual([big.multiplier, big.leftShift, big.diffMin], [Int32.max, 31, 0])
        // TFLite's QuantizeMultiplierGreaterThanOne aborts at or below 1: rejected here.
        XCTAssertNil(SoftmaxReference.Params(beta: 0, inputScale: 0.1, rows: 1, depth: 1))
        XCTAssertNil(SoftmaxReference.Params(beta: -1, inputScale: 0.1, rows: 1, depth: 1))
        XCTAssertNil(SoftmaxReference.Params(beta: 1, inputScale: 1.0 / 67108864, rows: 1, depth: 1))
    }

    func testBitExactRows() throws {
        let rows: [[Int8]] = [[-128, -100, 0, 5, 127], [10, 10, 10, 10], [-5, -128, -128], [127], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]
        let expected: [Float: [[Int8]]] = [
            0.1: [[-128, -128, -128, -128, 127], [-64, -64, -64, -64], [127, -128, -128], [127], [-112, -111, -109, -107, -105, -102, -99, -96, -93, -89]],
            0.0361: [[-128, -128, -125, -125, 122], [-64, -64, -64, -64], [122, -125, -125], [127], [-106, -106, -105, -104, -103, -102, -101, -100, -99, -98]],
            0.5: [[-128, -128, -128, -128, 127], [-64, -64, -64, -64], [127, -128, -128], [127], [-127, -126, -125, -123, -120, -114, -105, -91, -66, -27]],
        ]
        for (scale, want) in expected {
            for (row, w) in zip(rows, want) {
                XCTAssertEqual(try Self.run([row], scale: scale)[0], w, "scale \(scale) row \(row)")
            }
        }
    }

    func testSeveralRowsAreIndependent() throws {
        let rows: [[Int8]] = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 10, 10, 10, 10, 10, 10, 10, 10, 10], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
        let out = try Self.run(rows, scale: 0.5)
        XCTAssertEqual(out[0], [-127, -126, -125, -123, -120, -114, -105, -91, -66, -27])
        XCTAssertEqual(out[2], Array(out[0].reversed()))
        XCTAssertEqual(out[1], [Int8](repeating: -102, count: 10))  // 256 / 10 = 25.6 -> 26 - 128
    }

    func testCloseToFloatSoftmax() throws {
        var rng = SplitMix64(seed: 7)
        for trial in 0..<200 {
            let depth = 1 + rng.below(20)
            let scale = Float(0.005 + Double(rng.below(1000)) / 4000), beta = Float(0.5 + Double(rng.below(4)) / 4)
            let row = (0..<depth).map { _ in Int8(truncatingIfNeeded: rng.next()) }
            let out = try Self.run([row], scale: scale, beta: beta)[0]
            let mx = Double(row.max()!)
            let e = row.map { Foundation.exp((Double($0) - mx) * Double(scale) * Double(beta)) }
            let sum = e.reduce(0, +)
            for (k, v) in e.enumerated() {
                let ideal = min(max((v / sum * 256).rounded() - 128, -128), 127)
                XCTAssertEqual(Double(out[k]), ideal, accuracy: 1, "trial \(trial) element \(k)")
            }
        }
    }

    // MARK: - The kernel through the interpreter

    func testSoftmaxKernelOverLastDimensionOfRank3() throws {
        var m = OneOpModel()
        let values: [Int8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]
        let x = m.input([2, 1, 10], .int8, int8Bytes(values), scale: 0.5, zeroPoint: 7)
        let out = try m.run(BuiltinOperator.softmax, version: 2, options: .softmax(SoftmaxOptions(beta: 1)), inputs: [x],
                            output: OneOpModel.out([2, 1, 10], .int8, scale: 1.0 / 256, zeroPoint: -128))
        XCTAssertEqual(int8s(out), [-127, -126, -125, -123, -120, -114, -105, -91, -66, -27] + [Int8](repeating: -102, count: 10))
    }

    func testSoftmaxKernelRejectsInconsistentModels() {
        var m = OneOpModel()
        let x = m.input([1, 4], .int8, [UInt8](repeating: 0, count: 4), scale: 0.1, zeroPoint: 0)
        let good = OneOpModel.out([1, 4], .int8, scale: 1.0 / 256, zeroPoint: -128)
        func kind(_ options: BuiltinOptions, _ out: OneOpModel.Out) -> MoteError.Kind? {
            m.failure(BuiltinOperator.softmax, version: 2, options: options, inputs: [x], output: out)?.kind
        }
        XCTAssertNil(kind(.softmax(SoftmaxOptions(beta: 1)), good))
        // Within TFLite's 0.1% tolerance of 1/256 the scale is accepted.
        XCTAssertNil(kind(.softmax(SoftmaxOptions(beta: 1)), OneOpModel.out([1, 4], .int8, scale: 1.0005 / 256, zeroPoint: -128)))
        XCTAssertEqual(kind(.softmax(SoftmaxOptions(beta: 1)), OneOpModel.out([1, 4], .int8, scale: 1.0 / 128, zeroPoint: -128)), .invalidQuantization)
        XCTAssertEqual(kind(.softmax(SoftmaxOptions(beta: 1)), OneOpModel.out([1, 4], .int8, scale: 1.0 / 256, zeroPoint: 0)), .invalidQuantization)
        XCTAssertEqual(kind(.softmax(SoftmaxOptions(beta: 1)), OneOpModel.out([4], .int8, scale: 1.0 / 256, zeroPoint: -128)), .shapeMismatch)
        XCTAssertEqual(kind(.softmax(SoftmaxOptions(beta: 1)), OneOpModel.out([1, 4], .int16, scale: 1.0 / 32768, zeroPoint: 0)), .typeMismatch)
        XCTAssertEqual(kind(.softmax(SoftmaxOptions(beta: 0)), good), .invalidOptions)
        XCTAssertEqual(kind(.none, good), .invalidOptions)
    }

    func testFixtureSoftmaxesOnSavedInputs() throws {
        var checked = 0
        for op in try FixtureOps.all(["SOFTMAX"]) {
            let input = op.inputs[0], depth = input.shape.last!
            let rows = stride(from: 0, to: input.values.count, by: depth).map { Array(input.values[$0..<($0 + depth)]) }
            let beta = Float(op.options["beta"] as! Double)
            XCTAssertEqual(try Self.run(rows, scale: input.scale, beta: beta).flatMap { $0 }, op.output.values, op.label)
            checked += 1
        }
        XCTAssertEqual(checked, 7)
    }
}
