import Foundation
import XCTest
@testable import MoteCore
import MoteModel

/// MAX_POOL_2D and AVERAGE_POOL_2D: the reference routines against a direct recomputation
/// written here (clipped windows, C rounding), hand-worked windows, and every pooling op of the
/// fixtures run on its saved input.
final class PoolTests: XCTestCase {
    /// A geometry the way `Pool2DParameters` builds it, from TFLite's window arithmetic.
    static func geometry(n: Int = 1, h: Int, w: Int, c: Int, filter: (Int, Int), stride: (Int, Int), same: Bool) -> ConvGeometry? {
        guard let rows = ConvGeometry.window(same ? .same : .valid, input: h, filter: filter.0, stride: stride.0, dilation: 1),
              let cols = ConvGeometry.window(same ? .same : .valid, input: w, filter: filter.1, stride: stride.1, dilation: 1) else { return nil }
        return ConvGeometry(batches: n, inputHeight: h, inputWidth: w, inputDepth: c, outputHeight: rows.output, outputWidth: cols.output,
                            outputDepth: c, filterHeight: filter.0, filterWidth: filter.1, filterDepth: 1,
                            strideHeight: stride.0, strideWidth: stride.1, dilationHeight: 1, dilationWidth: 1,
                            padTop: rows.padBefore, padLeft: cols.padBefore)
    }

