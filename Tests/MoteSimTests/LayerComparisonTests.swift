import XCTest
import MoteCore
import MoteFloat
import MoteImage
import MoteModel
@testable import MoteSim

/// The per-layer figures of `LayerComparison` against a recomputation written here: the test
/// dumps every operator output of both models itself (MoteFloat's executor and MoteCore's
/// interpreter, driven directly) and computes SQNR, cosine and max error in float64.
final class LayerComparisonTests: XCTestCase {
    func testSeedModelLayersAgainstFloat64Recomputation() throws {
        let dir = try SimFixtures.require(SimFixtures.seed64)
        let val = try SimFixtures.require(SimFixtures.facesVal)
        let qBytes = try SimFixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
        let qIR = try TFLiteModel(bytes: qBytes)
        let fIR = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_float.tflite"))
        let images = try ImageDataset.labeledFolder(val.path).balancedSample(count: 4, seed: 7).items
        XCTAssertEqual(images.count, 4)
        let prep = Preprocessing(height: 64, width: 64, channels: 3, resize: .bilinear, scale: 1 / 255, offset: 0)

        // The code under test.
        let host = try HostInt8Model(bytes: qBytes)
        var comparison = LayerComparison(matcher: LayerMatcher(int8: qIR, float: fIR), int8: host)
        let recorder = try FloatLayerRecorder(model: fIR, keys: comparison.floatKeys)
        for item in images {
            let input = try prep.load(path: item.path)
            _ = try recorder.run(input)
            try comparison.add(floatOutputs: recorder.layers, int8: host, input: input)
        }
        XCTAssertEqual(comparison.images, 4)
        XCTAssertEqual(comparison.layers.count, 10)

        // Independent dump: float outputs by operator index, int8 outputs (raw) by operator index.
        let executor = try FloatExecutor(model: fIR)
        let modelBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: qBytes.count, alignment: 16)
        defer { modelBuffer.deallocate() }
        qBytes.withUnsafeBytes { modelBuffer.copyMemory(from: $0) }
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: UnsafeRawBufferPointer(modelBuffer), arena: arena, memoryPolicy: .fast)
        let g = qIR.subgraphs[0]
        var signal = [Double](repeating: 0, count: 10), noise = [Double](repeating: 0, count: 10)
        var dot = [Double](repeating: 0, count: 10), qq = [Double](repeating: 0, count: 10), maxError = [Double](repeating: 0, count: 10)
        for item in images {
            let input = try prep.load(path: item.path)
            var floats: [Int: [Float]] = [:]
            _ = try executor.run([input]) { out in floats[out.operatorIndex] = Array(out.values) }
            // Quantize the input as NumPy's np.round does (half to even) in float32.
            let inQ = g.tensors[g.inputs[0]].quantization!
            let inBytes = input.map { x -> Int8 in
                let r = (x / inQ.scale[0]).rounded(.toNearestOrEven) + Float(inQ.zeroPoint[0])
                return Int8(max(-128, min(127, r)))
            }
            inBytes.withUnsafeBytes { interpreter.input(0).copyMemory(from: $0) }
            interpreter.invoke { op in
                let t = g.operators[op].outputs[0]
                let q = g.tensors[t].quantization!
                let s = Double(q.scale[0]), zp = Double(q.zeroPoint[0])
                let raw = interpreter.tensorBytes(t).bindMemory(to: Int8.self)
                let f = floats[op]!
                XCTAssertEqual(f.count, raw.count)
                for k in 0..<raw.count {
                    let dq = (Double(raw[k]) - zp) * s, fv = Double(f[k])
                    signal[op] += fv * fv
                    noise[op] += (dq - fv) * (dq - fv)
                    dot[op] += fv * dq
                    qq[op] += dq * dq
                    maxError[op] = max(maxError[op], abs(dq - fv))
                }
            }
        }
        for (op, layer) in comparison.layers.enumerated() {
            XCTAssertEqual(layer.match.int8Operator, op)
            let sqnr = 10 * log10(signal[op] / noise[op])
            XCTAssertEqual(layer.error.sqnrDB!, sqnr, accuracy: 1e-6, "SQNR of operator \(op)")
            XCTAssertEqual(layer.error.cosine, dot[op] / (signal[op].squareRoot() * qq[op].squareRoot()), accuracy: 1e-9, "cosine of \(op)")
            XCTAssertEqual(layer.error.maxAbsError, maxError[op], accuracy: 1e-9, "max error of \(op)")
            XCTAssertEqual(layer.images, 4)
        }
        // Sanity on the real model: the early convolutions keep a good SQNR.
        XCTAssertGreaterThan(comparison.layers[0].error.sqnrDB!, 20)
        let worst = comparison.worstLayer!
        XCTAssertEqual(worst.error.sqnrDB!, comparison.layers.compactMap { $0.error.sqnrDB }.min()!)
        XCTAssertEqual(worst.floatHistogram.total, worst.error.count)
    }
}
