import Foundation
import XCTest
@testable import MoteCore
import MoteCoreDSP

/// MoteCoreDSP's variants against MoteCore's portable Swift loops: every variant this CPU
/// runs (none on a CPU without AVX2, where these tests check only the portable path) must give
/// the same int32 sums and the same output bytes, on random shapes and data, through the
/// primitives, through whole operators, and on every fixture model.
final class KernelTableTests: XCTestCase {
    /// Runs `body` once per variant this CPU runs, with that variant installed; the portable
    /// table is restored afterwards.
    func forEachVariant(_ body: (String) throws -> Void) rethrows {
        defer { MoteCoreDSP.install(variant: "portable") }
        for name in MoteCoreDSP.available {
            XCTAssertTrue(MoteCoreDSP.install(variant: name))
            try body(name)
        }
    }

    /// `compute` with the portable loops, then with the installed variant.
    func portableThen<T>(_ variant: String, _ compute: () -> T) -> (portable: T, variant: T) {
        MoteCoreDSP.install(variant: "portable")
        let p = compute()
        MoteCoreDSP.install(variant: variant)
        return (p, compute())
    }

    /// `filter` packed the way the installed table's panel kernels read it.
    func packedPanel(_ filter: [Int8], windowBytes k: Int, outputDepth depth: Int) -> [Int8] {
        var panel = [Int8](repeating: 0x5A, count: Conv2DOptimized.panelBytes(windowBytes: k, outputDepth: depth, groups: 1))
        filter.withUnsafeBufferPointer { fp in
            panel.withUnsafeMutableBufferPointer { pp in
                Conv2DOptimized.pack(fp.baseAddress!, windowBytes: k, outputDepth: depth, into: pp.baseAddress!)
            }
        }
        return panel
    }

    func testInstallReportsAVariantThisCPURuns() {
        defer { MoteCoreDSP.install(variant: "portable") }
        let name = MoteCoreDSP.install()
        XCTAssertEqual(name, MoteCoreDSP.installed)
        XCTAssertTrue(name == "portable" || MoteCoreDSP.available.contains(name), name)
        if ProcessInfo.processInfo.environment["MOTE_KERNELS"] == nil {
            XCTAssertEqual(name, MoteCoreDSP.available.first ?? "portable")
        }
        XCTAssertEqual(kernelTable.dotRows == nil, name == "portable")
        XCTAssertTrue(MoteCoreDSP.install(variant: "portable"))
        XCTAssertNil(kernelTable.panel4)
        XCTAssertFalse(MoteCoreDSP.install(variant: "no-such-variant"))
        print("MoteCoreDSP variants on this CPU: \(MoteCoreDSP.available)")
    }