    /// Independent recomputation: every window cell tested against the image bounds.
    static func expected(_ g: ConvGeometry, _ input: [Int8], average: Bool, lo: Int, hi: Int) -> [Int8] {
        var out: [Int8] = []
        for b in 0..<g.batches {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for ch in 0..<g.inputDepth {
                        var sum = 0, count = 0, best = -128
                        for fy in 0..<g.filterHeight {
                            for fx in 0..<g.filterWidth {
                                let y = oy * g.strideHeight - g.padTop + fy, x = ox * g.strideWidth - g.padLeft + fx
                                guard y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth else { continue }
                                let v = Int(input[((b * g.inputHeight + y) * g.inputWidth + x) * g.inputDepth + ch])
                                sum += v
                                count += 1
                                best = max(best, v)
                            }
                        }
                        var r = best
                        if average {
                            // Round half away from zero.
                            let q = Double(sum) / Double(count)
                            r = Int(q < 0 ? -(-q + 0.5).rounded(.down) : (q + 0.5).rounded(.down))
                        }
                        out.append(Int8(min(max(r, lo), hi)))
                    }
                }
            }
        }
        return out
    }

    /// `Pool2DReference` (or, with `optimized`, `Pool2DOptimized` with the installed kernel
    /// table) over `input`.
    static func run(_ g: ConvGeometry, _ input: [Int8], average: Bool, lo: Int, hi: Int, optimized: Bool = false) -> [Int8] {
        var out = [Int8](repeating: 99, count: g.batches * g.outputHeight * g.outputWidth * g.inputDepth)
        var acc = [Int32](repeating: 0, count: g.inputDepth)
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                acc.withUnsafeMutableBufferPointer { a in
                    if optimized && average {
                        Pool2DOptimized.averagePool(g, activationMin: Int32(lo), activationMax: Int32(hi), input: i.baseAddress!,
                                                    output: o.baseAddress!, accumulator: a.baseAddress!)
                    } else if optimized {
                        Pool2DOptimized.maxPool(g, activationMin: Int32(lo), activationMax: Int32(hi), input: i.baseAddress!, output: o.baseAddress!)
                    } else if average {
                        Pool2DReference.averagePool(g, activationMin: Int32(lo), activationMax: Int32(hi), input: i.baseAddress!,
                                                    output: o.baseAddress!, accumulator: a.baseAddress!)
                    } else {
                        Pool2DReference.maxPool(g, activationMin: Int8(lo), activationMax: Int8(hi), input: i.baseAddress!, output: o.baseAddress!)
                    }
                }
            }
        }
        return out
    }

    func testHandWorkedAverageRoundsHalfAwayFromZero() throws {
        // One 2x2 window per output over a 2x4 single-channel image, VALID, stride 2.
        let g = try XCTUnwrap(Self.geometry(h: 2, w: 4, c: 1, filter: (2, 2), stride: (2, 2), same: false))
        // Windows: {1, 2, 3, 4} -> 2.5 -> 3; {-1, -2, -3, -4} -> -2.5 -> -3.
        XCTAssertEqual(Self.run(g, [1, 2, -1, -2, 3, 4, -3, -4], average: true, lo: -128, hi: 127), [3, -3])
        // {0, 0, 0, 1} -> 0.25 -> 0; {0, 0, 0, -3} -> -0.75 -> -1.
        XCTAssertEqual(Self.run(g, [0, 0, 0, 0, 0, 1, 0, -3], average: true, lo: -128, hi: 127), [0, -1])
    }

    func testHandWorkedSamePaddingCountsOnlyImageCells() throws {
        // 3x3 image, 3x3 window, stride 2, SAME: 2x2 outputs, padding 1 before, so each
        // window holds 4 image cells and 5 padding cells.
        let g = try XCTUnwrap(Self.geometry(h: 3, w: 3, c: 1, filter: (3, 3), stride: (2, 2), same: true))
        XCTAssertEqual([g.outputHeight, g.outputWidth, g.padTop, g.padLeft], [2, 2, 1, 1])
        let image: [Int8] = [10, 20, 30, 40, 50, 60, 70, 80, 90]
        // Windows cover rows/cols {0,1} and {1,2}: means 30, 40, 60, 70.
        XCTAssertEqual(Self.run(g, image, average: true, lo: -128, hi: 127), [30, 40, 60, 70])
        XCTAssertEqual(Self.run(g, image, average: false, lo: -128, hi: 127), [50, 60, 80, 90])
        // A fused RELU6-like clamp to [-128, 55].
        XCTAssertEqual(Self.run(g, image, average: false, lo: -128, hi: 55), [50, 55, 55, 55])
    }

    func testRandomGeometriesMatchRecomputation() throws {
        var rng = SplitMix64(seed: 17)
        for trial in 0..<200 {
            let h = 1 + rng.below(9), w = 1 + rng.below(9), c = 1 + rng.below(5), n = 1 + rng.below(2)
            let filter = (1 + rng.below(4), 1 + rng.below(4)), stride = (1 + rng.below(3), 1 + rng.below(3))
            let same = rng.below(2) == 0
            guard let g = Self.geometry(n: n, h: h, w: w, c: c, filter: filter, stride: stride, same: same) else { continue }
            let input = (0..<(n * h * w * c)).map { _ in Int8(truncatingIfNeeded: rng.next()) }
            let lo = rng.below(3) == 0 ? -20 : -128, hi = rng.below(3) == 0 ? 40 : 127
            for average in [false, true] {
                XCTAssertEqual(Self.run(g, input, average: average, lo: lo, hi: hi),
                               Self.expected(g, input, average: average, lo: lo, hi: hi), "trial \(trial) average \(average)")
            }
        }
    }

    func testWindowArithmeticMatchesTFLite() throws {
        // SAME: ceil(in / stride) outputs, floor(total / 2) padding before.
        var g = try XCTUnwrap(Self.geometry(h: 12, w: 10, c: 1, filter: (2, 2), stride: (2, 2), same: true))
        XCTAssertEqual([g.outputHeight, g.outputWidth, g.padTop, g.padLeft], [6, 5, 0, 0])
        g = try XCTUnwrap(Self.geometry(h: 20, w: 20, c: 1, filter: (3, 3), stride: (2, 2), same: true))
        XCTAssertEqual([g.outputHeight, g.outputWidth, g.padTop, g.padLeft], [10, 10, 0, 0])
        g = try XCTUnwrap(Self.geometry(h: 20, w: 20, c: 1, filter: (3, 3), stride: (1, 1), same: true))
        XCTAssertEqual([g.outputHeight, g.padTop], [20, 1])
        // VALID: (in - filter + stride) / stride.
        g = try XCTUnwrap(Self.geometry(h: 13, w: 13, c: 1, filter: (2, 2), stride: (2, 2), same: false))
        XCTAssertEqual([g.outputHeight, g.padTop], [6, 0])
        g = try XCTUnwrap(Self.geometry(h: 25, w: 5, c: 1, filter: (25, 5), stride: (25, 5), same: false))
        XCTAssertEqual([g.outputHeight, g.outputWidth], [1, 1])
        XCTAssertNil(Self.geometry(h: 2, w: 2, c: 1, filter: (3, 3), stride: (1, 1), same: false))
    }

    func testFixturePoolsOnSavedInputs() throws {
        var checked = 0
        for op in try FixtureOps.all(["MAX_POOL_2D", "AVERAGE_POOL_2D"]) {
            let o = op.options
            let input = op.inputs[0], output = op.output
            let same = (o["padding"] as! Int) == 0
            let g = try XCTUnwrap(Self.geometry(n: input.shape[0], h: input.shape[1], w: input.shape[2], c: input.shape[3],
                                                filter: (o["filter_height"] as! Int, o["filter_width"] as! Int),
                                                stride: (o["stride_h"] as! Int, o["stride_w"] as! Int), same: same))
            XCTAssertEqual([g.batches, g.outputHeight, g.outputWidth, g.inputDepth], output.shape, op.label)
            XCTAssertEqual(o["fused_activation_function"] as! Int, 0, op.label)
            XCTAssertEqual(Self.run(g, input.values, average: op.name == "AVERAGE_POOL_2D", lo: -128, hi: 127), output.values, op.label)
            checked += 1
        }
        XCTAssertEqual(checked, 13)
    }

    // MARK: - The kernels through the interpreter

    func testMaxPoolKernelWithFusedRelu() throws {
        // 1x2x2x2 input, 2x2 window: per channel max of {-30, -20, -15, -12} = -12 and of
        // {5, 1, 2, 3} = 5; RELU on scale 0.1, zero point -10 clamps below -10.
        var m = OneOpModel()
        let x = m.input([1, 2, 2, 2], .int8, int8Bytes([-30, 5, -20, 1, -15, 2, -12, 3]), scale: 0.1, zeroPoint: -10)
        let options = BuiltinOptions.pool2D(Pool2DOptions(padding: .valid, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2, fusedActivationFunction: .relu))
        let out = try m.run(BuiltinOperator.maxPool2D, version: 2, options: options, inputs: [x], output: OneOpModel.out([1, 1, 1, 2], .int8, scale: 0.1, zeroPoint: -10))
        XCTAssertEqual(int8s(out), [-10, 5])
    }

    func testAveragePoolKernelSamePadding() throws {
        var m = OneOpModel()
        let x = m.input([1, 3, 3, 1], .int8, int8Bytes([10, 20, 30, 40, 50, 60, 70, 80, 90]), scale: 0.5, zeroPoint: 3)
        let options = BuiltinOptions.pool2D(Pool2DOptions(padding: .same, strideW: 2, strideH: 2, filterWidth: 3, filterHeight: 3))
        let out = try m.run(BuiltinOperator.averagePool2D, version: 2, options: options, inputs: [x], output: OneOpModel.out([1, 2, 2, 1], .int8, scale: 0.5, zeroPoint: 3))
        XCTAssertEqual(int8s(out), [30, 40, 60, 70])
    }

    func testPoolKernelsRejectInconsistentModels() {
        var m = OneOpModel()
        let x = m.input([1, 4, 4, 2], .int8, [UInt8](repeating: 0, count: 32), scale: 0.1, zeroPoint: 0)
        let good = Pool2DOptions(padding: .valid, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2)
        let out = OneOpModel.out([1, 2, 2, 2], .int8, scale: 0.1, zeroPoint: 0)
        for op in [BuiltinOperator.maxPool2D, BuiltinOperator.averagePool2D] {
            XCTAssertNil(m.failure(op, version: 2, options: .pool2D(good), inputs: [x], output: out))
            func kind(_ o: Pool2DOptions, _ spec: OneOpModel.Out = out, version: Int32 = 2) -> MoteError.Kind? {
                m.failure(op, version: version, options: .pool2D(o), inputs: [x], output: spec)?.kind
            }
            XCTAssertEqual(kind(good, OneOpModel.out([1, 2, 2, 2], .int8, scale: 0.2, zeroPoint: 0)), .invalidQuantization)
            XCTAssertEqual(kind(good, OneOpModel.out([1, 2, 2, 2], .int8, scale: 0.1, zeroPoint: 1)), .invalidQuantization)
            XCTAssertEqual(kind(good, OneOpModel.out([1, 3, 3, 2], .int8, scale: 0.1, zeroPoint: 0)), .shapeMismatch)
            XCTAssertEqual(kind(good, OneOpModel.out([1, 2, 2, 2], .int16, scale: 0.1, zeroPoint: 0)), .typeMismatch)
            XCTAssertEqual(kind(Pool2DOptions(padding: .valid, strideW: 0, strideH: 2, filterWidth: 2, filterHeight: 2)), .invalidOptions)
            XCTAssertEqual(kind(Pool2DOptions(padding: .valid, strideW: 2, strideH: 2, filterWidth: 0, filterHeight: 2)), .invalidOptions)
            XCTAssertEqual(kind(Pool2DOptions(padding: .valid, strideW: 1, strideH: 1, filterWidth: 5, filterHeight: 5)), .invalidOptions)
            XCTAssertEqual(kind(good, version: 4), .unsupportedOperator)
            XCTAssertEqual(m.failure(op, version: 2, options: .none, inputs: [x], output: out)?.kind, .invalidOptions)
        }
    }
}

