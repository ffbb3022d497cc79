import Foundation
import XCTest
@testable import MoteCore
import MoteModel

/// LOGISTIC, TANH and HARD_SWISH: the libm-free float functions against Foundation's, the
/// lookup tables against TFLite's float formula evaluated with Foundation's functions, hard
/// swish by hand and against the float function, and every fixture op on its saved input.
final class ActivationTests: XCTestCase {
    // MARK: - Float functions

    func testExpMatchesFoundation() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<20000 {
            let x = Double(rng.below(1 << 30)) / Double(1 << 30) * 1450 - 740
            let want = Foundation.exp(x)
            XCTAssertEqual(LogisticTanhTable.exp(x), want, accuracy: max(want * 5e-16, 1e-322), "x = \(x)")
        }
        XCTAssertEqual(LogisticTanhTable.exp(0), 1)
        XCTAssertEqual(LogisticTanhTable.exp(1000), .infinity)
        XCTAssertEqual(LogisticTanhTable.exp(-1000), 0)
        XCTAssertEqual(LogisticTanhTable.exp(-744), Foundation.exp(-744), accuracy: 1e-323)  // subnormal result
    }

    func testExpm1AndTanhMatchFoundation() {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<20000 {
            let x = (Double(rng.below(1 << 30)) / Double(1 << 30) - 0.5) * 2 * (rng.below(2) == 0 ? 0.8 : 30)
            XCTAssertEqual(LogisticTanhTable.expm1(x), Foundation.expm1(x), accuracy: abs(Foundation.expm1(x)) * 6e-16, "x = \(x)")
            XCTAssertEqual(LogisticTanhTable.tanh(x), Foundation.tanh(x), accuracy: abs(Foundation.tanh(x)) * 6e-16, "x = \(x)")
        }
        XCTAssertEqual(LogisticTanhTable.tanh(0), 0)
        XCTAssertEqual(LogisticTanhTable.tanh(50), 1)
        XCTAssertEqual(LogisticTanhTable.tanh(-50), -1)
        XCTAssertEqual(LogisticTanhTable.tanh(1e-300), 1e-300)
    }

    func testFloatVersionsRoundLikeFoundationDouble() {
        // expf/tanhf are the double results rounded once to float.
        var rng = SplitMix64(seed: 5)
        for _ in 0..<50000 {
            let x = Float(Double(rng.below(1 << 30)) / Double(1 << 30) * 190 - 100)
            XCTAssertEqual(LogisticTanhTable.expf(x), Float(Foundation.exp(Double(x))), "x = \(x)")
            let t = x / 10
            XCTAssertEqual(LogisticTanhTable.tanhf(t), Float(Foundation.tanh(Double(t))), "x = \(t)")
        }
    }

    // MARK: - Tables

    /// TFLite's `LUTPopulateInt8` with Foundation's functions, in float arithmetic.
    static func referenceTable(_ function: LogisticTanhTable.Function, inScale: Float, inZero: Int32, outScale: Float, outZero: Int32) -> [Int8] {
        (-128...127).map { v in
            let x = inScale * Float(v - Int(inZero))
            let y: Float = function == .logistic ? 1 / (1 + Float(Foundation.exp(Double(-x)))) : Float(Foundation.tanh(Double(x)))
            let q = Int((y * (1 / outScale)).rounded(.toNearestOrAwayFromZero)) + Int(outZero)
            return Int8(min(max(q, -128), 127))
        }
    }

    static func table(_ function: LogisticTanhTable.Function, inScale: Float, inZero: Int32, outScale: Float, outZero: Int32) -> [Int8] {
        var t = [Int8](repeating: 0, count: 256)
        t.withUnsafeMutableBufferPointer {
            LogisticTanhTable.populate($0.baseAddress!, function, inputScale: inScale, inputZeroPoint: inZero, outputScale: outScale, outputZeroPoint: outZero)
        }
        return t
    }

    func testTablesMatchFloatFormula() {
        var rng = SplitMix64(seed: 6)
        for trial in 0..<300 {
            let inScale = Float(Foundation.pow(10, -3 + 3 * Double(rng.below(10000)) / 10000))
            let inZero = Int32(rng.below(256) - 128)
            XCTAssertEqual(Self.table(.logistic, inScale: inScale, inZero: inZero, outScale: 1.0 / 256, outZero: -128),
                           Self.referenceTable(.logistic, inScale: inScale, inZero: inZero, outScale: 1.0 / 256, outZero: -128), "trial \(trial)")
            XCTAssertEqual(Self.table(.tanh, inScale: inScale, inZero: inZero, outScale: 1.0 / 128, outZero: 0),
                           Self.referenceTable(.tanh, inScale: inScale, inZero: inZero, outScale: 1.0 / 128, outZero: 0), "trial \(trial)")
        }
    }

    func testTableHandValues() {
        // Input scale 1/16, zero point 0: logistic(0) = 0.5 -> 128 - 128 = 0; logistic(-8) =
        // 0.000335 -> round(0.086) = 0 -> -128; logistic(7.9375) = 0.99964 -> 255.9 -> 127.
        let t = Self.table(.logistic, inScale: 1.0 / 16, inZero: 0, outScale: 1.0 / 256, outZero: -128)
        XCTAssertEqual(t[128], 0)
        XCTAssertEqual(t[0], -128)
        XCTAssertEqual(t[255], 127)
        // logistic(1) = 0.731059 -> 187.15 -> 187 - 128 = 59.
        XCTAssertEqual(t[128 + 16], 59)
        let h = Self.table(.tanh, inScale: 1.0 / 16, inZero: 0, outScale: 1.0 / 128, outZero: 0)
        // tanh(1) = 0.761594 -> 97.48 -> 97; tanh(-0.5) = -0.462117 -> -59.15 -> -59.
        XCTAssertEqual(h[128 + 16], 97)
        XCTAssertEqual(h[128 - 8], -59)
        XCTAssertEqual(h[128], 0)
        XCTAssertEqual(h[255], 127)
    }

    func testApplyIndexesBySignedValue() {
        // Entry v + 128 holds v / 2.
        let table = (0..<256).map { Int8($0 - 128) / 2 }
        let input: [Int8] = [-128, -1, 0, 1, 127]
        var out = [Int8](repeating: 99, count: input.count)
        table.withUnsafeBufferPointer { t in
            input.withUnsafeBufferPointer { i in
                out.withUnsafeMutableBufferPointer { o in
                    LogisticTanhTable.apply(.init(table: t.baseAddress!, count: input.count), input: i.baseAddress!, output: o.baseAddress!)
                }
            }
        }
        XCTAssertEqual(out, input.map { $0 / 2 })
    }

    // MARK: - HARD_SWISH

    static func hardSwish(_ input: [Int8], inScale: Float, inZero: Int32, outScale: Float, outZero: Int32) throws -> [Int8] {
        let p = try XCTUnwrap(HardSwishReference.Params(inputScale: inScale, inputZeroPoint: inZero, outputScale: outScale, outputZeroPoint: outZero))
        var out = [Int8](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in HardSwishReference.int8(p, input: i.baseAddress!, output: o.baseAddress!, count: input.count) }
        }
        return out
    }

    func testHardSwishParams() throws {
        // From an independent transcription of TFLite's HardSwishPrepare.
        let cases: [(Float, Float, [Int32])] = [(0.03485830873250961, 0.017128961160779, [16671, -5, 24368, 2]),
                                                (0.06926493346691132, 0.03258261829614639, [17415, -5, 24210, 3]),
                                                (0.1, 0.05, [16384, -5, 17476, 4])]
        for (si, so, want) in cases {
            let p = try XCTUnwrap(HardSwishReference.Params(inputScale: si, inputZeroPoint: 0, outputScale: so, outputZeroPoint: 0))
            XCTAssertEqual([p.outputMultiplier, p.outputExponent, p.reluishMultiplier, p.reluishExponent], want)
        }
        // inputScale / 128 / outputScale >= 1 has a positive exponent: TFLite rejects it.
        XCTAssertNil(HardSwishReference.Params(inputScale: 1, inputZeroPoint: 0, outputScale: 1.0 / 256, outputZeroPoint: 0))
    }

    func testHardSwishHandWorked() throws {
        // Scale 0.1 in, 0.05 out: 1.0 -> 0.667 -> 13; -5.0 -> 0; 4.0 -> 4.0 -> 80.
        XCTAssertEqual(try Self.hardSwish([10, -50, 40], inScale: 0.1, inZero: 0, outScale: 0.05, outZero: 0), [13, 0, 80])
    }

    func testHardSwishCloseToFloat() throws {
        var rng = SplitMix64(seed: 9)
        for trial in 0..<100 {
            let inScale = Float(0.01 + Double(rng.below(1000)) / 10000), inZero = Int32(rng.below(256) - 128)
            let outScale = inScale * Float(0.3 + Double(rng.below(100)) / 150), outZero = Int32(rng.below(200) - 100)
            let input = (-128...127).map { Int8($0) }
            let out = try Self.hardSwish(input, inScale: inScale, inZero: inZero, outScale: outScale, outZero: outZero)
            for (k, q) in input.enumerated() {
                let x = Double(inScale) * Double(Int(q) - Int(inZero))
                let y = x * min(max(x + 3, 0), 6) / 6
                let ideal = min(max((y / Double(outScale)).rounded() + Double(outZero), -128), 127)
                XCTAssertEqual(Double(out[k]), ideal, accuracy: 2, "trial \(trial) input \(q)")
            }
        }
    }

    // MARK: - The kernels through the interpreter

    func testLogisticTanhHardSwishKernels() throws {
        var m = OneOpModel()
        let x = m.input([1, 4], .int8, int8Bytes([-128, -16, 0, 16]), scale: 1.0 / 16, zeroPoint: 0)
        let logistic = try m.run(BuiltinOperator.logistic, version: 2, inputs: [x], output: OneOpModel.out([1, 4], .int8, scale: 1.0 / 256, zeroPoint: -128))
        // logistic(-8, -1, 0, 1) * 256 - 128 = -128, round(68.85) - 128, 0, round(187.15) - 128.
        XCTAssertEqual(int8s(logistic), [-128, -59, 0, 59])
        let tanh = try m.run(BuiltinOperator.tanh, version: 2, inputs: [x], output: OneOpModel.out([1, 4], .int8, scale: 1.0 / 128, zeroPoint: 0))
        XCTAssertEqual(int8s(tanh), [-128, -97, 0, 97])
        var h = OneOpModel()
        let y = h.input([3], .int8, int8Bytes([10, -50, 40]), scale: 0.1, zeroPoint: 0)
        let swish = try h.run(BuiltinOperator.hardSwish, inputs: [y], output: OneOpModel.out([3], .int8, scale: 0.05, zeroPoint: 0))
        XCTAssertEqual(int8s(swish), [13, 0, 80])
    }

    func testActivationKernelsRejectInconsistentModels() {
        var m = OneOpModel()
        let x = m.input([1, 4], .int8, [UInt8](repeating: 0, count: 4), scale: 0.1, zeroPoint: 0)
        // LOGISTIC requires the 1/256 output scale; TANH takes any output quantization.
        XCTAssertEqual(m.failure(BuiltinOperator.logistic, version: 2, inputs: [x], output: OneOpModel.out([1, 4], .int8, scale: 1.0 / 128, zeroPoint: -128))?.kind, .invalidQuantization)
        XCTAssertNil(m.failure(BuiltinOperator.tanh, version: 2, inputs: [x], output: OneOpModel.out([1, 4], .int8, scale: 0.01, zeroPoint: 3)))
        for op in [BuiltinOperator.logistic, BuiltinOperator.tanh, BuiltinOperator.hardSwish] {
            let version: Int32 = op == BuiltinOperator.hardSwish ? 1 : 2
            XCTAssertEqual(m.failure(op, version: version, inputs: [x], output: OneOpModel.out([4], .int8, scale: 1.0 / 256, zeroPoint: -128))?.kind, .shapeMismatch)
            XCTAssertEqual(m.failure(op, version: version, inputs: [x], output: OneOpModel.out([1, 4], .int16, scale: 1.0 / 256, zeroPoint: 0))?.kind, .typeMismatch)
            XCTAssertEqual(m.failure(op, version: version + 2, inputs: [x], output: OneOpModel.out([1, 4], .int8, scale: 1.0 / 256, zeroPoint: -128))?.kind, .unsupportedOperator)
        }
        // HARD_SWISH: inputScale / 128 / outputScale >= 1 is rejected, as in TFLite.
        XCTAssertEqual(m.failure(BuiltinOperator.hardSwish, inputs: [x], output: OneOpModel.out([1, 4], .int8, scale: 0.0001, zeroPoint: 0))?.kind, .invalidQuantization)
    }

    // MARK: - Fixtures

    func testFixtureActivationsOnSavedInputs() throws {
        var checked = 0
        for op in try FixtureOps.all(["LOGISTIC", "TANH", "HARD_SWISH"]) {
            let input = op.inputs[0], output = op.output
            let got: [Int8]
            if op.name == "HARD_SWISH" {
                got = try Self.hardSwish(input.values, inScale: input.scale, inZero: input.zeroPoint, outScale: output.scale, outZero: output.zeroPoint)
            } else {
                let t = Self.table(op.name == "TANH" ? .tanh : .logistic, inScale: input.scale, inZero: input.zeroPoint,
                                   outScale: output.scale, outZero: output.zeroPoint)
                got = input.values.map { t[Int($0) + 128] }
            }
            XCTAssertEqual(got, output.values, op.label)
            checked += 1
        }
        XCTAssertEqual(checked, 8)
    }
}
