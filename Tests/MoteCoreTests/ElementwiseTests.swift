import Foundation
import XCTest
@testable import MoteCore
import MoteModel

/// ADD, SUB, MUL: broadcasting plans, the per-element rounding against an Int64/float64
/// recomputation of TFLite's formulas, and every fixture ADD/SUB/MUL run alone on the saved
/// intermediates of sample 000.
final class ElementwiseTests: XCTestCase {
    // MARK: broadcasting

    func testBroadcastShapeFollowsNumpyRules() {
        XCTAssertTrue(BroadcastPlan.outputShape(TensorShape(1, 12, 12, 12), TensorShape(1, 1, 1, 12))!.equals(TensorShape(1, 12, 12, 12)))
        XCTAssertTrue(BroadcastPlan.outputShape(TensorShape(4, 1, 3), TensorShape(5, 1))!.equals(TensorShape(4, 5, 3)))
        XCTAssertTrue(BroadcastPlan.outputShape(TensorShape(), TensorShape(2, 3))!.equals(TensorShape(2, 3)))
        XCTAssertTrue(BroadcastPlan.outputShape(TensorShape(2, 1, 3, 1, 5, 1), TensorShape(7, 1, 4, 1, 6))!.equals(TensorShape(2, 7, 3, 4, 5, 6)))
        XCTAssertNil(BroadcastPlan.outputShape(TensorShape(2, 3), TensorShape(3, 3)))
        XCTAssertNil(BroadcastPlan(TensorShape(4), TensorShape(3)))
    }

    /// Integer-exact check of the driver: `out = 1000 * a + b` at every output position of
    /// many shape pairs (rank 0...6), against an index computation written here.
    func testBroadcastDriverVisitsTheNumpyElements() {
        let pairs: [([Int], [Int])] = [
            ([], []), ([3], []), ([], [4]), ([2, 3], [2, 3]), ([2, 3], [3]), ([2, 3], [2, 1]), ([1, 3], [2, 1]),
            ([4, 1, 3], [5, 1]), ([1, 12, 12, 12], [1, 1, 1, 12]), ([2, 1, 3, 1, 5, 1], [7, 1, 4, 1, 6]),
            ([1, 1, 1, 1, 1, 2], [3, 1, 1, 1, 1, 1]), ([2, 2, 1, 2], [2, 1, 2, 1]), ([5], [1]), ([0, 3], [1, 3]),
        ]
        for (sa, sb) in pairs {
            let a = shape(sa), b = shape(sb)
            guard let plan = BroadcastPlan(a, b), let out = BroadcastPlan.outputShape(a, b) else { return XCTFail("\(sa) \(sb)") }
            let na = a.elementCount!, nb = b.elementCount!, n = out.elementCount!
            XCTAssertEqual(plan.count, n)
            let xa = (0..<na).map { Int32($0) }, xb = (0..<nb).map { Int32($0) }
            var got = [Int32](repeating: -1, count: n)
            xa.withUnsafeBufferPointer { pa in xb.withUnsafeBufferPointer { pb in got.withUnsafeMutableBufferPointer { po in
                BroadcastBinary.run(Tagger.self, plan, (), pa.baseAddress!, pb.baseAddress!, po.baseAddress!)
            } } }
            // Expected: unravel the output index, map to each operand's broadcast index.
            let r = out.rank
            for i in 0..<n {
                var rem = i
                var coord = [Int](repeating: 0, count: r)
                for d in stride(from: r - 1, through: 0, by: -1) { coord[d] = rem % out[d]; rem /= out[d] }
                func flat(_ s: TensorShape) -> Int {
                    var idx = 0
                    for d in 0..<r {
                        let ext = s.extended(d, toRank: r)
                        idx = idx * ext + (ext == 1 ? 0 : coord[d])
                    }
                    return idx
                }
                XCTAssertEqual(got[i], Int32(1000 * flat(a) + flat(b)), "\(sa) \(sb) at \(i)")
            }
        }
    }

    enum Tagger: ElementwiseBinaryFunction {
        static func apply(_ x: Int32, _ y: Int32, _ p: Void) -> Int32 { 1000 * x + y }
    }

    // MARK: ADD / SUB rounding

