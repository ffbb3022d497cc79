import Foundation
import XCTest
@testable import MoteCore
import MoteModel

/// Operators that write their output over their input (compact policy): the interpreter
/// grants it where it is legal, the in-place routines give the bytes of an independent Int64
/// recomputation (and of the fast policy, which never runs in place), and it is refused where
/// the input is still needed or the geometry does not allow it.
final class InPlaceTests: XCTestCase {
    /// Runs `model` with `input` under `policy`; returns every model output and, per operator,
    /// whether it ran in place.
    static func run(_ model: [UInt8], _ input: [UInt8]?, _ policy: Interpreter.MemoryPolicy) throws -> (outputs: [[UInt8]], inPlace: [Bool]) {
        try run(model, input.map { [$0] } ?? [], policy)
    }

    /// The same with model inputs `0..<inputs.count`.
    static func run(_ model: [UInt8], _ inputs: [[UInt8]], _ policy: Interpreter.MemoryPolicy) throws -> (outputs: [[UInt8]], inPlace: [Bool]) {
        try FixtureConformanceTests.withInterpreter(model, memoryPolicy: policy) { it in
            for (i, input) in inputs.enumerated() { try input.withUnsafeBytes { try it.setInput(i, $0) } }
            it.invoke()
            return ((0..<it.outputCount).map { [UInt8](it.output($0)) }, (0..<it.operatorCount).map { it.runsInPlace(operator: $0) })
        }
    }

