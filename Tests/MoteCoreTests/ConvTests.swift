import Foundation
import XCTest
@testable import MoteCore

// MARK: - Shared helpers for the CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED tests

/// A minimal back-to-front flatbuffer writer, enough for single-operator TFLite test models.
/// Offsets are counted from the end of the buffer while building, as in the flatbuffers
/// library, so earlier objects keep their offsets while later ones are prepended.
final class TinyFlatBufferBuilder {
    private(set) var bytes: [UInt8] = []
    var size: Int { bytes.count }

    enum Field {
        case u8(UInt8), i8(Int8), i32(Int32), u32(UInt32), offset(Int)
    }

    private func prepend(_ b: [UInt8]) { bytes.insert(contentsOf: b, at: 0) }

    /// Pads so that after `length` more bytes the size is a multiple of `alignment`.
    private func align(_ alignment: Int, _ length: Int) {
        let r = (size + length) % alignment
        if r != 0 { prepend([UInt8](repeating: 0, count: alignment - r)) }
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// A vector of `elements` (raw little-endian bytes of `count` elements), its data aligned to `alignment`.
    func vector(_ elements: [UInt8], count: Int, alignment: Int = 4) -> Int {
        align(max(4, alignment), elements.count)
        prepend(elements)
        prepend(Self.le(UInt32(count)))
        return size
    }

    func int32Vector(_ v: [Int32]) -> Int { vector(v.flatMap { Self.le($0) }, count: v.count) }
    func int64Vector(_ v: [Int64]) -> Int { vector(v.flatMap { Self.le($0) }, count: v.count, alignment: 8) }
    func floatVector(_ v: [Float]) -> Int { vector(v.flatMap { Self.le($0.bitPattern) }, count: v.count) }

    /// A vector of offsets to tables or vectors built before.
    func offsetVector(_ targets: [Int]) -> Int {
        align(4, 4 * targets.count + 4)
        for t in targets.reversed() { prepend(Self.le(UInt32(size + 4 - t))) }
        prepend(Self.le(UInt32(targets.count)))
        return size
    }

    /// A table whose fields each take a 4-byte slot; its vtable sits right before it.
    func table(_ fields: [(slot: Int, value: Field)]) -> Int {
        let tableSize = 4 + 4 * fields.count
        align(4, tableSize)
        let end = size + tableSize  // the table's offset once prepended
        var body = [UInt8](repeating: 0, count: tableSize)
        func put(_ b: [UInt8], _ at: Int) { for (i, x) in b.enumerated() { body[at + i] = x } }
        let maxSlot = fields.map(\.slot).max() ?? -1
        var slotOffsets = [UInt16](repeating: 0, count: maxSlot + 1)
        for (i, f) in fields.enumerated() {
            let at = 4 + 4 * i
            slotOffsets[f.slot] = UInt16(at)
            switch f.value {
            case .u8(let v): put([v], at)
            case .i8(let v): put([UInt8(bitPattern: v)], at)
            case .i32(let v): put(Self.le(v), at)
            case .u32(let v): put(Self.le(v), at)
            case .offset(let t): put(Self.le(UInt32(end - at - t)), at)
            }
        }
        let vtableSize = 4 + 2 * (maxSlot + 1)
        put(Self.le(Int32(vtableSize)), 0)  // table position minus vtable position
        prepend(body)
        prepend([UInt16(vtableSize), UInt16(tableSize)].flatMap { Self.le($0) } + slotOffsets.flatMap { Self.le($0) })
        return end
    }

    /// The finished buffer with `root` as its root table and the "TFL3" identifier.
    func finish(_ root: Int) -> [UInt8] {
        align(8, 8)
        prepend(Array("TFL3".utf8))
        prepend(Self.le(UInt32(size + 4 - root)))
        return bytes
    }
}

/// A single-operator TFLite model for the kernel tests.
struct TinyModel {
    struct Tensor {
        var shape: [Int]
        var type: TensorType = .int8
        var data: [UInt8]? = nil
        var scales: [Float] = []
        var zeroPoints: [Int64] = []
        var quantizedDimension: Int32 = 0
    }

    var tensors: [Tensor]
    var builtin: Int32
    var version: Int32 = 1
    var inputs: [Int32]
    var outputs: [Int32]
    var optionsType: UInt8
    var options: [(slot: Int, value: TinyFlatBufferBuilder.Field)]