    /// The TFLite formulas, recomputed with Int64 arithmetic from the multipliers (double
    /// rounding: SRDHM rounds half away from zero, RDBPOT rounds half away from zero).
    static func srdhm(_ a: Int64, _ b: Int64) -> Int64 {
        if a == Int64(Int32.min) && b == Int64(Int32.min) { return Int64(Int32.max) }
        let ab = a * b
        let nudge: Int64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30)
        let s = ab + nudge
        return s >= 0 ? s >> 31 : -((-s) >> 31)  // C++ division truncates toward zero
    }

    static func rdbpot(_ x: Int64, _ e: Int64) -> Int64 {
        let mask: Int64 = (1 << e) - 1
        let rem = x & mask
        let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
        return (x >> e) + (rem > threshold ? 1 : 0)
    }

    static func mbqm(_ x: Int64, _ m: Int32, _ s: Int32) -> Int64 {
        let left = Int64(max(s, 0)), right = Int64(max(-s, 0))
        let shifted = Int64(Int32(truncatingIfNeeded: x << left))
        return rdbpot(srdhm(shifted, Int64(m)), right)
    }

    func testQuantizedAddMatchesInt64Recomputation() {
        // Parameters of residual_16x16x8 ADD#2 and ADD#6, and a made-up SUB.
        let cases: [(Float, Int32, Float, Int32, Float, Int32, Bool)] = [
            (0.050689756870269775, -7, 0.007841086946427822, 0, 0.026706306263804436, -128, false),
            (0.06184389442205429, 7, 0.05468757450580597, 4, 0.02919868566095829, -128, false),
            (0.04525325447320938, -12, 0.04525325447320938, -12, 0.04525325447320938, -12, true),
            (0.013, 100, 0.2, -50, 0.05, 3, true),
        ]
        for (s1, z1, s2, z2, so, zo, sub) in cases {
            guard let p = QuantizedAdd.params(input1Scale: s1, input1ZeroPoint: z1, input2Scale: s2, input2ZeroPoint: z2,
                                              outputScale: so, outputZeroPoint: zo, activationMin: -128, activationMax: 127, subtract: sub) else {
                return XCTFail("params")
            }
            // The multipliers represent the real ratios within 2^-31 relative.
            let twice = 2 * Double(max(s1, s2))
            XCTAssertEqual(Double(p.input1Multiplier) * pow(2, Double(p.input1Shift - 31)), Double(s1) / twice, accuracy: 1e-9)
            XCTAssertEqual(abs(Double(p.input2Multiplier)) * pow(2, Double(p.input2Shift - 31)), Double(s2) / twice, accuracy: 1e-9)
            XCTAssertEqual(Double(p.outputMultiplier) * pow(2, Double(p.outputShift - 31)), twice / (1048576 * Double(so)), accuracy: 1e-9)
            XCTAssertEqual(p.input2Multiplier < 0, sub)
            var worst = 0.0
            for x in -128...127 {
                for y in -128...127 {
                    let v1 = Int64(Int32(x) - z1) << 20, v2 = Int64(Int32(y) - z2) << 20
                    let r1 = Self.mbqm(v1, p.input1Multiplier, p.input1Shift), r2 = Self.mbqm(v2, p.input2Multiplier, p.input2Shift)
                    let raw = Self.mbqm(r1 + r2, p.outputMultiplier, p.outputShift) + Int64(zo)
                    let expected = Int8(min(127, max(-128, raw)))
                    XCTAssertEqual(QuantizedAdd.apply(Int8(x), Int8(y), p), expected)
                    // And within one step of the real result.
                    let real = (Double(x - Int(z1)) * Double(s1) + (sub ? -1 : 1) * Double(y - Int(z2)) * Double(s2)) / Double(so) + Double(zo)
                    if real > -127 && real < 126 { worst = max(worst, abs(Double(expected) - real)) }
                }
            }
            XCTAssertLessThanOrEqual(worst, 0.5 + 1e-3)
        }
    }

    func testAddRejectsOutputScaleTooSmall() {
        // 2 * max / (2^20 * s_out) >= 1 makes TFLite's QuantizeMultiplierSmallerThanOneExp abort.
        XCTAssertNil(QuantizedAdd.params(input1Scale: 1, input1ZeroPoint: 0, input2Scale: 1, input2ZeroPoint: 0,
                                         outputScale: 1.0 / 1048576, outputZeroPoint: 0, activationMin: -128, activationMax: 127, subtract: false))
        XCTAssertNotNil(QuantizedAdd.params(input1Scale: 1, input1ZeroPoint: 0, input2Scale: 1, input2ZeroPoint: 0,
                                            outputScale: 1.0 / 262144, outputZeroPoint: 0, activationMin: -128, activationMax: 127, subtract: false))
    }

    func testAddHandWorked() {
        // Equal scales 0.5, zero points 0, output scale 1: q = round-ish(x/2 + y/2).
        let p = QuantizedAdd.params(input1Scale: 0.5, input1ZeroPoint: 0, input2Scale: 0.5, input2ZeroPoint: 0,
                                    outputScale: 1, outputZeroPoint: 0, activationMin: -128, activationMax: 127, subtract: false)!
        XCTAssertEqual(QuantizedAdd.apply(10, 20, p), 15)
        XCTAssertEqual(QuantizedAdd.apply(3, 0, p), 2)      // 1.5 rounds away from zero
        XCTAssertEqual(QuantizedAdd.apply(-3, 0, p), -2)    // -1.5 rounds away from zero
        XCTAssertEqual(QuantizedAdd.apply(127, 127, p), 127)
        let sub = QuantizedAdd.params(input1Scale: 0.5, input1ZeroPoint: 0, input2Scale: 0.5, input2ZeroPoint: 0,
                                      outputScale: 1, outputZeroPoint: 0, activationMin: 0, activationMax: 127, subtract: true)!
        XCTAssertEqual(QuantizedAdd.apply(10, 4, sub), 3)
        XCTAssertEqual(QuantizedAdd.apply(4, 10, sub), 0)   // RELU range
    }

    // MARK: MUL

    func testQuantizedMulMatchesInt64Recomputation() {
        // se_hardswish_24x24 MUL#8 and a made-up one with a left shift.
        let cases: [(Float, Int32, Float, Int32, Float, Int32)] = [
            (0.03258261829614639, -116, 0.00390625, -128, 0.018698476254940033, -110),
            (0.5, 3, 0.25, -1, 0.01, 7),
        ]
        for (s1, z1, s2, z2, so, zo) in cases {
            let p = QuantizedMul.params(input1Scale: s1, input1ZeroPoint: z1, input2Scale: s2, input2ZeroPoint: z2,
                                        outputScale: so, outputZeroPoint: zo, activationMin: -128, activationMax: 127)!
            let real = Double(s1 * s2 / so)  // float arithmetic, as mul.cc
            XCTAssertEqual(Double(p.outputMultiplier) * pow(2, Double(p.outputShift - 31)), real, accuracy: real * 1e-9)
            for x in -128...127 {
                for y in -128...127 {
                    let prod = Int64(Int32(x) - z1) * Int64(Int32(y) - z2)
                    let raw = Self.mbqm(prod, p.outputMultiplier, p.outputShift) + Int64(zo)
                    XCTAssertEqual(QuantizedMul.apply(Int8(x), Int8(y), p), Int8(min(127, max(-128, raw))))
                }
            }
        }
    }

    func testInt32ArithmeticWithActivation() {
        XCTAssertEqual(Int32Add.apply(5, -9, Int32ActivationRange(.none)), -4)
        XCTAssertEqual(Int32Add.apply(5, -9, Int32ActivationRange(.relu)), 0)
        XCTAssertEqual(Int32Sub.apply(5, -9, Int32ActivationRange(.relu6)), 6)
        XCTAssertEqual(Int32Mul.apply(-3, 7, Int32ActivationRange(.reluN1To1)), -1)
        XCTAssertEqual(Int32Mul.apply(Int32.max, 2, Int32ActivationRange(.none)), -2)  // wraps like TFLite's int arithmetic
    }

    // MARK: one-operator models

    func testBroadcastingModelsAndValidation() throws {
        // SUB of a scalar int8 constant (the Rescaling pattern), with RELU.
        let x = int8Bytes((-4...3).map { Int8($0 * 30) })
        var m = OneOpModel()
        var a = m.input([1, 2, 2, 2], .int8, x, scale: 0.1, zeroPoint: 0)
        var b = m.constant([], .int8, int8Bytes([20]), scale: 0.05, zeroPoint: 0)
        // RELU's floor is the output zero point, -20.
        let p = QuantizedAdd.params(input1Scale: 0.1, input1ZeroPoint: 0, input2Scale: 0.05, input2ZeroPoint: 0, outputScale: 0.08, outputZeroPoint: -20,
                                    activationMin: -20, activationMax: 127, subtract: true)!
        let got = int8s(try m.run(BuiltinOperator.sub, version: 2, options: .sub(SubOptions(fusedActivationFunction: .relu)), inputs: [a, b],
                                  output: OneOpModel.out([1, 2, 2, 2], .int8, scale: 0.08, zeroPoint: -20)))
        XCTAssertEqual(got, int8s(x).map { QuantizedAdd.apply($0, 20, p) })
        // Hand-worked: 90 * 0.1 - 20 * 0.05 = 8.0 -> 100 - 20 = 80; -120 * 0.1 - 1 < 0 -> the RELU floor.
        XCTAssertEqual(got[7], 80)
        XCTAssertEqual(got[0], -20)

        // int32 MUL with broadcasting [2, 1] x [3].
        m = OneOpModel()
        a = m.input([2, 1], .int32, int32Bytes([2, -3]))
        b = m.constant([3], .int32, int32Bytes([1, 10, 100]))
        XCTAssertEqual(int32s(try m.run(BuiltinOperator.mul, inputs: [a, b], output: OneOpModel.out([2, 3], .int32))), [2, 20, 200, -3, -30, -300])

        // Shapes that do not broadcast, and a declared shape other than the broadcast one.
        m = OneOpModel()
        a = m.input([2, 3], .int8, [UInt8](repeating: 0, count: 6), scale: 0.1)
        b = m.input([2, 2], .int8, [UInt8](repeating: 0, count: 4), scale: 0.1)
        XCTAssertEqual(m.failure(BuiltinOperator.add, inputs: [a, b], output: OneOpModel.out([2, 3], .int8, scale: 0.1))?.kind, .shapeMismatch)
        m = OneOpModel()
        a = m.input([2, 3], .int8, [UInt8](repeating: 0, count: 6), scale: 0.1)
        b = m.input([3], .int8, [UInt8](repeating: 0, count: 3), scale: 0.1)
        XCTAssertEqual(m.failure(BuiltinOperator.add, inputs: [a, b], output: OneOpModel.out([3, 2], .int8, scale: 0.1))?.kind, .shapeMismatch)
        XCTAssertEqual(m.failure(BuiltinOperator.add, inputs: [a, b], output: OneOpModel.out([2, 3], .int16, scale: 0.1))?.kind, .typeMismatch)
        XCTAssertEqual(m.failure(BuiltinOperator.add, version: 9, inputs: [a, b], output: OneOpModel.out([2, 3], .int8, scale: 0.1))?.kind, .unsupportedOperator)
    }

    // MARK: fixtures

    func testFixtureElementwiseOpsMatchReference() throws {
        let checked = try OpFixtureHarness.checkAll(opNames: ["ADD", "SUB", "MUL"])
        XCTAssertGreaterThanOrEqual(checked, 4)
    }

    func shape(_ d: [Int]) -> TensorShape {
        var s = TensorShape(rank: 0)
        for x in d { s.append(x) }
        return s
    }
}

