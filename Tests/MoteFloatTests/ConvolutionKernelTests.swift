import XCTest
@testable import MoteFloat

/// WindowGeometry against hand-worked TFLite paddings; Conv2D, DepthwiseConv2D, Pool2D,
/// FullyConnected and Im2Col against float64 loops written here.
final class ConvolutionKernelTests: XCTestCase {
    func testWindowGeometryMatchesTFLitePadding() {
        // SAME, 5 wide, 3-tap, stride 2: out ceil(5/2) = 3, total pad (3-1)*2+3-5 = 2, 1 before.
        var w = WindowGeometry.window(.same, input: 5, filter: 3, stride: 2, dilation: 1)!
        XCTAssertEqual(w.output, 3); XCTAssertEqual(w.padBefore, 1)
        // SAME, 24 tall, stride 2: total pad 11*2+3-24 = 1: the odd row goes after the image.
        w = WindowGeometry.window(.same, input: 24, filter: 3, stride: 2, dilation: 1)!
        XCTAssertEqual(w.output, 12); XCTAssertEqual(w.padBefore, 0)
        // SAME 2x2 pool on an odd 3-wide map: out 2, total pad 1*2+2-3 = 1, 0 before.
        w = WindowGeometry.window(.same, input: 3, filter: 2, stride: 2, dilation: 1)!
        XCTAssertEqual(w.output, 2); XCTAssertEqual(w.padBefore, 0)
        // Dilation 2 makes a 3-tap filter span 5: SAME on 9 pads 4, 2 before.
        w = WindowGeometry.window(.same, input: 9, filter: 3, stride: 1, dilation: 2)!
        XCTAssertEqual(w.output, 9); XCTAssertEqual(w.padBefore, 2)
        // VALID: (7 - 3 + 2) / 2 = 3 outputs, no padding; (9 - 5 + 1) = 5 with dilation 2.
        w = WindowGeometry.window(.valid, input: 7, filter: 3, stride: 2, dilation: 1)!
        XCTAssertEqual(w.output, 3); XCTAssertEqual(w.padBefore, 0)
        w = WindowGeometry.window(.valid, input: 9, filter: 3, stride: 1, dilation: 2)!
        XCTAssertEqual(w.output, 5); XCTAssertEqual(w.padBefore, 0)
        // Empty outputs and bad factors are rejected.
        XCTAssertNil(WindowGeometry.window(.valid, input: 2, filter: 3, stride: 1, dilation: 1))
        XCTAssertNil(WindowGeometry.window(.same, input: 4, filter: 3, stride: 0, dilation: 1))
    }