    func serialize() -> [UInt8] {
        let b = TinyFlatBufferBuilder()
        var bufferTables = [b.table([])]
        var bufferIndex: [Int: UInt32] = [:]
        for (i, t) in tensors.enumerated() {
            guard let data = t.data else { continue }
            let v = b.vector(data, count: data.count, alignment: 16)
            bufferIndex[i] = UInt32(bufferTables.count)
            bufferTables.append(b.table([(0, .offset(v))]))
        }
        var tensorTables: [Int] = []
        for (i, t) in tensors.enumerated() {
            let shape = b.int32Vector(t.shape.map { Int32($0) })
            var fields: [(slot: Int, value: TinyFlatBufferBuilder.Field)] = [(0, .offset(shape)), (1, .u8(t.type.rawValue)), (2, .u32(bufferIndex[i] ?? 0))]
            if !t.scales.isEmpty || !t.zeroPoints.isEmpty {
                let s = b.floatVector(t.scales), z = b.int64Vector(t.zeroPoints)
                fields.append((4, .offset(b.table([(2, .offset(s)), (3, .offset(z)), (6, .i32(t.quantizedDimension))]))))
            }
            tensorTables.append(b.table(fields))
        }
        let opInputs = b.int32Vector(inputs), opOutputs = b.int32Vector(outputs)
        var opFields: [(slot: Int, value: TinyFlatBufferBuilder.Field)] = [(0, .u32(0)), (1, .offset(opInputs)), (2, .offset(opOutputs))]
        if optionsType != 0 {
            opFields.append((3, .u8(optionsType)))
            opFields.append((4, .offset(b.table(options))))
        }
        let op = b.table(opFields)
        let graphInputs = inputs.filter { $0 >= 0 && tensors[Int($0)].data == nil }
        let sg = b.table([(0, .offset(b.offsetVector(tensorTables))), (1, .offset(b.int32Vector(graphInputs))),
                          (2, .offset(b.int32Vector(outputs))), (3, .offset(b.offsetVector([op])))])
        let code = b.table([(0, .i8(Int8(min(builtin, 127)))), (2, .i32(version)), (3, .i32(builtin))])
        let model = b.table([(0, .u32(3)), (1, .offset(b.offsetVector([code]))), (2, .offset(b.offsetVector([sg]))),
                             (4, .offset(b.offsetVector(bufferTables)))])
        return b.finish(model)
    }
}

/// Runs one operator of a model through its kernel's persistentBytes / prepare / eval, with
/// caller-given bytes for the non-constant tensors, the way the interpreter does it.
enum OpHarness {
    /// Runs the operator; with `reference`, also runs that routine on the same prepared
    /// parameters and tensors into a second output buffer, returned as `reference`.
    static func run<K: OperatorKernel>(_ kernel: K.Type, model: [UInt8], op opIndex: Int = 0, data: [Int: [UInt8]],
                                       policy: Interpreter.MemoryPolicy = .fast) throws -> [UInt8] {
        try runBoth(kernel, model: model, op: opIndex, data: data, policy: policy, reference: nil).output
    }

    /// `policy` picks the kernel form: `.fast` (the default here) the optimized routines,
    /// `.compact` the reference routines.
    static func runBoth<K: OperatorKernel>(_ kernel: K.Type, model: [UInt8], op opIndex: Int = 0, data: [Int: [UInt8]],
                                           policy: Interpreter.MemoryPolicy = .fast,
                                           reference: ((K.Params, borrowing EvalContext) -> Void)?) throws -> (output: [UInt8], reference: [UInt8]) {
        try model.withUnsafeBytes { raw -> ([UInt8], [UInt8]) in
            let view = try ModelView(raw)
            let sg = view.subgraph(0)!
            let (code, version, op) = try Interpreter.resolve(view, sg, opIndex)
            guard version >= 1, version <= K.maxVersion else {
                throw MoteError(.unsupportedOperator, "operator version not supported", value: Int(version))
            }
            var ctx = PrepareContext(operatorIndex: Int32(opIndex), builtinCode: code, version: version, op: op, model: view, subgraph: sg,
                                     memoryPolicy: policy)
            let persistentBytes = K.persistentBytes(ctx)
            let persistent = UnsafeMutableRawBufferPointer.allocate(byteCount: persistentBytes + 16, alignment: 16)
            defer { persistent.deallocate() }
            ctx.persistent = UnsafeMutableRawBufferPointer(rebasing: persistent[0..<persistentBytes])
            let params = try K.prepare(&ctx)
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: ctx.scratchBytes + 16, alignment: 16)
            defer { scratch.deallocate() }

            var owned: [UnsafeMutableRawPointer] = []
            defer { owned.forEach { $0.deallocate() } }
            let slots = UnsafeMutablePointer<TensorSlot>.allocate(capacity: sg.tensorCount)
            defer { slots.deallocate() }
            let dummy = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
            owned.append(dummy)
            for t in 0..<sg.tensorCount {
                slots[t] = TensorSlot(data: dummy, byteCount: 0, firstUse: 0, lastUse: 0, offset: -1, alias: -1, flags: 0)
            }
            var used: [Int32] = []
            for k in 0..<op.inputs.count { used.append(op.inputs.i32(k)) }
            for k in 0..<op.outputs.count { used.append(op.outputs.i32(k)) }
            for t in used where t >= 0 {
                let info = try TensorInfo.load(t, model: view, subgraph: sg, op: -1)
                if info.isConstant {
                    slots[Int(t)].data = UnsafeMutableRawPointer(mutating: info.data.baseAddress!)
                } else {
                    let p = UnsafeMutableRawPointer.allocate(byteCount: info.byteCount + 16, alignment: 16)
                    owned.append(p)
                    memset(p, 0x5A, info.byteCount + 16)
                    if let bytes = data[Int(t)] {
                        precondition(bytes.count == info.byteCount, "tensor \(t): \(bytes.count) bytes given, \(info.byteCount) expected")
                        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                    }
                    slots[Int(t)].data = p
                }
                slots[Int(t)].byteCount = Int32(info.byteCount)
            }
            K.eval(EvalContext(inputs: op.inputs, outputs: op.outputs, tensors: UnsafePointer(slots), tensorCount: sg.tensorCount, scratch: scratch), params)
            let out = slots[Int(op.outputs.i32(0))]
            let result = [UInt8](UnsafeRawBufferPointer(start: out.data, count: Int(out.byteCount)))
            var second: [UInt8] = []
            if let reference {
                memset(out.data!, 0x5A, Int(out.byteCount))
                reference(params, EvalContext(inputs: op.inputs, outputs: op.outputs, tensors: UnsafePointer(slots), tensorCount: sg.tensorCount, scratch: scratch))
                second = [UInt8](UnsafeRawBufferPointer(start: out.data, count: Int(out.byteCount)))
            }
            return (result, second)
        }
    }