// MARK: - one operator on fixture data

/// Runs single operators of the fixture models through their kernel's prepare and eval,
/// with the inputs taken from the saved intermediates of sample 000 (or the model's
/// constants), and compares the output with the saved one: an op-level conformance check
/// that does not depend on any other kernel.
enum OpFixtureHarness {
    /// Checks every operator named in `opNames` across all fixtures; returns how many ran.
    static func checkAll(opNames: Set<String>, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        var checked = 0
        for dir in try Fixtures.models() {
            let meta = try Fixtures.json(dir.appendingPathComponent("meta.json"))
            let ops = meta["ops"] as! [[String: Any]]
            let index = try Fixtures.json(dir.appendingPathComponent("intermediates_000/index.json"))
            var files: [Int: String] = [:]
            for t in index["tensors"] as! [[String: Any]] { files[t["tensor_index"] as! Int] = t["file"] as? String }
            let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            for (i, op) in ops.enumerated() where opNames.contains(op["op_name"] as! String) {
                let name = "\(dir.lastPathComponent) op \(i) \(op["op_name"]!)"
                let outputs = op["outputs"] as! [Int]
                guard let outFile = files[outputs[0]] else { continue }
                let expected = try Fixtures.bytes(dir.appendingPathComponent("intermediates_000/\(outFile)"))
                let got = try run(model: model, op: i, data: { t in
                    files[t].flatMap { try? Fixtures.bytes(dir.appendingPathComponent("intermediates_000/\($0)")) }
                })
                switch got {
                case .failure(let e):
                    XCTFail("\(name): prepare failed: \(e.kind) \(e.message)", file: file, line: line)
                case .success(let bytes):
                    let diff = zip(bytes, expected).filter { $0 != $1 }.count
                    XCTAssertTrue(bytes == expected, "\(name): \(diff) of \(expected.count) bytes differ (got \(bytes.count))", file: file, line: line)
                }
                checked += 1
            }
        }
        return checked
    }