/// The fixtures' operators of given types with their saved (sample 000) input and output
/// tensors, for op-level tests of the reference routines (shared by the pooling, MEAN,
/// SOFTMAX and activation tests).
struct FixtureOps {
    struct Tensor {
        var shape: [Int]
        var scale: Float
        var zeroPoint: Int32
        var values: [Int8]
    }

    var model: String
    var index: Int
    var name: String
    var options: [String: Any]
    /// The non-constant inputs, in order.
    var inputs: [Tensor]
    var output: Tensor
    var label: String { "\(model) op \(index) \(name)" }

    static func all(_ names: Set<String>) throws -> [FixtureOps] {
        var result: [FixtureOps] = []
        for dir in try Fixtures.models() {
            let meta = try Fixtures.json(dir.appendingPathComponent("meta.json"))
            let tensors = meta["tensors"] as! [[String: Any]]
            func tensor(_ i: Int) throws -> Tensor? {
                let t = tensors[i]
                if t["is_constant"] as? Bool == true { return nil }
                let q = t["quantization"] as? [String: Any]
                let url = dir.appendingPathComponent("intermediates_000/t\(i).bin")
                return Tensor(shape: t["shape"] as! [Int],
                              scale: ((q?["scale"] as? [Double])?.first).map { Float($0) } ?? 0,
                              zeroPoint: Int32((q?["zero_point"] as? [Int])?.first ?? 0),
                              values: try Fixtures.bytes(url).map { Int8(bitPattern: $0) })
            }
            for op in meta["ops"] as! [[String: Any]] {
                let name = op["op_name"] as! String
                guard names.contains(name) else { continue }
                let inputs = try (op["inputs"] as! [Int]).filter { $0 >= 0 }.compactMap { try tensor($0) }
                let output = try XCTUnwrap(try tensor((op["outputs"] as! [Int])[0]))
                result.append(FixtureOps(model: dir.lastPathComponent, index: op["index"] as! Int, name: name,
                                         options: op["builtin_options"] as? [String: Any] ?? [:], inputs: inputs, output: output))
            }
        }
        return result
    }
}