    /// Runs every operator with builtin code `builtin` of every fixture model on the saved
    /// intermediates of sample 000 and compares its output with the saved one. Returns the
    /// number of operators checked and a line per mismatch.
    static func fixtureOps<K: OperatorKernel>(_ kernel: K.Type, builtin: String, policy: Interpreter.MemoryPolicy) throws -> (checked: Int, failures: [String]) {
        var checked = 0
        var failures: [String] = []
        for dir in try Fixtures.models() {
            let meta = try Fixtures.json(dir.appendingPathComponent("meta.json"))
            let index = try Fixtures.json(dir.appendingPathComponent("intermediates_000/index.json"))
            var files: [Int: String] = [:]
            for t in index["tensors"] as! [[String: Any]] { files[t["tensor_index"] as! Int] = t["file"] as? String }
            let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            for op in meta["ops"] as! [[String: Any]] where op["op_name"] as? String == builtin {
                let i = op["index"] as! Int
                var data: [Int: [UInt8]] = [:]
                for t in op["inputs"] as! [Int] where t >= 0 {
                    if let f = files[t] { data[t] = try Fixtures.bytes(dir.appendingPathComponent("intermediates_000/\(f)")) }
                }
                let outT = (op["outputs"] as! [Int])[0]
                let expected = try Fixtures.bytes(dir.appendingPathComponent("intermediates_000/\(files[outT]!)"))
                checked += 1
                do {
                    let got = try run(kernel, model: model, op: i, data: data, policy: policy)
                    if got != expected {
                        let n = zip(got, expected).filter { $0 != $1 }.count
                        failures.append("\(dir.lastPathComponent) op \(i) (\(policy)): \(n) of \(expected.count) bytes differ")
                    }
                } catch let e as MoteError {
                    failures.append("\(dir.lastPathComponent) op \(i): prepare failed: \(e.kind) \(e.message)")
                }
            }
        }
        return (checked, failures)
    }

    /// The kind of error that running `model` throws, or nil when it runs; both memory
    /// policies must agree.
    static func rejection<K: OperatorKernel>(_ kernel: K.Type, _ model: TinyModel) -> MoteError.Kind? {
        func outcome(_ policy: Interpreter.MemoryPolicy) -> MoteError.Kind? {
            do {
                _ = try run(kernel, model: model.serialize(), data: [:], policy: policy)
                return nil
            } catch let e as MoteError {
                return e.kind
            } catch {
                return .invalidArgument
            }
        }
        let fast = outcome(.fast)
        XCTAssertEqual(outcome(.compact), fast, "the memory policies disagree")
        return fast
    }
}

/// Independent re-computations of TFLite's quantization arithmetic for the tests: Foundation's
/// `frexp` and `round`, and exact Int64 rounding written as "round half away from zero" rather
/// than gemmlowp's bit tricks.
enum RefMath {
    static func quantizeMultiplier(_ real: Double) -> (Int32, Int32) {
        if real == 0 { return (0, 0) }
        let (fraction, exp) = frexp(real)
        var q = Int64((fraction * 2147483648.0).rounded(.toNearestOrAwayFromZero))
        var e = exp
        if q == 1 << 31 { q /= 2; e += 1 }
        if e < -31 { return (0, 0) }
        if e > 30 { return (Int32.max, 30) }
        return (Int32(q), Int32(e))
    }

    /// `round(a / 2^k)`, ties away from zero.
    static func roundHalfAway(_ a: Int64, _ k: Int64) -> Int64 {
        if k == 0 { return a }
        let m = a.magnitude
        let r = Int64((m + (UInt64(1) << (k - 1))) >> k)
        return a < 0 ? -r : r
    }

    /// `floor(a / 2^k)`.
    static func floorDiv(_ a: Int64, _ k: Int64) -> Int64 { a >> k }

    /// Double rounding: `round_half_away(floor((x * 2^left * m + 2^30) / 2^31) / 2^right)`;
    /// gemmlowp's SaturatingRoundingDoublingHighMul rounds ties up (its nudge for negative
    /// products is `1 - 2^30`, then it truncates), RoundingDivideByPOT rounds ties away from zero.
    static func doubleRounding(_ acc: Int64, _ m: Int32, _ shift: Int32) -> Int64 {
        let left = Int64(max(shift, 0)), right = Int64(max(-shift, 0))
        let x = acc << left
        precondition(x >= Int64(Int32.min) && x <= Int64(Int32.max), "test data leaves the int32 range")
        if x == Int64(Int32.min) && m == Int32.min { return Int64(Int32.max) }
        return roundHalfAway(floorDiv(x * Int64(m) + (1 << 30), 31), right)
    }