    /// Prepares and evaluates operator `op` of `model` alone; non-constant inputs come from `data`.
    static func run(model: [UInt8], op: Int, data: @escaping (Int) -> [UInt8]?) throws -> Result<[UInt8], MoteError> {
        try model.withUnsafeBytes { bytes -> Result<[UInt8], MoteError> in
            let view = try ModelView(bytes)
            let subgraph = view.subgraph(0)!
            let (code, version, opView) = try Interpreter.resolve(view, subgraph, op)
            let ctx = PrepareContext(operatorIndex: Int32(op), builtinCode: code, version: version, op: opView, model: view, subgraph: subgraph)
            var visitor = SingleOpVisitor(ctx: ctx, subgraph: subgraph, model: view, data: data)
            return OperatorRegistry.dispatch(code, &visitor)!
        }
    }

    struct SingleOpVisitor: KernelVisitor {
        var ctx: PrepareContext
        let subgraph: SubgraphView
        let model: ModelView
        let data: (Int) -> [UInt8]?

        mutating func visit<K: OperatorKernel>(_ kernel: K.Type) -> Result<[UInt8], MoteError> {
            let persistentBytes = K.persistentBytes(ctx)
            let persistent = UnsafeMutableRawBufferPointer.allocate(byteCount: max(persistentBytes, 1), alignment: 16)
            defer { persistent.deallocate() }
            ctx.persistent = UnsafeMutableRawBufferPointer(rebasing: persistent[0..<persistentBytes])
            let params: K.Params
            do { params = try K.prepare(&ctx) } catch { return .failure(error) }
            guard ctx.version <= K.maxVersion else { return .failure(MoteError(.unsupportedOperator, "version")) }

            let count = subgraph.tensorCount
            let slots = UnsafeMutablePointer<TensorSlot>.allocate(capacity: count)
            defer { slots.deallocate() }
            var owned: [UnsafeMutableRawBufferPointer] = []
            defer { owned.forEach { $0.deallocate() } }
            func buffer(_ bytes: Int) -> UnsafeMutableRawPointer {
                let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes, 1), alignment: 16)
                b.initializeMemory(as: UInt8.self, repeating: 0xAA)
                owned.append(b)
                return b.baseAddress!
            }
            for t in 0..<count { slots[t] = TensorSlot(data: nil, byteCount: 0, firstUse: -1, lastUse: -1, offset: -1, alias: -1, flags: 0) }
            for k in 0..<ctx.inputCount {
                let t = Int(ctx.op.inputs.i32(k))
                guard t >= 0 else { continue }
                let info = try! TensorInfo.load(Int32(t), model: model, subgraph: subgraph, op: ctx.operatorIndex)
                if info.isConstant {
                    slots[t].data = UnsafeMutableRawPointer(mutating: info.data.baseAddress)
                } else {
                    let bytes = data(t)!
                    let p = buffer(bytes.count)
                    bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                    slots[t].data = p
                }
            }
            let out = Int(ctx.op.outputs.i32(0))
            let outInfo = try! TensorInfo.load(Int32(out), model: model, subgraph: subgraph, op: ctx.operatorIndex)
            slots[out].data = buffer(outInfo.byteCount)
            let scratch = ctx.scratchBytes > 0 ? buffer(ctx.scratchBytes) : nil
            K.eval(EvalContext(inputs: ctx.op.inputs, outputs: ctx.op.outputs, tensors: UnsafePointer(slots), tensorCount: count, scratch: scratch), params)
            return .success([UInt8](UnsafeRawBufferPointer(start: slots[out].data, count: outInfo.byteCount)))
        }
    }
}

