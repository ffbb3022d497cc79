import XCTest
import MoteCore
@testable import MoteModel

/// Option tables: typed values round-trip with every field, defaults are omitted and read
/// back, and tables written by a foreign writer that the typed values cannot hold (unknown
/// tables, undefined enum values, extra slots, builtin_options_2) are kept field by field.
final class BuiltinOptionsTests: XCTestCase {
    /// A one-operator model whose options table is written by `options` with the builder's
    /// low-level API (fields in the order given, like another writer might).
    static func model(optionsType: UInt8, options: (inout FlatBufferBuilder) -> FlatBufferBuilder.Offset?,
                      options2Type: UInt8 = 0, options2: (inout FlatBufferBuilder) -> FlatBufferBuilder.Offset? = { _ in nil }) -> [UInt8] {
        var b = FlatBufferBuilder()
        let buffer = b.table(TableFields())
        let buffers = b.createVector([buffer])
        let tensors = (0..<2).map { i -> FlatBufferBuilder.Offset in
            let shape = b.createVector([Int32(1), 4])
            let name = b.createString("t\(i)")
            var f = TableFields()
            f.add(0, shape)
            f.add(1, TensorType.int8.rawValue)
            f.add(3, name)
            return b.table(f)
        }
        let tensorVector = b.createVector(tensors)
        let inputs = b.createVector([Int32(0)]), outputs = b.createVector([Int32(1)])
        let opOptions = options(&b)
        let opOptions2 = options2(&b)
        var op = TableFields()
        op.add(1, inputs)
        op.add(2, outputs)
        op.add(3, optionsType, default: 0)
        if let opOptions { op.add(4, opOptions) }
        op.add(11, options2Type, default: 0)
        if let opOptions2 { op.add(12, opOptions2) }
        let ops = b.createVector([b.table(op)])
        let gIn = b.createVector([Int32(0)]), gOut = b.createVector([Int32(1)])
        var g = TableFields()
        g.add(0, tensorVector)
        g.add(1, gIn)
        g.add(2, gOut)
        g.add(3, ops)
        let subgraphs = b.createVector([b.table(g)])
        var code = TableFields()
        code.add(0, Int8(99))
        code.add(3, Int32(99))
        let codes = b.createVector([b.table(code)])
        var m = TableFields()
        m.add(0, UInt32(3))
        m.add(1, codes)
        m.add(2, subgraphs)
        m.add(4, buffers)
        return b.finish(root: b.table(m), fileIdentifier: "TFL3")
    }