    /// Single rounding: floor(acc * m / 2^(31 - shift) + 1/2).
    static func singleRounding(_ acc: Int64, _ m: Int32, _ shift: Int32) -> Int64 {
        let k = Int64(31 - shift)
        let p = acc * Int64(m) + (Int64(1) << (k - 1))
        let q = p / (Int64(1) << k)
        return (p % (Int64(1) << k) != 0 && p < 0) ? q - 1 : q
    }

    /// TFLite's fused-activation range for an int8 output.
    static func activationRange(_ act: Int8, scale: Float, zeroPoint: Int32) -> (Int64, Int64) {
        func q(_ x: Float) -> Int64 { Int64(zeroPoint) + Int64((x / scale).rounded(.toNearestOrAwayFromZero)) }
        switch act {
        case 1: return (max(-128, q(0)), 127)
        case 2: return (max(-128, q(-1)), min(127, q(1)))
        case 3: return (max(-128, q(0)), min(127, q(6)))
        default: return (-128, 127)
        }
    }

    /// The int8 output for accumulator `acc` of a channel with real multiplier `real`.
    static func output(_ acc: Int64, real: Double, outZero: Int32, range: (Int64, Int64), single: Bool) -> Int8 {
        let (m, s) = quantizeMultiplier(real)
        let scaled = single ? singleRounding(acc, m, s) : doubleRounding(acc, m, s)
        return Int8(min(max(scaled + Int64(outZero), range.0), range.1))
    }
}

/// A seeded generator (SplitMix64), so every random test is repeatable.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int8s(_ n: Int, _ range: ClosedRange<Int> = -128...127) -> [Int8] { (0..<n).map { _ in Int8(Int.random(in: range, using: &self)) } }
}

extension Array where Element == Int8 {
    var bytes: [UInt8] { map { UInt8(bitPattern: $0) } }
}

extension Array where Element == Int32 {
    var bytes: [UInt8] { flatMap { TinyFlatBufferBuilder.le($0) } }
}

// MARK: - CONV_2D

/// A random int8 convolution problem, recomputed in the test with explicitly padded input and
/// Int64 accumulators.
struct ConvProblem {
    var batches = 1, height = 5, width = 5, inputDepth = 2, outputDepth = 3, kernelH = 3, kernelW = 3, groups = 1
    var strideH = 1, strideW = 1, dilationH = 1, dilationW = 1
    var same = true
    var activation: Int8 = 0
    var perChannel = true, hasBias = true
    var inScale: Float = 0.02, inZero: Int32 = -3, outScale: Float = 0.05, outZero: Int32 = 5
    var filterScales: [Float] = []
    var input: [Int8] = [], filter: [Int8] = [], bias: [Int32] = []

    var filterDepth: Int { inputDepth / groups }