// MARK: - one operator in a model of its own

/// A model of one operator, built with MoteModel and run through the real `Interpreter`
/// (arena planning, RESHAPE aliasing, prepare validation included).
struct OneOpModel {
    var tensors: [MoteModel.Tensor] = []
    var buffers: [MoteModel.Buffer] = [MoteModel.Buffer()]
    var graphInputs: [Int] = []
    var feeds: [[UInt8]] = []

    /// A graph input holding `bytes`.
    mutating func input(_ shape: [Int], _ type: TensorType, _ bytes: [UInt8], scale: Float? = nil, zeroPoint: Int64 = 0) -> Int {
        tensors.append(MoteModel.Tensor(shape: shape, type: type, quantization: scale.map { Quantization(scale: $0, zeroPoint: zeroPoint) }))
        graphInputs.append(tensors.count - 1)
        feeds.append(bytes)
        return tensors.count - 1
    }

    /// A constant tensor holding `bytes`.
    mutating func constant(_ shape: [Int], _ type: TensorType, _ bytes: [UInt8], scale: Float? = nil, zeroPoint: Int64 = 0) -> Int {
        buffers.append(MoteModel.Buffer(data: bytes))
        tensors.append(MoteModel.Tensor(shape: shape, type: type, buffer: buffers.count - 1,
                                        quantization: scale.map { Quantization(scale: $0, zeroPoint: zeroPoint) }))
        return tensors.count - 1
    }