    /// Direct float64 convolution (groups = 1 or depthwise with multiplier), NHWC / OHWI or 1HW(C·M).
    private func referenceConv(_ g: WindowGeometry, input: [Float], filter: [Float], bias: [Float]?, outChannels: Int,
                               depthwise: Bool, lower: Double = -.infinity, upper: Double = .infinity) -> [Double] {
        var out = [Double]()
        let c = g.channels, mult = outChannels / c
        for n in 0..<g.batch { for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth { for o in 0..<outChannels {
            var sum = Double(bias?[o] ?? 0)
            for ky in 0..<g.filterHeight { for kx in 0..<g.filterWidth {
                let y = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                let x = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                guard y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth else { continue }
                let pixel = ((n * g.inputHeight + y) * g.inputWidth + x) * c
                if depthwise {
                    sum += Double(input[pixel + o / mult]) * Double(filter[(ky * g.filterWidth + kx) * outChannels + o])
                } else {
                    for i in 0..<c {
                        sum += Double(input[pixel + i]) * Double(filter[((o * g.filterHeight + ky) * g.filterWidth + kx) * c + i])
                    }
                }
            } }
            out.append(min(max(sum, lower), upper))
        } } } }
        return out
    }

    func testConv2DAgainstFloat64() {
        var rng = TestRandom(seed: 1)
        // (padding, batch, H, W, C, KH, KW, stride h/w, dilation h/w, O, bias, activation)
        let cases: [(WindowGeometry.Padding, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Bool, ActivationRange)] = [
            (.same, 2, 7, 6, 3, 3, 3, 2, 2, 1, 1, 5, true, .none),     // odd SAME stride 2, batch 2
            (.same, 1, 9, 8, 2, 3, 2, 1, 1, 2, 3, 4, true, .relu6),    // dilation, non-square filter
            (.valid, 1, 8, 7, 4, 3, 3, 1, 2, 1, 1, 3, false, .relu),   // VALID, no bias
            (.valid, 2, 5, 4, 6, 1, 1, 1, 1, 1, 1, 7, true, .none),    // pointwise: no im2col
            (.same, 1, 5, 5, 3, 1, 1, 2, 2, 1, 1, 4, true, .reluN1To1), // 1x1 stride 2 (im2col)
            (.same, 1, 10, 4, 1, 10, 4, 2, 2, 1, 1, 6, true, .relu),   // KWS-like 10x4 filter
        ]
        for (i, t) in cases.enumerated() {
            let g = WindowGeometry(padding: t.0, batch: t.1, inputHeight: t.2, inputWidth: t.3, channels: t.4,
                                   filterHeight: t.5, filterWidth: t.6, strideHeight: t.7, strideWidth: t.8,
                                   dilationHeight: t.9, dilationWidth: t.10)!
            let x = rng.array(g.batch * g.inputImageCount), w = rng.array(t.11 * g.patchLength)
            let b: [Float]? = t.12 ? rng.array(t.11) : nil
            let p = Conv2D.Parameters(geometry: g, outputChannels: t.11, activation: t.13)
            var y = [Float](repeating: .nan, count: g.batch * g.outputPositions * t.11)
            var scratch = [Float](repeating: .nan, count: max(1, p.scratchCount))
            XCTAssertEqual(p.scratchCount == 0, i == 3, "case \(i): only the pointwise case skips im2col")
            b.withUnsafeBufferPointerOrNil { bias in
                Conv2D.forward(p, input: x, filter: w, bias: bias, output: &y, scratch: &scratch)
            }
            let expected = referenceConv(g, input: x, filter: w, bias: b, outChannels: t.11, depthwise: false,
                                         lower: Double(t.13.lower), upper: Double(t.13.upper))
            XCTAssertLessThan(maxAbsDifference(y, expected), 1e-5, "case \(i)")
        }
    }

    func testDepthwiseConv2DAgainstFloat64() {
        var rng = TestRandom(seed: 2)
        // (padding, batch, H, W, C, K, stride, dilation, multiplier)
        let cases: [(WindowGeometry.Padding, Int, Int, Int, Int, Int, Int, Int, Int)] = [
            (.same, 1, 7, 7, 8, 3, 1, 1, 1), (.same, 2, 9, 6, 4, 3, 2, 1, 2), (.valid, 1, 8, 8, 3, 3, 1, 2, 3),
            (.same, 1, 5, 6, 2, 5, 2, 1, 4),
            (.same, 1, 9, 9, 4, 3, 2, 2, 1), (.same, 2, 6, 11, 5, 3, 3, 1, 2), (.same, 1, 3, 2, 3, 5, 1, 1, 1), // dilated SAME, stride 3, filter wider than input
        ]
        for (i, t) in cases.enumerated() {
            let g = WindowGeometry(padding: t.0, batch: t.1, inputHeight: t.2, inputWidth: t.3, channels: t.4,
                                   filterHeight: t.5, filterWidth: t.5, strideHeight: t.6, strideWidth: t.6,
                                   dilationHeight: t.7, dilationWidth: t.7)!
            let oc = t.4 * t.8
            let x = rng.array(g.batch * g.inputImageCount), w = rng.array(t.5 * t.5 * oc), b = rng.array(oc)
            let p = DepthwiseConv2D.Parameters(geometry: g, depthMultiplier: t.8, activation: .relu6)
            var y = [Float](repeating: .nan, count: g.batch * g.outputPositions * oc)
            DepthwiseConv2D.forward(p, input: x, filter: w, bias: b, output: &y)
            let expected = referenceConv(g, input: x, filter: w, bias: b, outChannels: oc, depthwise: true, lower: 0, upper: 6)
            XCTAssertLessThan(maxAbsDifference(y, expected), 1e-5, "case \(i)")
        }
    }

    func testPoolsCountOnlyInBoundsCells() {
        // Hand-worked: a 3x3 single-channel map 1...9, 2x2 SAME stride 2 -> 2x2 outputs; the
        // right column and bottom row windows hang over the padding (pad 0 before, 1 after).
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let g = WindowGeometry(padding: .same, batch: 1, inputHeight: 3, inputWidth: 3, channels: 1,
                               filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2)!
        var y = [Float](repeating: .nan, count: 4)
        Pool2D.averagePool(.init(geometry: g), input: x, output: &y)
        XCTAssertEqual(y, [3, 4.5, 7.5, 9] as [Float])  // (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1
        Pool2D.maxPool(.init(geometry: g), input: x, output: &y)
        XCTAssertEqual(y, [5, 6, 8, 9])
        // Negative values under SAME padding: the maximum never sees a padded 0.
        let negative = x.map { -$0 }
        Pool2D.maxPool(.init(geometry: g), input: negative, output: &y)
        XCTAssertEqual(y, [-1, -3, -7, -9])
    }

    func testPoolsAgainstFloat64() {
        var rng = TestRandom(seed: 3)
        for (i, (padding, k, s)) in [(WindowGeometry.Padding.same, 3, 2), (.same, 3, 1), (.valid, 2, 2), (.same, 4, 3)].enumerated() {
            let g = WindowGeometry(padding: padding, batch: 2, inputHeight: 7, inputWidth: 6, channels: 3,
                                   filterHeight: k, filterWidth: k, strideHeight: s, strideWidth: s)!
            let x = rng.array(g.batch * g.inputImageCount)
            var avg = [Double](), top = [Double]()
            for n in 0..<2 { for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth { for c in 0..<3 {
                var sum = 0.0, count = 0, best = -Double.infinity
                for ky in 0..<k { for kx in 0..<k {
                    let yy = oy * s - g.padTop + ky, xx = ox * s - g.padLeft + kx
                    guard yy >= 0, yy < 7, xx >= 0, xx < 6 else { continue }
                    let v = Double(x[((n * 7 + yy) * 6 + xx) * 3 + c])
                    sum += v; count += 1; best = max(best, v)
                } }
                avg.append(min(max(sum / Double(count), 0), 6)); top.append(best)
            } } } }
            var y = [Float](repeating: .nan, count: avg.count)
            Pool2D.averagePool(.init(geometry: g, activation: .relu6), input: x, output: &y)
            XCTAssertLessThan(maxAbsDifference(y, avg), 1e-6, "average case \(i)")
            Pool2D.maxPool(.init(geometry: g), input: x, output: &y)
            XCTAssertEqual(maxAbsDifference(y, top), 0, "max case \(i)")
        }
    }

    func testFullyConnectedAgainstFloat64() {
        var rng = TestRandom(seed: 4)
        let rows = 3, depth = 37, units = 11
        let x = rng.array(rows * depth), w = rng.array(units * depth), b = rng.array(units)
        var expected = [Double]()
        for r in 0..<rows { for o in 0..<units {
            var sum = Double(b[o])
            for i in 0..<depth { sum += Double(x[r * depth + i]) * Double(w[o * depth + i]) }
            expected.append(max(sum, 0))
        } }
        var y = [Float](repeating: .nan, count: rows * units)
        FullyConnected.forward(.init(batches: rows, inputDepth: depth, outputDepth: units, activation: .relu),
                               input: x, weights: w, bias: b, output: &y)
        XCTAssertLessThan(maxAbsDifference(y, expected), 1e-5)
    }

    /// im2col's adjoint: ⟨pack(x), c⟩ = ⟨x, unpackAdding(c)⟩ for random x and c (float64 sums).
    func testIm2ColUnpackIsTheAdjoint() {
        var rng = TestRandom(seed: 5)
        // Dilated (every row takes the border path) and plain SAME (interior rows take the
        // contiguous fast path, edges the border path).
        for (dh, dw) in [(1, 2), (1, 1)] {
            let g = WindowGeometry(padding: .same, batch: 2, inputHeight: 6, inputWidth: 5, channels: 3,
                                   filterHeight: 3, filterWidth: 3, strideHeight: 2, strideWidth: 1, dilationHeight: dh, dilationWidth: dw)!
            let x = rng.array(g.batch * g.inputImageCount)
            let columns = rng.array(g.batch * g.outputPositions * g.patchLength)
            var packed = [Float](repeating: .nan, count: columns.count)
            Im2Col.pack(input: x, geometry: g, output: &packed)
            var back = [Float](repeating: 0, count: x.count)
            Im2Col.unpackAdding(columns: columns, geometry: g, input: &back)
            let lhs = zip(packed, columns).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x, back).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4, "dilation \(dh)x\(dw)")
            // Padding: 0 rows before (total (3−1)·2 + 3 − 6 = 1 goes after); columns before:
            // half of 4 + effective width (3, or 5 dilated) − 5.
            XCTAssertEqual(g.padTop, 0); XCTAssertEqual(g.padLeft, dw == 1 ? 1 : 2)
            // A padding tap packs as 0: output (0, 0)'s tap (0, 0) reads input column −1.
            XCTAssertEqual(packed[0], 0)
            // Output (1, 1) of image 0 (row outputWidth + 1) is inside for dilation 1: its first
            // tap reads input (1·2 − 0, 1 − 1) = (2, 0).
            if dw == 1 { XCTAssertEqual(packed[(g.outputWidth + 1) * g.patchLength], x[(2 * 5 + 0) * 3]) }
        }
    }
}

extension Optional where Wrapped == [Float] {
    func withUnsafeBufferPointerOrNil<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .none: return body(nil)
        case .some(let a): return a.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }
}