    static func random(_ rng: inout SeededRandom) -> ConvProblem {
        var p = ConvProblem()
        p.batches = Int.random(in: 1...2, using: &rng)
        p.groups = [1, 1, 1, 2, 3].randomElement(using: &rng)!
        p.inputDepth = p.groups * Int.random(in: 1...6, using: &rng)
        p.outputDepth = p.groups * Int.random(in: 1...5, using: &rng)
        p.kernelH = Int.random(in: 1...4, using: &rng)
        p.kernelW = Int.random(in: 1...4, using: &rng)
        p.strideH = Int.random(in: 1...3, using: &rng)
        p.strideW = Int.random(in: 1...3, using: &rng)
        p.dilationH = Int.random(in: 1...2, using: &rng)
        p.dilationW = Int.random(in: 1...2, using: &rng)
        p.same = Bool.random(using: &rng)
        p.height = Int.random(in: ((p.kernelH - 1) * p.dilationH + 1)...12, using: &rng)
        p.width = Int.random(in: ((p.kernelW - 1) * p.dilationW + 1)...12, using: &rng)
        p.activation = [0, 1, 2, 3].randomElement(using: &rng)!
        p.perChannel = Bool.random(using: &rng)
        p.hasBias = Int.random(in: 0..<4, using: &rng) != 0
        p.inScale = Float.random(in: 0.004...0.05, using: &rng)
        p.inZero = Int32.random(in: -128...127, using: &rng)
        p.outZero = Int32.random(in: -20...20, using: &rng)
        p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.002...0.02, using: &rng) }
        let taps = Float(p.kernelH * p.kernelW * p.filterDepth)
        p.outScale = p.inScale * 0.01 * taps.squareRoot() * Float.random(in: 100...300, using: &rng)
        p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
        p.filter = rng.int8s(p.outputDepth * p.kernelH * p.kernelW * p.filterDepth, -127...127)
        p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -3000...3000, using: &rng) }
        return p
    }

    /// A problem for the optimized-versus-reference comparison: wider shapes (both the panel
    /// and the dot form, 1x1 convs across the panel budget), extreme zero points, real
    /// multipliers above 1 (left shifts), biases near the int32 limits (wrapping sums).
    static func wide(_ rng: inout SeededRandom) -> ConvProblem {
        var p = ConvProblem()
        p.batches = Int.random(in: 1...3, using: &rng)
        p.groups = [1, 1, 1, 1, 2, 4].randomElement(using: &rng)!
        let shape = Int.random(in: 0..<10, using: &rng)
        switch shape {
        case 0..<4:
            p.kernelH = 1; p.kernelW = 1
        case 4..<7:
            p.kernelH = 3; p.kernelW = 3
        default:
            p.kernelH = Int.random(in: 1...5, using: &rng); p.kernelW = Int.random(in: 1...5, using: &rng)
        }
        let big = p.kernelH == 1 && p.kernelW == 1 && Int.random(in: 0..<3, using: &rng) == 0
        let filterDepth = big ? Int.random(in: 32...160, using: &rng) : Int.random(in: 1...24, using: &rng)
        p.inputDepth = p.groups * filterDepth
        p.outputDepth = p.groups * (big ? Int.random(in: 40...200, using: &rng) : Int.random(in: 1...40, using: &rng))
        p.strideH = Int.random(in: 1...3, using: &rng)
        p.strideW = Int.random(in: 1...3, using: &rng)
        if Int.random(in: 0..<3, using: &rng) == 0 {
            p.dilationH = Int.random(in: 1...3, using: &rng)
            p.dilationW = Int.random(in: 1...3, using: &rng)
        }
        p.same = Bool.random(using: &rng)
        let maxSide = big ? 6 : 16
        p.height = Int.random(in: ((p.kernelH - 1) * p.dilationH + 1)...max(maxSide, (p.kernelH - 1) * p.dilationH + 1), using: &rng)
        p.width = Int.random(in: ((p.kernelW - 1) * p.dilationW + 1)...max(maxSide, (p.kernelW - 1) * p.dilationW + 1), using: &rng)
        p.activation = [0, 1, 2, 3].randomElement(using: &rng)!
        p.perChannel = Int.random(in: 0..<4, using: &rng) != 0
        p.hasBias = Int.random(in: 0..<5, using: &rng) != 0
        p.inScale = Float.random(in: 0.002...0.1, using: &rng)
        p.inZero = [-128, 127, Int32.random(in: -128...127, using: &rng)].randomElement(using: &rng)!
        p.outZero = Int32.random(in: -128...127, using: &rng)
        p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
        let taps = Float(p.kernelH * p.kernelW * p.filterDepth)
        // Mostly a real multiplier well below 1; sometimes above 1 (left shifts).
        let spread = Int.random(in: 0..<8, using: &rng) == 0 ? Float.random(in: 0.001...0.05, using: &rng) : Float.random(in: 50...400, using: &rng)
        p.outScale = p.inScale * 0.01 * taps.squareRoot() * spread
        p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
        p.filter = rng.int8s(p.outputDepth * p.kernelH * p.kernelW * p.filterDepth)
        let huge = Int.random(in: 0..<6, using: &rng) == 0
        p.bias = (0..<p.outputDepth).map { _ in huge ? Int32.random(in: Int32.min...Int32.max, using: &rng) : Int32.random(in: -100_000...100_000, using: &rng) }
        return p
    }

    func window(_ input: Int, _ k: Int, _ s: Int, _ d: Int) -> (out: Int, pad: Int) {
        let eff = (k - 1) * d + 1
        let out = same ? (input + s - 1) / s : (input - eff + s) / s
        return (out, max((out - 1) * s + eff - input, 0) / 2)
    }

    var outputShape: [Int] {
        [batches, window(height, kernelH, strideH, dilationH).out, window(width, kernelW, strideW, dilationW).out, outputDepth]
    }

    func scale(_ c: Int) -> Float { filterScales[perChannel ? c : 0] }

    var model: TinyModel {
        var tensors = [
            TinyModel.Tensor(shape: [batches, height, width, inputDepth], scales: [inScale], zeroPoints: [Int64(inZero)]),
            TinyModel.Tensor(shape: [outputDepth, kernelH, kernelW, filterDepth], data: filter.bytes, scales: filterScales,
                             zeroPoints: [Int64](repeating: 0, count: filterScales.count)),
            TinyModel.Tensor(shape: outputShape, scales: [outScale], zeroPoints: [Int64(outZero)]),
        ]
        var inputs: [Int32] = [0, 1, -1]
        if hasBias {
            tensors.append(TinyModel.Tensor(shape: [outputDepth], type: .int32, data: bias.bytes,
                                            scales: (0..<outputDepth).map { inScale * scale($0) },
                                            zeroPoints: [Int64](repeating: 0, count: outputDepth)))
            inputs[2] = 3
        }
        return TinyModel(tensors: tensors, builtin: BuiltinOperator.conv2D, version: groups > 1 ? 6 : 3, inputs: inputs, outputs: [2],
                         optionsType: BuiltinOptionsType.conv2D,
                         options: [(0, .i8(same ? 0 : 1)), (1, .i32(Int32(strideW))), (2, .i32(Int32(strideH))), (3, .i8(activation)),
                                   (4, .i32(Int32(dilationW))), (5, .i32(Int32(dilationH)))])
    }

    /// The expected output, from the input padded with its zero point.
    func expected() -> [Int8] {
        let (oh, padT) = window(height, kernelH, strideH, dilationH)
        let (ow, padL) = window(width, kernelW, strideW, dilationW)
        let range = RefMath.activationRange(activation, scale: outScale, zeroPoint: outZero)
        let perGroup = outputDepth / groups
        func x(_ b: Int, _ y: Int, _ xx: Int, _ c: Int) -> Int64 {
            if y < 0 || y >= height || xx < 0 || xx >= width { return 0 }
            return Int64(input[((b * height + y) * width + xx) * inputDepth + c]) - Int64(inZero)
        }
        var out: [Int8] = []
        for b in 0..<batches { for oy in 0..<oh { for ox in 0..<ow { for c in 0..<outputDepth {
            var acc: Int64 = hasBias ? Int64(bias[c]) : 0
            let g = c / perGroup
            for ky in 0..<kernelH { for kx in 0..<kernelW { for i in 0..<filterDepth {
                let w = Int64(filter[((c * kernelH + ky) * kernelW + kx) * filterDepth + i])
                acc += w * x(b, oy * strideH - padT + ky * dilationH, ox * strideW - padL + kx * dilationW, g * filterDepth + i)
            } } }
            let real = Double(inScale) * Double(scale(c)) / Double(outScale)
            out.append(RefMath.output(acc, real: real, outZero: outZero, range: range, single: false))
        } } } }
        return out
    }
}