    /// Reads `bytes`, checks that write -> read gives the same IR, and returns the operator.
    func roundTrip(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> Operator {
        let model = try TFLiteModel(bytes: bytes)
        let written = model.serialized()
        XCTAssertNoThrow(try written.withUnsafeBytes { try ModelVerifier.verify(FlatBuffer($0)) }, file: file, line: line)
        XCTAssertEqual(try TFLiteModel(bytes: written), model, file: file, line: line)
        return model.subgraphs[0].operators[0]
    }

    /// Field `slot` of operator 0's options table (or options 2 table) in `bytes`.
    func optionsTable<R>(_ bytes: [UInt8], second: Bool = false, _ body: (FBTable) throws -> R) throws -> R {
        try bytes.withUnsafeBytes { raw in
            let fb = FlatBuffer(raw)
            let op = try XCTUnwrap(fb.root?.vector(2, elementSize: 4)?.table(0)?.vector(3, elementSize: 4)?.table(0))
            return try body(try XCTUnwrap(op.table(second ? 12 : 4)))
        }
    }

    func testUnknownTableWithScalarsOfMixedWidthsIsKept() throws {
        // FakeQuantOptions (58): min float, max float, num_bits int, narrow_range bool, written
        // with the bool first so that padding follows other fields.
        let bytes = Self.model(optionsType: 58) { b in
            b.startTable()
            b.add(slot: 3, true)
            b.add(slot: 0, Float(-1.5))
            b.add(slot: 2, Int32(8))
            b.add(slot: 1, Float(2.25))
            return b.endTable()
        }
        let op = try roundTrip(bytes)
        guard case .generic(let g) = op.builtinOptions else { return XCTFail("expected generic options") }
        XCTAssertEqual(g.unionType, 58)
        XCTAssertEqual(g.tableName(), "FakeQuantOptions")
        XCTAssertEqual(g.fields[0], .scalar(Array(withUnsafeBytes(of: Float(-1.5).bitPattern.littleEndian, Array.init))))
        XCTAssertEqual(g.integer(2, bytes: 4), 8)
        XCTAssertEqual(g.fields[3], .scalar([1]))
        let written = try TFLiteModel(bytes: bytes).serialized()
        try optionsTable(written) { t in
            XCTAssertEqual(t.f32(0), -1.5)
            XCTAssertEqual(t.f32(1), 2.25)
            XCTAssertEqual(t.i32(2), 8)
            XCTAssertTrue(t.bool(3))
        }
    }

    func testEightByteFieldsAndPaddingAfterANarrowField() throws {
        // RandomOptions (114): seed long, seed2 long; plus an int32 whose 4 trailing bytes are
        // padding before the 8-byte field (as a front-to-back writer might leave it).
        let bytes = Self.model(optionsType: 114) { b in
            b.align(8)
            b.startTable()
            b.add(slot: 1, Int64(-42))
            b.add(slot: 2, rawBytes: [7, 0, 0, 0, 0, 0, 0, 0], alignment: 8)
            b.add(slot: 0, Int64(1 << 40))
            return b.endTable()
        }
        let op = try roundTrip(bytes)
        guard case .generic(let g) = op.builtinOptions else { return XCTFail("expected generic options") }
        XCTAssertEqual(g.integer(0, bytes: 8), 1 << 40)
        XCTAssertEqual(g.integer(1, bytes: 8), -42)
        XCTAssertEqual(g.integer(2, bytes: 4), 7)
        let written = try TFLiteModel(bytes: bytes).serialized()
        try optionsTable(written) { t in
            XCTAssertEqual(t.i64(0), 1 << 40)
            XCTAssertEqual(t.i64(1), -42)
            XCTAssertEqual(t.i32(2), 7)
            for slot in 0...2 { XCTAssertEqual(try XCTUnwrap(t.field(slot, size: 4)) % 4, 0) }
            XCTAssertEqual(try XCTUnwrap(t.field(0, size: 8)) % 8, 0)
        }
    }

    func testVectorsAndStringsOfUnknownTablesAreKept() throws {
        // ConcatEmbeddingsOptions (3): num_channels int, two int vectors.
        let bytes = Self.model(optionsType: 3) { b in
            let a = b.createVector([Int32(1), 2, 3]), c = b.createVector([Int32(-4)])
            b.startTable()
            b.add(slot: 0, Int32(2))
            b.add(slot: 1, a)
            b.add(slot: 2, c)
            return b.endTable()
        }
        let op = try roundTrip(bytes)
        guard case .generic(let g) = op.builtinOptions else { return XCTFail("expected generic options") }
        XCTAssertEqual(g.fields[1], .vector(elementSize: 4, bytes: [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]))
        // VarHandleOptions (111): two strings.
        let strings = Self.model(optionsType: 111) { b in
            let c = b.createString("container"), s = b.createString("shared")
            b.startTable()
            b.add(slot: 0, c)
            b.add(slot: 1, s)
            return b.endTable()
        }
        let op2 = try roundTrip(strings)
        guard case .generic(let h) = op2.builtinOptions else { return XCTFail("expected generic options") }
        XCTAssertEqual(h.fields[0], .string(Array("container".utf8)))
        XCTAssertEqual(h.fields[1], .string(Array("shared".utf8)))
    }

    func testBuiltinOptions2IsKept() throws {
        // StablehloSliceOptions (BuiltinOptions2 3): three long vectors.
        let bytes = Self.model(optionsType: 0, options: { _ in nil }, options2Type: 3) { b in
            let v = (0..<3).map { k in b.createVector([Int64(k), -Int64(k) - 1]) }
            b.startTable()
            for (slot, o) in v.enumerated() { b.add(slot: slot, o) }
            return b.endTable()
        }
        let op = try roundTrip(bytes)
        XCTAssertEqual(op.builtinOptions, BuiltinOptions.none)
        let g = try XCTUnwrap(op.builtinOptions2)
        XCTAssertEqual(g.unionType, 3)
        XCTAssertEqual(g.tableName(in: .builtinOptions2), "StablehloSliceOptions")
        let written = try TFLiteModel(bytes: bytes).serialized()
        try optionsTable(written, second: true) { t in
            let v = try XCTUnwrap(t.vector(2, elementSize: 8))
            XCTAssertEqual([v.i64(0), v.i64(1)], [2, -3])
            XCTAssertEqual(v.start % 8, 0)
        }
    }

    func testTypedTableWithUndefinedEnumOrExtraSlotFallsBackToGeneric() throws {
        let badPadding = Self.model(optionsType: 1) { b in
            b.startTable()
            b.add(slot: 0, Int8(5))  // no such Padding
            b.add(slot: 1, Int32(2))
            return b.endTable()
        }
        guard case .generic(let g) = try roundTrip(badPadding).builtinOptions else { return XCTFail("expected generic") }
        XCTAssertEqual(g.integer(0, bytes: 1), 5)
        XCTAssertEqual(g.integer(1, bytes: 4), 2)
        let extraSlot = Self.model(optionsType: 9) { b in
            b.startTable()
            b.add(slot: 0, Float(1))
            b.add(slot: 3, Int32(77))  // SoftmaxOptions has one field
            return b.endTable()
        }
        guard case .generic(let s) = try roundTrip(extraSlot).builtinOptions else { return XCTFail("expected generic") }
        XCTAssertEqual(s.integer(3, bytes: 4), 77)
    }

    func testTypedOptionsRoundTripEveryField() throws {
        let all: [BuiltinOptions] = [
            .conv2D(Conv2DOptions(padding: .valid, strideW: 2, strideH: 3, fusedActivationFunction: .relu6,
                                  dilationWFactor: 4, dilationHFactor: 5, quantizedBiasType: .int64)),
            .depthwiseConv2D(DepthwiseConv2DOptions(padding: .valid, strideW: 2, strideH: 1, depthMultiplier: 3,
                                                    fusedActivationFunction: .relu, dilationWFactor: 2, dilationHFactor: 3)),
            .pool2D(Pool2DOptions(padding: .valid, strideW: 2, strideH: 2, filterWidth: 3, filterHeight: 4,
                                  fusedActivationFunction: .reluN1To1)),
            .fullyConnected(FullyConnectedOptions(fusedActivationFunction: .tanh, weightsFormat: .shuffled4x16Int8,
                                                  keepNumDims: true, asymmetricQuantizeInputs: true, quantizedBiasType: .int32)),
            .softmax(SoftmaxOptions(beta: 1)), .concatenation(ConcatenationOptions(axis: -1, fusedActivationFunction: .relu)),
            .add(AddOptions(fusedActivationFunction: .relu, potScaleInt16: false)), .sub(SubOptions(potScaleInt16: false)),
            .mul(MulOptions(fusedActivationFunction: .relu6)), .div(DivOptions(fusedActivationFunction: .relu)),
            .reshape(ReshapeOptions(newShape: [1, -1])), .reshape(ReshapeOptions(newShape: [])), .reshape(ReshapeOptions()),
            .reducer(ReducerOptions(keepDims: true)), .squeeze(SqueezeOptions(squeezeDims: [1, 2])),
            .stridedSlice(StridedSliceOptions(beginMask: 1, endMask: 2, ellipsisMask: 4, newAxisMask: 8, shrinkAxisMask: 16, offset: true)),
            .shape(ShapeOptions(outType: .int32)), .pack(PackOptions(valuesCount: 2, axis: 1)),
            .unpack(UnpackOptions(num: 3, axis: -1)), .leakyRelu(LeakyReluOptions(alpha: 0.2)),
            .gather(GatherOptions(axis: 1, batchDims: 1)), .split(SplitOptions(numSplits: 2)), .splitV(SplitVOptions(numSplits: 3)),
            .transposeConv(TransposeConvOptions(padding: .valid, strideW: 2, strideH: 2, fusedActivationFunction: .relu,
                                                quantizedBiasType: .int64)),
            .resizeBilinear(ResizeBilinearOptions(newHeight: 3, newWidth: 4, alignCorners: true, halfPixelCenters: true)),
            .resizeNearestNeighbor(ResizeNearestNeighborOptions(alignCorners: false, halfPixelCenters: true)),
            .cast(CastOptions(inDataType: .int8, outDataType: .float32)), .argMax(ArgMaxOptions(outputType: .int64)),
            .argMin(ArgMinOptions(outputType: .int32)), .mirrorPad(MirrorPadOptions(mode: .symmetric)),
            .spaceToDepth(SpaceToDepthOptions(blockSize: 2)), .depthToSpace(DepthToSpaceOptions(blockSize: 4)),
            .batchMatMul(BatchMatMulOptions(adjX: true, adjY: false, asymmetricQuantizeInputs: true)),
            .gelu(GeluOptions(approximate: true)), .l2Norm(L2NormOptions(fusedActivationFunction: .relu)),
            .pad, .padV2, .quantize, .dequantize, .hardSwish, .expandDims, .transpose, .maximumMinimum, .logSoftmax,
            .slice, .tile, .batchToSpaceND, .spaceToBatchND, .none,
            .generic(GenericOptions(unionType: 47)),
            .generic(GenericOptions(unionType: 58, fields: [0: .scalar([0, 0, 0x80, 0xBF]), 3: .scalar([1])])),
        ]
        for options in all {
            var model = try TFLiteModel(bytes: Self.model(optionsType: 0) { _ in nil })
            model.subgraphs[0].operators[0].builtinOptions = options
            let written = model.serialized()
            let reread = try TFLiteModel(bytes: written)
            XCTAssertEqual(reread.subgraphs[0].operators[0].builtinOptions, options)
            let type = written.withUnsafeBytes { raw in
                FlatBuffer(raw).root?.vector(2, elementSize: 4)?.table(0)?.vector(3, elementSize: 4)?.table(0)?.u8(3)
            }
            XCTAssertEqual(type, options.unionType, "\(options)")
        }
    }

    func testDefaultsAreOmittedAndReadBack() throws {
        var model = try TFLiteModel(bytes: Self.model(optionsType: 0) { _ in nil })
        model.subgraphs[0].operators[0].builtinOptions = .conv2D(Conv2DOptions())
        let written = model.serialized()
        try optionsTable(written) { t in
            for slot in 0..<7 { XCTAssertFalse(t.has(slot), "default field \(slot) written") }
        }
        guard case .conv2D(let c) = try TFLiteModel(bytes: written).subgraphs[0].operators[0].builtinOptions else {
            return XCTFail("expected Conv2DOptions")
        }
        XCTAssertEqual(c.dilationWFactor, 1, "schema default")
        XCTAssertEqual(c.dilationHFactor, 1, "schema default")
        // A non-default value of a field whose default is true must be written.
        model.subgraphs[0].operators[0].builtinOptions = .add(AddOptions(potScaleInt16: false))
        try optionsTable(model.serialized()) { t in
            XCTAssertTrue(t.has(1))
            XCTAssertFalse(t.bool(1, true))
        }
        // The typed values use the schema's slots: Conv2D stride_h is slot 2, dilation_h slot 5.
        model.subgraphs[0].operators[0].builtinOptions = .conv2D(Conv2DOptions(strideH: 2, dilationHFactor: 3))
        try optionsTable(model.serialized()) { t in
            XCTAssertEqual(t.i32(2), 2)
            XCTAssertEqual(t.i32(5, 1), 3)
            XCTAssertEqual(t.i32(4, 1), 1)
        }
    }
}