    func testDotRowsEqualsPortableLoop() {
        var rng = SeededRandom(0xD07)
        forEachVariant { variant in
            for trial in 0..<400 {
                let count = Int.random(in: 1...700, using: &rng), rows = Int.random(in: 1...13, using: &rng)
                let stride = count + Int.random(in: 0...9, using: &rng)
                let extreme = trial % 9 == 0  // all -128: the largest products, wrapping sums
                let w = extreme ? [Int8](repeating: -128, count: stride * rows) : rng.int8s(stride * rows)
                let x = extreme ? [Int8](repeating: -128, count: count) : rng.int8s(count), y = rng.int8s(count)
                let two = trial % 2 == 0
                let outStride = rows + Int.random(in: 0...3, using: &rng)
                let (p, v) = portableThen(variant) { () -> [Int32] in
                    var out = [Int32](repeating: 0x5A5A_5A5A, count: 2 * outStride)
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeBufferPointer { yp in
                            w.withUnsafeBufferPointer { wp in
                                out.withUnsafeMutableBufferPointer { o in
                                    ConvKernels.dotRows(xp.baseAddress!, two ? yp.baseAddress! : nil, wp.baseAddress!, stride: stride, count: count,
                                                        rows: rows, o.baseAddress!, outStride: outStride)
                                }
                            }
                        }
                    }
                    return out
                }
                XCTAssertEqual(p, v, "\(variant) trial \(trial): count \(count) rows \(rows) stride \(stride) two \(two)")
            }
        }
    }

    func testPanel4EqualsPortableLoop() {
        var rng = SeededRandom(0x9A4E1)
        forEachVariant { variant in
            for trial in 0..<400 {
                // One chunk: 1...16 output channels take 16 lanes, 17...32 take 32 (the rest
                // weight 0); the filter is packed the way the installed table's panel4 reads it.
                let depth = Int.random(in: 1...32, using: &rng), width = depth > 16 ? 32 : 16
                let rows = Int.random(in: 1...5, using: &rng), run = Int.random(in: 1...80, using: &rng)
                let rowStride = run + Int.random(in: 0...20, using: &rng), pixelStride = Int.random(in: 1...100, using: &rng)
                let inputBytes = 3 * pixelStride + (rows - 1) * rowStride + run
                let extreme = trial % 9 == 0
                let input = extreme ? [Int8](repeating: -128, count: inputBytes) : rng.int8s(inputBytes)
                let k = rows * run
                let filter = extreme ? [Int8](repeating: -128, count: depth * k) : rng.int8s(depth * k)
                let accStride = width + Int.random(in: 0...8, using: &rng)
                let (p, v) = portableThen(variant) { () -> [Int32] in
                    var acc = [Int32](repeating: 0x5A5A_5A5A, count: 4 * accStride)
                    let panel = packedPanel(filter, windowBytes: k, outputDepth: depth)
                    input.withUnsafeBufferPointer { ip in
                        panel.withUnsafeBufferPointer { pp in
                            acc.withUnsafeMutableBufferPointer { a in
                                let win = ConvKernels.Windows(base: ip.baseAddress!, pixelStride: pixelStride, rowStride: rowStride, rows: rows, run: run)
                                ConvKernels.panel4(win, panel: pp.baseAddress!, width: width, a.baseAddress!, accStride: accStride)
                            }
                        }
                    }
                    return acc
                }
                XCTAssertEqual(p, v, "\(variant) trial \(trial): depth \(depth) rows \(rows) run \(run) strides \(pixelStride),\(rowStride)")
            }
        }
    }

    /// `Conv2DOptimized.accumulateRun` (the table's `panelRun`, or the Swift loop over
    /// `panel4`) on runs of 1...11 pixels and 1...80 output channels (several chunks), against
    /// the portable loop: the same sums in every channel of every pixel, nothing written past
    /// the run's rows.
    func testPanelRunEqualsPortableLoop() {
        var rng = SeededRandom(0x9A4E2)
        forEachVariant { variant in
            for trial in 0..<300 {
                let depth = Int.random(in: 1...80, using: &rng), padded = Conv2DOptimized.paddedDepth(depth)
                let rows = Int.random(in: 1...5, using: &rng), run = Int.random(in: 1...48, using: &rng)
                let pixels = Int.random(in: 1...11, using: &rng)
                let rowStride = run + Int.random(in: 0...20, using: &rng), pixelStride = Int.random(in: 1...60, using: &rng)
                let k = rows * run
                guard Conv2DOptimized.panelBytes(windowBytes: k, outputDepth: depth, groups: 1) > 0 else { continue }
                let inputBytes = (pixels - 1) * pixelStride + (rows - 1) * rowStride + run
                let extreme = trial % 9 == 0
                let input = extreme ? [Int8](repeating: -128, count: inputBytes) : rng.int8s(inputBytes)
                let filter = extreme ? [Int8](repeating: -128, count: depth * k) : rng.int8s(depth * k)
                let accStride = padded + Int.random(in: 0...8, using: &rng)
                let (p, v) = portableThen(variant) { () -> [Int32] in
                    var acc = [Int32](repeating: 0x5A5A_5A5A, count: (pixels + 1) * accStride)
                    let panel = packedPanel(filter, windowBytes: k, outputDepth: depth)
                    input.withUnsafeBufferPointer { ip in
                        panel.withUnsafeBufferPointer { pp in
                            acc.withUnsafeMutableBufferPointer { a in
                                let win = ConvKernels.Windows(base: ip.baseAddress!, pixelStride: pixelStride, rowStride: rowStride, rows: rows, run: run)
                                Conv2DOptimized.accumulateRun(win, pixels: pixels, panel: pp.baseAddress!, windowBytes: k, outputDepth: depth,
                                                              a.baseAddress!, accStride: accStride)
                            }
                        }
                    }
                    // Channels past `depth` are unspecified; the row after the run must be untouched.
                    var sums = [Int32]()
                    for q in 0..<pixels { sums += acc[(q * accStride)..<(q * accStride + depth)] }
                    return sums + acc[(pixels * accStride)...]
                }
                XCTAssertEqual(p, v, "\(variant) trial \(trial): depth \(depth) pixels \(pixels) rows \(rows) run \(run) strides \(pixelStride),\(rowStride)")
                // An independent check of the portable sums: pixel 0, channel 0 recomputed.
                var s: Int32 = 0
                for r in 0..<rows { for i in 0..<run { s &+= Int32(input[r * rowStride + i]) &* Int32(filter[r * run + i]) } }
                XCTAssertEqual(p.first, s)
            }
        }
    }

    func testRequantizeEqualsPortableLoop() {
        var rng = SeededRandom(0x7E0)
        forEachVariant { variant in
            for trial in 0..<300 {
                let channels = Int.random(in: 1...70, using: &rng)
                // QuantizeMultiplier's range: m in [2^30, 2^31) (or 0), shift in -31...30.
                let multipliers = (0..<channels).map { _ in Bool.random(using: &rng) || trial % 7 == 0 ? Int32.random(in: (1 << 30)...Int32.max, using: &rng) : 0 }
                let shifts = (0..<channels).map { _ in Int8.random(in: -31...30, using: &rng) }
                let folded = (0..<channels).map { _ in Int32.random(in: Int32.min...Int32.max, using: &rng) }
                let rows = Int.random(in: 1...5, using: &rng)
                let first = Int.random(in: 0..<channels, using: &rng), count = Int.random(in: 1...(channels - first), using: &rng)
                let accStride = channels + Int.random(in: 0...4, using: &rng)
                let acc = (0..<(rows * accStride)).map { _ in
                    trial % 3 == 0 ? Int32.random(in: Int32.min...Int32.max, using: &rng) : Int32.random(in: -100_000...100_000, using: &rng)
                }
                let single = Bool.random(using: &rng)
                let zero = Int32.random(in: -128...127, using: &rng)
                let lo = Int32.random(in: -128...0, using: &rng), hi = Int32.random(in: 0...127, using: &rng)
                let (p, v) = portableThen(variant) {
                    Self.requantized(multipliers, shifts, folded, single: single, zero: zero, lo: lo, hi: hi, acc: acc, accStride: accStride,
                                     rows: rows, first: first, count: count, outBytes: rows * accStride, outStride: accStride)
                }
                XCTAssertEqual(p, v, "\(variant) trial \(trial): channels \(channels) first \(first) count \(count) single \(single)")
            }
        }
    }

    /// `ChannelRequantization.lanes` through the table's `requantizationLanes` against the
    /// portable loops, value for value: both rounding forms, every exponent -31...30, random
    /// multipliers (QuantizeMultiplier's range and the int32 ends), 1 to 70 channels.
    func testRequantizationLanesEqualPortableLoops() {
        forEachVariant { variant in
            var rng = SeededRandom(0x1A7E5)
            for n in 1...70 {
                for single in [false, true] {
                    let multipliers = (0..<n).map { c -> Int32 in
                        c % 7 == 0 ? [Int32.max, Int32.min, 0, 1 << 30][c / 7 % 4] : Int32.random(in: (1 << 30)...Int32.max, using: &rng)
                    }
                    let shifts = (0..<n).map { c in Int8(truncatingIfNeeded: (c &+ n) % 62 - 31) }
                    let folded = [Int32](repeating: 0, count: n)
                    let (portable, table) = portableThen(variant) { () -> [Int64] in
                        multipliers.withUnsafeBufferPointer { m in
                            shifts.withUnsafeBufferPointer { s in
                                folded.withUnsafeBufferPointer { f in
                                    let q = ChannelRequantization(multipliers: m.baseAddress!, shifts: s.baseAddress!, foldedBias: f.baseAddress!,
                                                                  channels: n, singleRounding: single, outputOffset: 0, activationMin: -128,
                                                                  activationMax: 127)
                                    let memory = UnsafeMutableRawPointer.allocate(byteCount: q.laneBytes, alignment: 16)
                                    defer { memory.deallocate() }
                                    let l = q.lanes(in: memory)
                                    return (0..<n).flatMap { c in
                                        [l.rounding[c], l.negative[c], l.rightShift[c], l.wideMultipliers[c], Int64(l.leftShift[c])]
                                    }
                                }
                            }
                        }
                    }
                    XCTAssertEqual(portable, table, "\(variant) n \(n) single \(single)")
                }
            }
        }
    }

    /// `ConvKernels.requantize` of `rows` rows of `acc` (row r at r * accStride), channels
    /// `first ..< first + count` of the per-channel table given by the arrays, through the lanes
    /// `ChannelRequantization.lanes` derives, into `outBytes` bytes prefilled with 0x5A (row r
    /// at r * outStride, each row's channel c at its offset c).
    static func requantized(_ multipliers: [Int32], _ shifts: [Int8], _ folded: [Int32], single: Bool, zero: Int32, lo: Int32, hi: Int32,
                            acc: [Int32], accStride: Int, rows: Int, first: Int, count: Int, outBytes: Int, outStride: Int) -> [Int8] {
        var out = [Int8](repeating: 0x5A, count: outBytes)
        multipliers.withUnsafeBufferPointer { m in
            shifts.withUnsafeBufferPointer { s in
                folded.withUnsafeBufferPointer { f in
                    let q = ChannelRequantization(multipliers: m.baseAddress!, shifts: s.baseAddress!, foldedBias: f.baseAddress!,
                                                  channels: multipliers.count, singleRounding: single, outputOffset: zero,
                                                  activationMin: lo, activationMax: hi)
                    let memory = UnsafeMutableRawPointer.allocate(byteCount: q.laneBytes, alignment: 16)
                    defer { memory.deallocate() }
                    let lanes = q.lanes(in: memory)
                    acc.withUnsafeBufferPointer { a in
                        out.withUnsafeMutableBufferPointer { o in
                            ConvKernels.requantize(lanes, a.baseAddress! + first, accStride: accStride, rows: rows, first: first,
                                                   count: count, out: o.baseAddress! + first, outStride: outStride)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Every row length 1...40 with 1...9 rows (the variants split rows into 16-channel chunks
    /// and pack two rows of up to 8 channels per vector), accumulator and output strides
    /// above the row length, the extreme multipliers, shifts and accumulators, layer-like
    /// exponents (-20...-1: the variants' 32-bit final shift) and the whole int8 range (their
    /// saturating narrowing).
    func testRequantizeEveryShapeAndExtremes() {
        var rng = SeededRandom(0x5EA1)
        let extremeMultipliers: [Int32] = [0, 1 << 30, Int32.max, (1 << 30) + 1]
        let extremeShifts: [Int8] = [-31, -30, -1, 0, 1, 29, 30]
        let extremeAcc: [Int32] = [Int32.min, Int32.min + 1, -1, 0, 1, Int32.max - 1, Int32.max]
        forEachVariant { variant in
            for count in 1...40 {
                for rows in 1...9 {
                    // A third of the cases extreme, a third with only negative exponents (as in
                    // nearly every real layer: the variants' 32-bit final shift), a third mixed.
                    let extreme = (count + rows) % 3 == 0, negativeShifts = (count + rows) % 3 == 1
                    let multipliers = (0..<count).map { _ in extreme ? extremeMultipliers.randomElement(using: &rng)! : Int32.random(in: (1 << 30)...Int32.max, using: &rng) }
                    let shifts = (0..<count).map { _ in
                        extreme ? extremeShifts.randomElement(using: &rng)! : Int8.random(in: negativeShifts ? -20...(-1) : -31...30, using: &rng)
                    }
                    let folded = (0..<count).map { _ in extreme ? extremeAcc.randomElement(using: &rng)! : Int32.random(in: -50_000...50_000, using: &rng) }
                    let accStride = count + Int.random(in: 0...3, using: &rng), outStride = count + Int.random(in: 0...3, using: &rng)
                    let acc = (0..<(rows * accStride)).map { _ in
                        extreme ? extremeAcc.randomElement(using: &rng)! : Int32.random(in: -2_000_000...2_000_000, using: &rng)
                    }
                    let single = Bool.random(using: &rng)
                    let zero = Int32.random(in: -128...127, using: &rng)
                    // Half the cases with the whole int8 range (no activation, or RELU at zero point -128).
                    let whole = (count * 7 + rows) % 2 == 0
                    let lo = whole ? -128 : Int32.random(in: -128...0, using: &rng), hi = whole ? 127 : Int32.random(in: 0...127, using: &rng)
                    let (p, v) = portableThen(variant) {
                        Self.requantized(multipliers, shifts, folded, single: single, zero: zero, lo: lo, hi: hi, acc: acc, accStride: accStride,
                                         rows: rows, first: 0, count: count, outBytes: rows * outStride + 16, outStride: outStride)
                    }
                    XCTAssertEqual(p, v, "\(variant): count \(count) rows \(rows) strides \(accStride),\(outStride) single \(single) extreme \(extreme) negative \(negativeShifts) range \(lo)...\(hi)")
                }
            }
        }
    }

    /// `Pool2DOptimized` (portable runs, then each variant's) against `Pool2DReference` on
    /// random geometries: border runs, 1 to 80 channels (vector tails), large windows whose
    /// averages need the rounding, fused ranges.
    func testPoolingEqualsReference() throws {
        var rng = SplitMix64(seed: 0x9001)
        var problems: [(ConvGeometry, [Int8], Int, Int)] = []
        for trial in 0..<160 {
            // Every 8th one window over the whole image; every 4th 2-column windows at column
            // stride 2 over 16 or 32 channels (the AVX-512 variant's several-pixels path).
            let big = trial % 8 == 0, tiled = trial % 4 == 1
            let h = 1 + rng.below(big ? 26 : 12), w = 1 + rng.below(big || tiled ? 26 : 12), n = 1 + rng.below(2)
            let c = tiled ? [16, 32][rng.below(2)] : 1 + rng.below(80)
            let filter = big ? (h, w) : (1 + rng.below(4), tiled ? 2 : 1 + rng.below(4))
            let stride = (1 + rng.below(3), tiled ? 2 : 1 + rng.below(3))
            guard let g = PoolTests.geometry(n: n, h: h, w: w, c: c, filter: filter, stride: stride, same: rng.below(2) == 0) else { continue }
            // Every 5th all one extreme value: the largest sums, exact halves after division.
            let fill: Int8? = trial % 5 == 0 ? (rng.below(2) == 0 ? -128 : 127) : nil
            let input = (0..<(n * h * w * c)).map { _ in fill ?? Int8(truncatingIfNeeded: rng.next()) }
            let lo = rng.below(3) == 0 ? -20 : -128, hi = rng.below(3) == 0 ? 40 : 127
            problems.append((g, input, lo, hi))
        }
        defer { MoteCoreDSP.install(variant: "portable") }
        for variant in ["portable"] + MoteCoreDSP.available {
            XCTAssertTrue(MoteCoreDSP.install(variant: variant))
            for (trial, (g, input, lo, hi)) in problems.enumerated() {
                for average in [false, true] {
                    XCTAssertEqual(PoolTests.run(g, input, average: average, lo: lo, hi: hi, optimized: true), PoolTests.run(g, input, average: average, lo: lo, hi: hi),
                                   "\(variant) trial \(trial) average \(average): \(g.inputHeight)x\(g.inputWidth)x\(g.inputDepth) k \(g.filterHeight)x\(g.filterWidth) s \(g.strideHeight),\(g.strideWidth)")
                }
            }
        }
    }

    /// Whole operators (their optimized eval, every inner loop from the table) against the
    /// reference routines, on the operator tests' wide random problems.
    func testOperatorsWithVariantsEqualReferenceRoutines() throws {
        try forEachVariant { variant in
            var rng = SeededRandom(0xC0A1)
            for trial in 0..<150 {
                let p = ConvProblem.wide(&rng)
                let (fast, slow) = try OpHarness.runBoth(Conv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                    Conv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                        filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                        output: ctx.output(0, as: Int8.self))
                }
                XCTAssertEqual(fast, slow, "\(variant) conv trial \(trial): out \(p.outputShape) groups \(p.groups) k \(p.kernelH)x\(p.kernelW)")
            }
            for trial in 0..<150 {
                let p = DepthwiseProblem.wide(&rng)
                let (fast, slow) = try OpHarness.runBoth(DepthwiseConv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                    DepthwiseConv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                                 filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                                 output: ctx.output(0, as: Int8.self))
                }
                XCTAssertEqual(fast, slow, "\(variant) depthwise trial \(trial): out \(p.outputShape) mult \(p.multiplier) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW)")
            }
            for trial in 0..<150 {
                let p = FullyConnectedProblem.wide(&rng)
                let (fast, slow) = try OpHarness.runBoth(FullyConnectedKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                    FullyConnectedReference.run(params.shape, params.requantization, weightsOffset: params.weightsOffset,
                                                input: ctx.input(0, as: Int8.self), filter: ctx.input(1, as: Int8.self),
                                                bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self), output: ctx.output(0, as: Int8.self))
                }
                XCTAssertEqual(fast, slow, "\(variant) fully connected trial \(trial): \(p.inputShape) x [\(p.units), \(p.depth)]")
            }
        }
    }

    /// The depthwise row kernels (packed pixels and flat runs) against the reference routine:
    /// every channel count 1...70 (blocks of 32 lanes, partial blocks, channels that divide 32
    /// and those that do not), strides 1-3, dilations 1-2, multipliers 1-2, and paddings
    /// before and after the image on both axes (SAME with odd and even sizes, and VALID).
    func testDepthwiseRowKernelsEqualReferenceRoutine() throws {
        try forEachVariant { variant in
            var rng = SeededRandom(0xD3C0)
            for channels in 1...70 {
                for trial in 0..<2 {
                    var p = DepthwiseProblem.wide(&rng)
                    p.batches = 1
                    p.inputDepth = channels
                    p.multiplier = channels <= 35 && trial == 1 ? 2 : 1
                    p.kernelH = [3, 3, 1, 2, 5].randomElement(using: &rng)!
                    p.kernelW = [3, 3, 1, 2, 5].randomElement(using: &rng)!
                    p.strideH = (channels &+ trial) % 3 + 1
                    p.strideW = (channels / 3 &+ trial) % 3 + 1
                    p.dilationH = trial == 0 ? 1 : Int.random(in: 1...2, using: &rng)
                    p.dilationW = trial == 0 ? 1 : Int.random(in: 1...2, using: &rng)
                    p.same = channels % 5 != 0
                    p.height = (p.kernelH - 1) * p.dilationH + 1 + Int.random(in: 0...7, using: &rng)
                    p.width = (p.kernelW - 1) * p.dilationW + 1 + Int.random(in: 0...9, using: &rng)
                    p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
                    p.input = rng.int8s(p.height * p.width * p.inputDepth)
                    p.filter = rng.int8s(p.kernelH * p.kernelW * p.outputDepth)
                    p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -100_000...100_000, using: &rng) }
                    let (fast, slow) = try OpHarness.runBoth(DepthwiseConv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                        DepthwiseConv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                                     filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                                     output: ctx.output(0, as: Int8.self))
                    }
                    XCTAssertEqual(fast, slow, "\(variant) depthwise C \(channels) mult \(p.multiplier) in \(p.height)x\(p.width) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW) d \(p.dilationH),\(p.dilationW) same \(p.same)")
                }
            }
        }
    }

    /// Counts the images `KernelTable.depthwiseImage` took (returned 1) while installed by
    /// `countingDepthwiseImage`.
    enum ImageCount {
        nonisolated(unsafe) static var original: KernelTable.DepthwiseImage?
        nonisolated(unsafe) static var taken = 0
    }

    /// The installed table's `depthwiseImage`, counting the images it takes.
    func countingDepthwiseImage() {
        ImageCount.original = kernelTable.depthwiseImage
        guard ImageCount.original != nil else { return }
        kernelTable.depthwiseImage = { a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab in
            let done = ImageCount.original!(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab)
            ImageCount.taken &+= done
            return done
        }
    }

    /// The whole-image depthwise form (`depthwiseImage`: padded rows, taps in groups of four,
    /// requantized in the same pass) against the reference routine, with every variant:
    /// channels dividing 64, their neighbours and 128, strides 1-3, dilations 1-2, filters 1x1 to
    /// 5x5, SAME and VALID, every fused activation, input and output zero points at the
    /// int8 ends, one and two images; asserts that the form takes every one it may.
    func testDepthwiseImageKernelEqualsReferenceRoutine() throws {
        try forEachVariant { variant in
            countingDepthwiseImage()
            ImageCount.taken = 0
            var rng = SeededRandom(0x1A6E)
            var eligible = 0
            for channels in [1, 2, 4, 7, 8, 9, 16, 24, 32, 33, 64, 128] {
                for trial in 0..<6 {
                    var p = DepthwiseProblem.wide(&rng)
                    p.batches = 1 + trial % 2
                    p.inputDepth = channels
                    p.multiplier = 1
                    p.kernelH = [3, 3, 1, 2, 5].randomElement(using: &rng)!
                    p.kernelW = [3, 3, 1, 2, 5].randomElement(using: &rng)!
                    p.strideH = trial % 3 + 1
                    p.strideW = trial < 3 ? 1 : trial - 2
                    p.dilationH = trial % 2 == 0 ? 1 : Int.random(in: 1...2, using: &rng)
                    p.dilationW = trial % 2 == 0 ? 1 : Int.random(in: 1...2, using: &rng)
                    p.same = trial % 4 != 3
                    p.activation = [0, 1, 2, 3].randomElement(using: &rng)!
                    p.inZero = [-128, -3, 0, 127].randomElement(using: &rng)!
                    p.outZero = [-128, 5, 127].randomElement(using: &rng)!
                    p.height = (p.kernelH - 1) * p.dilationH + 1 + Int.random(in: 0...9, using: &rng)
                    p.width = (p.kernelW - 1) * p.dilationW + 1 + Int.random(in: 0...30, using: &rng)
                    p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
                    p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
                    p.filter = rng.int8s(p.kernelH * p.kernelW * p.outputDepth)
                    p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -100_000...100_000, using: &rng) }
                    @inline(__always) func out(_ n: Int, _ k: Int, _ s: Int, _ d: Int) -> Int { p.same ? (n + s - 1) / s : (n - (k - 1) * d - 1) / s + 1 }
                    let pixels = out(p.height, p.kernelH, p.strideH, p.dilationH) * out(p.width, p.kernelW, p.strideW, p.dilationW)
                    if channels < 64 ? 64 % channels == 0 && (p.strideW == 1 || (p.strideW == 2 && channels <= 16))
                                     : channels % 64 == 0 && pixels >= 16 { eligible += p.batches }
                    let (fast, slow) = try OpHarness.runBoth(DepthwiseConv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                        DepthwiseConv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                                     filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                                     output: ctx.output(0, as: Int8.self))
                    }
                    XCTAssertEqual(fast, slow, "\(variant) depthwise C \(channels) \(p.batches) x \(p.height)x\(p.width) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW) d \(p.dilationH),\(p.dilationW) same \(p.same) act \(p.activation) zeros \(p.inZero),\(p.outZero)")
                }
            }
            if ImageCount.original != nil {
                // Declined only when the layer's channels mix right shifts within 32...53 and
                // outside (none here: per-channel scales of one decade).
                print("depthwiseImage \(variant): took \(ImageCount.taken) of \(eligible) eligible images")
                XCTAssertEqual(ImageCount.taken, eligible, "\(variant): \(ImageCount.taken) of \(eligible) images")
            }
        }
    }

    /// Narrow convs over small images (the DS-CNN's first conv and its relatives), which take
    /// `Conv2DOptimized.runColumns` (a padded copy of the image, four output rows column by
    /// column), against the reference routine, with the portable loops and every variant:
    /// 1 to 3 input channels, filters up to 10x4, strides 1-3, row dilation 1-2, SAME and VALID,
    /// output heights that leave 0 to 3 rows after the groups of four.
    func testNarrowConvColumnsEqualReferenceRoutine() throws {
        var rng = SeededRandom(0xC01)
        var problems: [ConvProblem] = []
        var kws = ConvProblem.wide(&rng)
        (kws.batches, kws.groups, kws.height, kws.width, kws.inputDepth, kws.outputDepth) = (1, 1, 49, 10, 1, 64)
        (kws.kernelH, kws.kernelW, kws.strideH, kws.strideW, kws.dilationH, kws.dilationW, kws.same) = (10, 4, 2, 2, 1, 1, true)
        problems.append(kws)
        for trial in 0..<60 {
            var p = ConvProblem.wide(&rng)
            p.batches = 1 + trial % 2
            p.groups = 1
            p.inputDepth = 1 + trial % 3
            p.outputDepth = [1, 8, 16, 17, 32, 40, 64].randomElement(using: &rng)!
            p.kernelH = Int.random(in: 1...10, using: &rng)
            p.kernelW = Int.random(in: 2...4, using: &rng)
            p.strideH = Int.random(in: 1...3, using: &rng)
            p.strideW = Int.random(in: 1...3, using: &rng)
            p.dilationH = Int.random(in: 1...2, using: &rng)
            p.dilationW = 1
            p.same = trial % 3 != 0
            p.height = (p.kernelH - 1) * p.dilationH + 1 + Int.random(in: 0...20, using: &rng)
            p.width = p.kernelW + Int.random(in: 0...6, using: &rng)
            problems.append(p)
        }
        var columns = 0
        for (trial, var p) in problems.enumerated() {
            p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
            p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
            p.filter = rng.int8s(p.outputDepth * p.kernelH * p.kernelW * p.filterDepth)
            p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -100_000...100_000, using: &rng) }
            for variant in ["portable"] + MoteCoreDSP.available {
                XCTAssertTrue(MoteCoreDSP.install(variant: variant))
                var taken = false
                let (fast, slow) = try OpHarness.runBoth(Conv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                    taken = params.panel != nil && Conv2DOptimized.paddedImageBytes(params.geometry) > 0
                    Conv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                        filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                        output: ctx.output(0, as: Int8.self))
                }
                if taken && variant == "portable" { columns += 1 }
                XCTAssertEqual(fast, slow, "\(variant) conv trial \(trial): in \(p.height)x\(p.width)x\(p.inputDepth) out \(p.outputShape) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW) d \(p.dilationH) same \(p.same)")
            }
        }
        MoteCoreDSP.install(variant: "portable")
        XCTAssertGreaterThan(columns, problems.count / 2, "most of these shapes take the columns form")
    }

    /// Every fixture, every sample, with `MoteCoreDSP.install()`'s choice and then with each
    /// variant: the output equals TFLite's reference kernels byte for byte.
    /// CONV_2D's strip form (AVX-512 VNNI only) against the reference routine, on spatial
    /// filters over 1...7 input channels: strides, dilations, SAME/VALID borders, every fused
    /// activation, per-channel and per-tensor scales, output scales that give left shifts,
    /// output channels 1...40 (blocks of 16 and a last one of 8) and rows that end mid-strip.
    func testStripConvEqualsReferenceRoutine() throws {
        guard MoteCoreDSP.available.contains("avx512vnni") else {
            print("no AVX-512 VNNI on this CPU: the strip form is not available, nothing to compare")
            return
        }
        defer { MoteCoreDSP.install(variant: "portable") }
        XCTAssertTrue(MoteCoreDSP.install(variant: "avx512vnni"))
        var rng = SeededRandom(0x57121)
        var strips = 0, trials = 0
        while trials < 160 {
            var p = ConvProblem.random(&rng)
            p.groups = 1
            p.inputDepth = Int.random(in: 1...7, using: &rng)
            p.outputDepth = [1, 3, 8, 9, 16, 17, 24, 33, 40].randomElement(using: &rng)!
            p.kernelH = Int.random(in: 1...5, using: &rng)
            p.kernelW = Int.random(in: 1...5, using: &rng)
            guard p.kernelH * p.kernelW > 1 else { continue }
            p.height = (p.kernelH - 1) * p.dilationH + 1 + Int.random(in: 0...6, using: &rng)
            p.width = (p.kernelW - 1) * p.dilationW + 1 + p.strideW * Int.random(in: 7...40, using: &rng)
            let small = trials % 5 == 0  // multipliers above 1: left shifts
            if small { p.outScale = p.inScale * 0.0005 }
            p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.002...0.02, using: &rng) }
            p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
            p.filter = rng.int8s(p.outputDepth * p.kernelH * p.kernelW * p.filterDepth, -127...127)
            p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -3000...3000, using: &rng) }
            trials += 1
            var taken = false
            let (fast, slow) = try OpHarness.runBoth(Conv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                taken = params.strip
                Conv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                    filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                    output: ctx.output(0, as: Int8.self))
            }
            if taken { strips += 1 }
            XCTAssertEqual(fast, slow, "strip trial \(trials): in \(p.height)x\(p.width)x\(p.inputDepth) out \(p.outputShape) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW) d \(p.dilationH),\(p.dilationW) same \(p.same) act \(p.activation) small \(small)")
        }
        XCTAssertGreaterThan(strips, trials / 2, "most of these shapes take the strip form")
    }

    /// CONV_2D's panel form with the table's `panelRunRequantize` (pointwise convs in one call,
    /// interior runs of spatial ones) against the reference routine, with every fused
    /// activation, input and output zero points, and in a quarter of the trials output scales
    /// that give left shifts.
    func testRequantizingPanelConvEqualsReferenceRoutine() throws {
        try forEachVariant { variant in
            var rng = SeededRandom(0xF05ED)
            for trial in 0..<120 {
                var p = ConvProblem.random(&rng)
                p.groups = 1
                p.inputDepth = [8, 12, 16, 32, 48].randomElement(using: &rng)!
                p.outputDepth = [8, 16, 17, 32, 40, 64].randomElement(using: &rng)!
                if trial % 2 == 0 { (p.kernelH, p.kernelW, p.strideH, p.strideW, p.dilationH, p.dilationW) = (1, 1, 1, 1, 1, 1) }
                p.height = (p.kernelH - 1) * p.dilationH + 1 + Int.random(in: 0...8, using: &rng)
                p.width = (p.kernelW - 1) * p.dilationW + 1 + Int.random(in: 0...20, using: &rng)
                if trial % 4 == 1 { p.outScale = p.inScale * 0.0005 }
                p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.002...0.02, using: &rng) }
                p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
                p.filter = rng.int8s(p.outputDepth * p.kernelH * p.kernelW * p.filterDepth, -127...127)
                p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -3000...3000, using: &rng) }
                let (fast, slow) = try OpHarness.runBoth(Conv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                    Conv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                        filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                        output: ctx.output(0, as: Int8.self))
                }
                XCTAssertEqual(fast, slow, "\(variant) trial \(trial): in \(p.height)x\(p.width)x\(p.inputDepth) out \(p.outputShape) k \(p.kernelH)x\(p.kernelW) act \(p.activation)")
            }
        }
    }

    func testEveryFixtureMatchesReferenceWithDSPKernels() throws {
        let models = try Fixtures.models()
        defer { MoteCoreDSP.install(variant: "portable") }
        let chosen = MoteCoreDSP.install()
        var report: [String] = []
        var failures = 0
        for variant in [chosen] + MoteCoreDSP.available.filter({ $0 != chosen }) {
            XCTAssertTrue(MoteCoreDSP.install(variant: variant))
            var exact = 0, total = 0
            for dir in models {
                let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
                try FixtureConformanceTests.withInterpreter(model) { it in
                    for sample in try Fixtures.samples(dir) {
                        let input = try Fixtures.bytes(dir.appendingPathComponent("inputs/\(sample)"))
                        let expected = try Fixtures.bytes(dir.appendingPathComponent("expected_ref/\(sample)"))
                        try input.withUnsafeBytes { try it.setInput(0, $0) }
                        it.invoke()
                        total += 1
                        if [UInt8](it.output(0)) == expected { exact += 1 } else {
                            failures += 1
                            report.append("\(variant): \(dir.lastPathComponent) sample \(sample) differs from expected_ref")
                        }
                    }
                }
            }
            report.append("\(variant): \(exact)/\(total) outputs byte-exact over \(models.count) models")
        }
        print(report.joined(separator: "\n"))
        XCTAssertEqual(failures, 0, report.joined(separator: "\n"))
    }

    /// A table installed after prepare (against KernelTable's contract) must not change the
    /// bytes: a CONV_2D whose panel was packed for another table's `panel4` runs the reference
    /// routine instead. Prepared with the portable loops, run with each variant, and back.
    func testTableInstalledAfterPrepareKeepsFixtureOutputs() throws {
        defer { MoteCoreDSP.install(variant: "portable") }
        for dir in try Fixtures.models() {
            let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let sample = try XCTUnwrap(try Fixtures.samples(dir).first)
            let input = try Fixtures.bytes(dir.appendingPathComponent("inputs/\(sample)"))
            let expected = try Fixtures.bytes(dir.appendingPathComponent("expected_ref/\(sample)"))
            for prepared in ["portable"] + MoteCoreDSP.available {
                MoteCoreDSP.install(variant: prepared)
                try FixtureConformanceTests.withInterpreter(model) { it in
                    for variant in ["portable"] + MoteCoreDSP.available {
                        MoteCoreDSP.install(variant: variant)
                        try input.withUnsafeBytes { try it.setInput(0, $0) }
                        it.invoke()
                        XCTAssertEqual([UInt8](it.output(0)), expected, "\(dir.lastPathComponent): prepared with \(prepared), run with \(variant)")
                    }
                }
            }
        }
    }
}