final class ConvTests: XCTestCase {
    func testWindowFollowsTFLitePadding() {
        // SAME: ceil(in / stride) outputs, half the total padding before (odd extra after).
        XCTAssertEqual(ConvGeometry.window(.same, input: 24, filter: 3, stride: 2, dilation: 1)?.output, 12)
        XCTAssertEqual(ConvGeometry.window(.same, input: 24, filter: 3, stride: 2, dilation: 1)?.padBefore, 0)  // total 1
        XCTAssertEqual(ConvGeometry.window(.same, input: 5, filter: 4, stride: 1, dilation: 1)?.padBefore, 1)   // total 3
        XCTAssertEqual(ConvGeometry.window(.same, input: 49, filter: 10, stride: 2, dilation: 1)?.output, 25)
        XCTAssertEqual(ConvGeometry.window(.same, input: 49, filter: 10, stride: 2, dilation: 1)?.padBefore, 4)  // total 9
        XCTAssertEqual(ConvGeometry.window(.same, input: 7, filter: 3, stride: 1, dilation: 2)?.padBefore, 2)   // total 4
        // VALID: (in - effective + stride) / stride.
        XCTAssertEqual(ConvGeometry.window(.valid, input: 64, filter: 3, stride: 1, dilation: 1)?.output, 62)
        XCTAssertEqual(ConvGeometry.window(.valid, input: 10, filter: 3, stride: 1, dilation: 2)?.output, 6)
        XCTAssertEqual(ConvGeometry.window(.valid, input: 10, filter: 3, stride: 3, dilation: 1)?.output, 3)
        XCTAssertEqual(ConvGeometry.window(.valid, input: 10, filter: 3, stride: 3, dilation: 1)?.padBefore, 0)
        XCTAssertNil(ConvGeometry.window(.valid, input: 4, filter: 3, stride: 1, dilation: 2))
        XCTAssertNil(ConvGeometry.window(.same, input: 4, filter: 3, stride: 0, dilation: 1))
        XCTAssertNil(ConvGeometry.window(.same, input: 4, filter: 3, stride: 1, dilation: 0))
    }

    func testInteriorRangesMatchBruteForce() {
        var rng = SeededRandom(7)
        for _ in 0..<2000 {
            let input = Int.random(in: 1...20, using: &rng), filter = Int.random(in: 1...5, using: &rng)
            let stride = Int.random(in: 1...3, using: &rng), dilation = Int.random(in: 1...3, using: &rng)
            let padding: Padding = Bool.random(using: &rng) ? .same : .valid
            guard let (out, pad) = ConvGeometry.window(padding, input: input, filter: filter, stride: stride, dilation: dilation) else { continue }
            let (lo, hi) = ConvGeometry.interior(output: out, input: input, filter: filter, stride: stride, dilation: dilation, pad: pad)
            for o in 0..<out {
                let origin = o * stride - pad
                let inside = origin >= 0 && origin + (filter - 1) * dilation < input
                XCTAssertEqual(inside, o >= lo && o < hi, "in \(input) k \(filter) s \(stride) d \(dilation) o \(o)")
                let taps = ConvGeometry.validTaps(origin: origin, filter: filter, dilation: dilation, input: input)
                for t in 0..<filter {
                    let p = origin + t * dilation
                    XCTAssertEqual(p >= 0 && p < input, t >= taps.lo && t < taps.hi)
                }
            }
        }
    }