    /// A stride-1 depthwise convolution whose output has its input's shape.
    static func depthwise(_ rng: inout SeededRandom, kernel: Int, dilation: Int, batches: Int) -> DepthwiseProblem {
        var p = DepthwiseProblem.random(&rng)
        p.batches = batches
        p.multiplier = 1
        p.kernelH = kernel
        p.kernelW = kernel
        p.strideH = 1
        p.strideW = 1
        p.dilationH = dilation
        p.dilationW = dilation
        p.same = true
        p.height = 7
        p.width = 6
        p.inputDepth = 5
        p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.002...0.02, using: &rng) }
        p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
        p.filter = rng.int8s(p.kernelH * p.kernelW * p.outputDepth, -127...127)
        p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -3000...3000, using: &rng) }
        return p
    }

    /// SAME padding with kernel 2, 3, 5 and 3 dilated by 2 puts 0, 1, 2 and 2 rows above the
    /// image: the ring of saved rows has that many rows.
    func testDepthwiseInPlaceEqualsRecomputation() throws {
        var rng = SeededRandom(0x1A9)
        for (kernel, dilation, pad) in [(2, 1, 0), (3, 1, 1), (5, 1, 2), (3, 2, 2)] {
            for batches in [1, 2] {
                let p = Self.depthwise(&rng, kernel: kernel, dilation: dilation, batches: batches)
                let label = "k \(kernel) d \(dilation) (pad \(pad)) batches \(batches)"
                XCTAssertEqual(p.window(p.height, kernel, 1, dilation).pad, pad, label)
                let compact = try Self.run(p.model.serialize(), p.input.bytes, .compact)
                let fast = try Self.run(p.model.serialize(), p.input.bytes, .fast)
                XCTAssertEqual(compact.inPlace, [true], label)
                XCTAssertEqual(fast.inPlace, [false], label)
                XCTAssertEqual(compact.outputs[0], p.expected().bytes, label)
                XCTAssertEqual(compact.outputs[0], fast.outputs[0], label)
            }
        }
    }

    /// Row by row (`ConvRowsInPlace`): strided depthwise layers, a 3x3 stride-1 convolution
    /// keeping its depth (a ring of saved rows) and strided convolutions run in place and give
    /// the recomputed bytes. A 3x3 stride-1 convolution that changes its depth cannot: a
    /// shorter output row overwrites the input row above the next output row's window
    /// (6 -> 4 channels), a longer one the rows it still reads (4 -> 8).
    func testRowByRowInPlaceEqualsRecomputation() throws {
        var rng = SeededRandom(0x1E5)
        for (height, kernel, stride, batches) in [(8, 3, 2, 1), (7, 3, 2, 2), (9, 5, 3, 1)] {
            var p = Self.depthwise(&rng, kernel: kernel, dilation: 1, batches: batches)
            p.height = height
            p.strideH = stride
            p.strideW = stride
            p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
            let label = "depthwise \(height) rows, k \(kernel) s \(stride), batches \(batches)"
            let compact = try Self.run(p.model.serialize(), p.input.bytes, .compact)
            XCTAssertEqual(compact.inPlace, [true], label)
            XCTAssertEqual(compact.outputs[0], p.expected().bytes, label)
        }
        for (cin, cout, stride, batches, inPlace) in [(6, 6, 1, 2, true), (6, 4, 2, 1, true), (3, 8, 2, 2, true),
                                                       (6, 4, 1, 1, false), (4, 8, 1, 1, false)] {
            var p = Self.pointwise(&rng, inputDepth: cin, outputDepth: cout, batches: batches)
            p.kernelH = 3
            p.kernelW = 3
            p.strideH = stride
            p.strideW = stride
            p.same = true
            p.height = 6
            p.width = 5
            p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
            p.filter = rng.int8s(p.outputDepth * 9 * p.inputDepth, -127...127)
            let label = "3x3 conv \(cin) -> \(cout) s \(stride), batches \(batches)"
            let compact = try Self.run(p.model.serialize(), p.input.bytes, .compact)
            XCTAssertEqual(compact.inPlace, [inPlace], label)
            XCTAssertEqual(compact.outputs[0], p.expected().bytes, label)
        }
    }

    /// A 1x1 stride-1 convolution with fewer, as many and more output channels than input ones.
    static func pointwise(_ rng: inout SeededRandom, inputDepth: Int, outputDepth: Int, batches: Int) -> ConvProblem {
        var p = ConvProblem.random(&rng)
        p.batches = batches
        p.groups = 1
        p.inputDepth = inputDepth
        p.outputDepth = outputDepth
        p.kernelH = 1
        p.kernelW = 1
        p.strideH = 1
        p.strideW = 1
        p.height = 4
        p.width = 3
        p.filterScales = (0..<(p.perChannel ? p.outputDepth : 1)).map { _ in Float.random(in: 0.002...0.02, using: &rng) }
        p.input = rng.int8s(p.batches * p.height * p.width * p.inputDepth)
        p.filter = rng.int8s(p.outputDepth * p.inputDepth, -127...127)
        p.bias = (0..<p.outputDepth).map { _ in Int32.random(in: -3000...3000, using: &rng) }
        return p
    }

    func testPointwiseInPlaceEqualsRecomputation() throws {
        var rng = SeededRandom(0x1B1)
        for (cin, cout) in [(16, 8), (12, 12), (8, 16), (3, 40)] {
            for batches in [1, 2] {
                let p = Self.pointwise(&rng, inputDepth: cin, outputDepth: cout, batches: batches)
                let label = "\(cin) -> \(cout) channels, batches \(batches)"
                let compact = try Self.run(p.model.serialize(), p.input.bytes, .compact)
                let fast = try Self.run(p.model.serialize(), p.input.bytes, .fast)
                XCTAssertEqual(compact.inPlace, [true], label)
                XCTAssertEqual(compact.outputs[0], p.expected().bytes, label)
                XCTAssertEqual(compact.outputs[0], fast.outputs[0], label)
            }
        }
    }

    /// A larger output can start where its input starts (the kernel goes backward) or end
    /// where it ends (forward): both layouts, forced through `Conv2DReference.runInPlace` on
    /// one buffer, give the recomputed bytes.
    func testPointwiseBothLayoutsOfALargerOutput() throws {
        var rng = SeededRandom(0x1B2)
        let p = Self.pointwise(&rng, inputDepth: 5, outputDepth: 11, batches: 2)
        let expected = p.expected()
        let inBytes = p.input.count, outBytes = expected.count
        try p.model.serialize().withUnsafeBytes { raw in
            let view = try ModelView(raw)
            let sg = view.subgraph(0)!
            let (code, version, op) = try Interpreter.resolve(view, sg, 0)
            var ctx = PrepareContext(operatorIndex: 0, builtinCode: code, version: version, op: op, model: view, subgraph: sg, memoryPolicy: .compact)
            let persistent = UnsafeMutableRawBufferPointer.allocate(byteCount: Conv2DKernel.persistentBytes(ctx) + 16, alignment: 16)
            defer { persistent.deallocate() }
            ctx.persistent = UnsafeMutableRawBufferPointer(rebasing: persistent[0..<Conv2DKernel.persistentBytes(ctx)])
            let params = try Conv2DKernel.prepare(&ctx)
            XCTAssertEqual(ctx.inPlaceScratchBytes, 5)
            let filter = try ctx.input(1).constant(as: Int8.self)!.baseAddress!
            let bias = try ctx.input(2).constant(as: Int32.self)!.baseAddress!
            for inputAtEnd in [false, true] {
                var buffer = [Int8](repeating: 0x55, count: outBytes)
                let start = inputAtEnd ? outBytes - inBytes : 0
                buffer.replaceSubrange(start..<(start + inBytes), with: p.input)
                var scratch = [Int8](repeating: 0, count: 5)
                buffer.withUnsafeMutableBufferPointer { b in
                    scratch.withUnsafeMutableBytes { s in
                        Conv2DReference.runInPlace(params.geometry, params.requantization, input: UnsafePointer(b.baseAddress! + start),
                                                   output: b.baseAddress!, filter: filter, bias: bias, scratch: s.baseAddress!)
                    }
                }
                XCTAssertEqual(buffer, expected, "input at the \(inputAtEnd ? "end" : "start")")
            }
        }
    }

    /// The element-wise activations run over their input.
    func testElementwiseActivationsRunInPlace() throws {
        for (builtin, name) in [(BuiltinOperator.relu, "RELU"), (BuiltinOperator.relu6, "RELU6"), (BuiltinOperator.logistic, "LOGISTIC"),
                                (BuiltinOperator.tanh, "TANH")] {
            let out: TinyModel.Tensor = builtin == BuiltinOperator.logistic ? .init(shape: [1, 4, 4, 3], scales: [1.0 / 256], zeroPoints: [-128])
                : builtin == BuiltinOperator.tanh ? .init(shape: [1, 4, 4, 3], scales: [1.0 / 128], zeroPoints: [0])
                : .init(shape: [1, 4, 4, 3], scales: [0.03], zeroPoints: [-128])
            let model = TinyModel(tensors: [.init(shape: [1, 4, 4, 3], scales: [0.05], zeroPoints: [3]), out],
                                  builtin: builtin, inputs: [0], outputs: [1], optionsType: 0, options: [])
            var rng = SeededRandom(UInt64(builtin))
            let x = rng.int8s(48).bytes
            let compact = try Self.run(model.serialize(), x, .compact)
            let fast = try Self.run(model.serialize(), x, .fast)
            XCTAssertEqual(compact.inPlace, [true], name)
            XCTAssertEqual(compact.outputs, fast.outputs, name)
        }
    }

    /// ADD, SUB and MUL run over their first input when it is not broadcast, whatever the
    /// second; `x + x` keeps its input (read twice).
    func testBinaryArithmeticRunsInPlaceOverItsFirstInput() throws {
        var rng = SeededRandom(0x1D4)
        let x = rng.int8s(48).bytes, y = rng.int8s(3).bytes
        for builtin in [BuiltinOperator.add, BuiltinOperator.sub, BuiltinOperator.mul] {
            let model = TinyModel(tensors: [.init(shape: [1, 4, 4, 3], scales: [0.05], zeroPoints: [3]),
                                            .init(shape: [1, 1, 1, 3], scales: [0.04], zeroPoints: [-2]),
                                            .init(shape: [1, 4, 4, 3], scales: [0.08], zeroPoints: [1])],
                                  builtin: builtin, inputs: [0, 1], outputs: [2], optionsType: 0, options: [])
            let compact = try Self.run(model.serialize(), [x, y], .compact)
            let fast = try Self.run(model.serialize(), [x, y], .fast)
            XCTAssertEqual(compact.inPlace, [true], "builtin \(builtin)")
            XCTAssertEqual(compact.outputs, fast.outputs, "builtin \(builtin)")
            var twice = model
            twice.inputs = [0, 0]
            twice.tensors[2].scales = [0.1]
            let c = try Self.run(twice.serialize(), [x], .compact), f = try Self.run(twice.serialize(), [x], .fast)
            XCTAssertEqual(c.inPlace, [false], "builtin \(builtin), x op x")
            XCTAssertEqual(c.outputs, f.outputs, "builtin \(builtin), x op x")
        }
        // A broadcast first input is not offered.
        let broadcast = TinyModel(tensors: [.init(shape: [1, 1, 1, 3], scales: [0.04], zeroPoints: [-2]),
                                            .init(shape: [1, 4, 4, 3], scales: [0.05], zeroPoints: [3]),
                                            .init(shape: [1, 4, 4, 3], scales: [0.08], zeroPoints: [1])],
                                  builtin: BuiltinOperator.add, inputs: [0, 1], outputs: [2], optionsType: 0, options: [])
        XCTAssertEqual(try Self.run(broadcast.serialize(), [y, x], .compact).inPlace, [false])
    }

    /// The depthwise model of `p` read into MoteModel's IR, for the refusal cases below.
    static func graph(_ p: DepthwiseProblem) throws -> TFLiteModel {
        try TFLiteModel(bytes: p.model.serialize())
    }

    /// Where the input is still needed, the operator gets a buffer of its own.
    func testInPlaceIsRefusedWhereTheInputLivesOn() throws {
        var rng = SeededRandom(0x1C3)
        let p = Self.depthwise(&rng, kernel: 3, dilation: 1, batches: 1)
        let expected = p.expected().bytes

        // Input read by a later operator: the first depthwise keeps it, the second may overwrite it.
        var twice = try Self.graph(p)
        var sg = twice.subgraphs[0]
        let output = sg.operators[0].outputs[0]
        sg.tensors.append(sg.tensors[output])
        var second = sg.operators[0]
        second.outputs = [sg.tensors.count - 1]
        sg.operators.append(second)
        sg.outputs = [output, sg.tensors.count - 1]
        twice.subgraphs[0] = sg
        let t = try Self.run(twice.serialized(), p.input.bytes, .compact)
        XCTAssertEqual(t.inPlace, [false, true])
        XCTAssertEqual(t.outputs, [expected, expected])

        // Input that is also a model output: it must survive invoke unchanged.
        var kept = try Self.graph(p)
        kept.subgraphs[0].outputs = [output, 0]
        let k = try Self.run(kept.serialized(), p.input.bytes, .compact)
        XCTAssertEqual(k.inPlace, [false])
        XCTAssertEqual(k.outputs, [expected, p.input.bytes])

        // Input that is a constant (model bytes, read-only).
        var constant = try Self.graph(p)
        let b = constant.buffers.count
        constant.buffers.append(Buffer(data: p.input.bytes))
        constant.subgraphs[0].tensors[0].buffer = b
        constant.subgraphs[0].inputs = []
        let c = try Self.run(constant.serialized(), nil, .compact)
        XCTAssertEqual(c.inPlace, [false])
        XCTAssertEqual(c.outputs, [expected])

        // An output larger than its input (depth multiplier 2) is not offered.
        var doubled = p
        doubled.multiplier = 2
        doubled.filterScales = [0.01]
        doubled.perChannel = false
        doubled.filter = rng.int8s(doubled.kernelH * doubled.kernelW * doubled.outputDepth)
        doubled.bias = [Int32](repeating: 7, count: doubled.outputDepth)
        let d = try Self.run(doubled.model.serialize(), doubled.input.bytes, .compact)
        XCTAssertEqual(d.inPlace, [false])
        XCTAssertEqual(d.outputs, [doubled.expected().bytes])
    }

    /// Every fixture under the compact policy: no two tensors live at the same operator share
    /// a byte, unless one is a RESHAPE of the other or they are the input and output of an
    /// operator running in place there; the lower bound stays the one without in place.
    func testFixtureLayoutsShareBytesOnlyInPlace() throws {
        var inPlace = 0
        for dir in try Fixtures.models() {
            let name = dir.lastPathComponent
            let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let problems: [String] = try FixtureConformanceTests.withInterpreter(model, memoryPolicy: .compact) { it in
                let fast = try FixtureConformanceTests.withInterpreter(model, memoryPolicy: .fast) { $0.usage }
                var problems: [String] = []
                if it.usage.lowerBound != fast.lowerBound { problems.append("lower bound \(it.usage.lowerBound) != fast \(fast.lowerBound)") }
                struct Range { let t: Int, lo: Int, hi: Int, first: Int, last: Int, root: Int }
                var ranges: [Range] = []
                for t in 0..<it.tensorCount {
                    let p = it.placement(t)
                    guard !p.isConstant, p.firstUse >= 0, p.bytes > 0 else { continue }
                    let root = p.alias >= 0 ? p.alias : t
                    let lo = it.placement(root).offset + it.sharedOffset(t)
                    ranges.append(Range(t: t, lo: lo, hi: lo + p.bytes, first: p.firstUse, last: p.lastUse, root: root))
                }
                for op in 0..<it.operatorCount {
                    let ins = it.inputTensors(ofOperator: op), outs = it.outputTensors(ofOperator: op)
                    let pair: Set<Int> = it.runsInPlace(operator: op) ? [Int(ins.i32(0)), Int(outs.i32(0))] : []
                    if it.runsInPlace(operator: op) { inPlace += 1 }
                    let live = ranges.filter { $0.first <= op && op <= $0.last }
                    for (i, a) in live.enumerated() {
                        for b in live[(i + 1)...] where a.lo < b.hi && b.lo < a.hi {
                            let reshape = a.root == b.root && a.lo == b.lo && a.hi == b.hi
                            if reshape || pair == [a.t, b.t] { continue }
                            problems.append("op \(op): tensors \(a.t) [\(a.lo), \(a.hi)) and \(b.t) [\(b.lo), \(b.hi)) overlap")
                        }
                    }
                }
                return problems
            }
            XCTAssertEqual(problems, [], name)
        }
        // 49 when written: kws's 4 depthwise and 4 pointwise layers, vww's 9 stride-1 depthwise
        // and 13 pointwise layers, and the activations and pointwise convolutions of the others.
        XCTAssertGreaterThan(inPlace, 40, "operators running in place across the fixtures")
    }
}