    /// An activation tensor (an operator's output).
    mutating func tensor(_ shape: [Int], _ type: TensorType, scale: Float? = nil, zeroPoint: Int64 = 0) -> Int {
        tensors.append(MoteModel.Tensor(shape: shape, type: type, quantization: scale.map { Quantization(scale: $0, zeroPoint: zeroPoint) }))
        return tensors.count - 1
    }

    /// The output tensor of `run(_:version:options:inputs:output:)`, added by the call.
    struct Out {
        var shape: [Int]
        var type: TensorType
        var scale: Float?
        var zeroPoint: Int64
    }

    static func out(_ shape: [Int], _ type: TensorType, scale: Float? = nil, zeroPoint: Int64 = 0) -> Out {
        Out(shape: shape, type: type, scale: scale, zeroPoint: zeroPoint)
    }

    /// Adds the output tensor `spec` and runs `builtin` from `inputs` to it.
    func run(_ builtin: Int32, version: Int32 = 1, options: BuiltinOptions = .none, inputs: [Int], output spec: Out) throws -> [UInt8] {
        var m = self
        let o = m.tensor(spec.shape, spec.type, scale: spec.scale, zeroPoint: spec.zeroPoint)
        return try m.run(builtin, version: version, options: options, inputs: inputs, output: o)
    }

    /// Like `run`, expecting prepare to fail; returns the error.
    func failure(_ builtin: Int32, version: Int32 = 1, options: BuiltinOptions = .none, inputs: [Int], output spec: Out) -> MoteError? {
        var m = self
        let o = m.tensor(spec.shape, spec.type, scale: spec.scale, zeroPoint: spec.zeroPoint)
        return m.failure(builtin, version: version, options: options, inputs: inputs, output: o)
    }

    /// Runs `builtin` from `inputs` to `output`; a prepare failure is thrown as the `MoteError`.
    func run(_ builtin: Int32, version: Int32 = 1, options: BuiltinOptions = .none, inputs: [Int], output: Int) throws -> [UInt8] {
        let op = MoteModel.Operator(opcodeIndex: 0, inputs: inputs, outputs: [output], builtinOptions: options)
        let model = TFLiteModel(operatorCodes: [OperatorCode(builtin: builtin, version: version)],
                                subgraphs: [Subgraph(tensors: tensors, inputs: graphInputs, outputs: [output], operators: [op])],
                                buffers: buffers)
        let bytes = model.serialized()
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { arena.deallocate() }
        return try bytes.withUnsafeBytes { raw in
            let it = try Interpreter(model: raw, arena: arena)
            for (i, f) in feeds.enumerated() { try f.withUnsafeBytes { try it.setInput(i, $0) } }
            it.invoke()
            return [UInt8](it.output(0))
        }
    }

    /// Like `run`, expecting prepare to fail; returns the error.
    func failure(_ builtin: Int32, version: Int32 = 1, options: BuiltinOptions = .none, inputs: [Int], output: Int) -> MoteError? {
        do { _ = try run(builtin, version: version, options: options, inputs: inputs, output: output) } catch let e as MoteError { return e } catch { return nil }
        return nil
    }
}

/// Little-endian bytes of int32 values, and back.
func int32Bytes(_ v: [Int32]) -> [UInt8] { v.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: x >> (8 * $0)) } } }
func int32s(_ b: [UInt8]) -> [Int32] { stride(from: 0, to: b.count, by: 4).map { i in (0..<4).reduce(Int32(0)) { $0 | Int32(b[i + $1]) << (8 * $1) } } }
func int8Bytes(_ v: [Int8]) -> [UInt8] { v.map { UInt8(bitPattern: $0) } }
func int8s(_ b: [UInt8]) -> [Int8] { b.map { Int8(bitPattern: $0) } }