    /// A 3x3 input, 2x2 filter, VALID, one channel, worked by hand:
    /// input - zp = [[1,2,3],[4,5,6],[7,8,9]], filter [[1,0],[0,-1]], bias 10:
    /// windows give 1-5, 2-6, 4-8, 5-9 = -4 each, + 10 = 6; real multiplier 0.5 → 3, + zp 2 = 5.
    func testHandWorkedConvolution() throws {
        let x: [Int8] = [2, 3, 4, 5, 6, 7, 8, 9, 10]  // input zero point 1
        let model = TinyModel(
            tensors: [
                .init(shape: [1, 3, 3, 1], scales: [0.5], zeroPoints: [1]),
                .init(shape: [1, 2, 2, 1], data: [Int8(1), 0, 0, -1].bytes, scales: [0.5], zeroPoints: [0]),
                .init(shape: [1], type: .int32, data: [Int32(10)].bytes, scales: [0.25], zeroPoints: [0]),
                .init(shape: [1, 2, 2, 1], scales: [0.5], zeroPoints: [2]),
            ],
            builtin: BuiltinOperator.conv2D, version: 3, inputs: [0, 1, 2], outputs: [3], optionsType: BuiltinOptionsType.conv2D,
            options: [(0, .i8(1)), (1, .i32(1)), (2, .i32(1))])
        let out = try OpHarness.run(Conv2DKernel.self, model: model.serialize(), data: [0: x.bytes])
        XCTAssertEqual(out, [Int8](repeating: 5, count: 4).bytes)
    }

    /// Both memory policies: `.fast` runs the optimized routine, `.compact` the reference one.
    func testRandomConvolutionsMatchInt64Recomputation() throws {
        var rng = SeededRandom(0xC0DE)
        for trial in 0..<300 {
            let p = ConvProblem.random(&rng)
            let policy: Interpreter.MemoryPolicy = trial % 2 == 0 ? .fast : .compact
            let out = try OpHarness.run(Conv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes], policy: policy)
            XCTAssertEqual(out, p.expected().bytes, "\(policy) " + "trial \(trial): \(p.outputShape) groups \(p.groups) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW) d \(p.dilationH),\(p.dilationW) same \(p.same)")
        }
    }

    /// The optimized routine (the kernel's eval) gives the bytes of `Conv2DReference.run` on the
    /// same prepared parameters, for both of its forms.
    func testOptimizedConvolutionEqualsReferenceRoutine() throws {
        var rng = SeededRandom(0x5EED)
        var forms = (panel: 0, dot: 0)
        for trial in 0..<400 {
            let p = ConvProblem.wide(&rng)
            var usedPanel = false, optimized = false
            let (fast, slow) = try OpHarness.runBoth(Conv2DKernel.self, model: p.model.serialize(), data: [0: p.input.bytes]) { params, ctx in
                usedPanel = params.panel != nil
                optimized = params.optimized
                Conv2DReference.run(params.geometry, params.requantization, input: ctx.input(0, as: Int8.self),
                                    filter: ctx.input(1, as: Int8.self), bias: ctx.input(2)?.assumingMemoryBound(to: Int32.self),
                                    output: ctx.output(0, as: Int8.self))
            }
            XCTAssertTrue(optimized)
            if usedPanel { forms.panel += 1 } else { forms.dot += 1 }
            XCTAssertEqual(fast, slow, "trial \(trial): in \([p.batches, p.height, p.width, p.inputDepth]) out \(p.outputShape) groups \(p.groups) k \(p.kernelH)x\(p.kernelW) s \(p.strideH),\(p.strideW) d \(p.dilationH),\(p.dilationW) same \(p.same) panel \(usedPanel)")
        }
        XCTAssertGreaterThan(forms.panel, 100)
        XCTAssertGreaterThan(forms.dot, 100)
    }

    /// A filter computed at run time (not a constant) takes the reference routine inside the
    /// kernel, with the same result.
    func testRuntimeFilterUsesReferenceRoutine() throws {
        var rng = SeededRandom(77)
        let p = ConvProblem.random(&rng)
        var m = p.model
        m.tensors[1].data = nil
        let out = try OpHarness.run(Conv2DKernel.self, model: m.serialize(), data: [0: p.input.bytes, 1: p.filter.bytes])
        XCTAssertEqual(out, p.expected().bytes)
    }

    /// gemmlowp's SaturatingRoundingDoublingHighMul rounds ties up (toward +infinity), not
    /// away from zero: with a real multiplier of exactly 0.5 (Q31 2^30, shift 0), accumulators
    /// -1, -3, 1, 3 give 0, -1, 1, 2.
    func testDoubleRoundingTiesGoUp() throws {
        let model = TinyModel(
            tensors: [
                .init(shape: [1, 1, 4, 1], scales: [1], zeroPoints: [0]),
                .init(shape: [1, 1, 1, 1], data: [Int8(1)].bytes, scales: [0.5], zeroPoints: [0]),
                .init(shape: [1, 1, 4, 1], scales: [1], zeroPoints: [0]),
            ],
            builtin: BuiltinOperator.conv2D, version: 3, inputs: [0, 1, -1], outputs: [2], optionsType: BuiltinOptionsType.conv2D,
            options: [(0, .i8(1)), (1, .i32(1)), (2, .i32(1))])
        let x: [Int8] = [-1, -3, 1, 3]
        let out = try OpHarness.run(Conv2DKernel.self, model: model.serialize(), data: [0: x.bytes])
        XCTAssertEqual(out, [Int8(0), -1, 1, 2].bytes)
    }

    func testFixtureConvolutionsMatchTFLite() throws {
        for policy in [Interpreter.MemoryPolicy.fast, .compact] {
            let (checked, failures) = try OpHarness.fixtureOps(Conv2DKernel.self, builtin: "CONV_2D", policy: policy)
            XCTAssertGreaterThan(checked, 40)
            XCTAssertEqual(failures, [])
        }
    }

    /// A fixed 1x5x5x2 -> 1x5x5x3 problem for the rejection tests.
    static func fixedProblem() -> ConvProblem {
        var p = ConvProblem()
        var rng = SeededRandom(3)
        p.filterScales = [0.01, 0.02, 0.015]
        p.input = rng.int8s(5 * 5 * 2)
        p.filter = rng.int8s(3 * 3 * 3 * 2)
        p.bias = [100, -200, 300]
        return p
    }

    func testPrepareRejectsWhatItDoesNotImplement() {
        let base = Self.fixedProblem()
        func rejected(_ edit: (inout TinyModel) -> Void) -> MoteError.Kind? {
            var m = base.model
            edit(&m)
            return OpHarness.rejection(Conv2DKernel.self, m)
        }
        XCTAssertNil(rejected { _ in })
        XCTAssertNil(rejected { $0.version = 6 })
        XCTAssertEqual(rejected { $0.version = 7 }, .unsupportedOperator)
        XCTAssertEqual(rejected { $0.tensors[0].type = .int16; $0.tensors[2].type = .int16 }, .typeMismatch)
        XCTAssertEqual(rejected { $0.tensors[2].type = .uint8 }, .typeMismatch)
        XCTAssertEqual(rejected { $0.tensors[1].type = .uint8 }, .typeMismatch)
        XCTAssertEqual(rejected { $0.tensors[2].shape[1] += 1 }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[2].shape[3] += 1 }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[2].shape = [1, 75, 3] }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.options[1] = (1, .i32(0)) }, .invalidOptions)
        XCTAssertEqual(rejected { $0.options[4] = (4, .i32(-1)) }, .invalidOptions)
        XCTAssertEqual(rejected { $0.options[0] = (0, .i8(2)) }, .invalidOptions)
        XCTAssertEqual(rejected { $0.options[3] = (3, .i8(4)) }, .invalidOptions)
        XCTAssertNil(rejected { $0.options.append((6, .u8(TensorType.int32.rawValue))) })
        XCTAssertEqual(rejected { $0.options.append((6, .u8(TensorType.int64.rawValue))) }, .unsupportedOperator)
        XCTAssertEqual(rejected { $0.optionsType = BuiltinOptionsType.pool2D }, .invalidOptions)
        XCTAssertEqual(rejected { $0.optionsType = 0 }, .invalidOptions)
        XCTAssertEqual(rejected { $0.tensors[0].scales = [0] }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[2].scales = [] ; $0.tensors[2].zeroPoints = [] }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[1].zeroPoints[0] = 1 }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[1].scales = [0.01, 0.01] ; $0.tensors[1].zeroPoints = [0, 0] }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[1].quantizedDimension = 3 }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[1].scales[1] = -1 }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[0].shape[3] = 3 }, .shapeMismatch)  // not a multiple of the filter depth
        XCTAssertEqual(rejected { $0.tensors[0].shape[3] = 0 }, .shapeMismatch)  // no input channels (no groups)
        XCTAssertEqual(rejected { $0.tensors[3].scales[0] *= 10 }, .invalidQuantization)  // |diff| / outScale = 0.036
        XCTAssertNil(rejected { $0.tensors[3].scales[0] *= 1.001 })  // TFLite's tolerance
        XCTAssertEqual(rejected { $0.tensors[3].zeroPoints[0] = 1 }, .invalidQuantization)
        XCTAssertEqual(rejected { $0.tensors[3].shape = [4]; $0.tensors[3].data! += [0, 0, 0, 0] }, .shapeMismatch)
        XCTAssertEqual(rejected { $0.tensors[3].type = .int64; $0.tensors[3].data! += $0.tensors[3].data! }, .typeMismatch)
        XCTAssertNil(rejected { $0.tensors[1].data = nil })  // a filter computed at run time, as TFLite allows
        XCTAssertEqual(rejected { $0.inputs = [0] }, .invalidArgument)
        XCTAssertEqual(rejected { $0.inputs = [0, 1, 3, 3] }, .invalidArgument)
    }

    func testGroupedConvRejectsOutputChannelsNotAMultipleOfGroups() {
        var p = ConvProblem()
        p.inputDepth = 4
        p.groups = 2
        p.outputDepth = 3
        p.filterScales = [0.01]
        p.perChannel = false
        p.hasBias = false
        p.input = [Int8](repeating: 1, count: 5 * 5 * 4)
        p.filter = [Int8](repeating: 1, count: 3 * 9 * 2)
        XCTAssertEqual(OpHarness.rejection(Conv2DKernel.self, p.model), .shapeMismatch)
    }
}
