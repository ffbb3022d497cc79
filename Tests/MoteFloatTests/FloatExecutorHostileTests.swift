import MoteCore
import MoteModel
import XCTest
@testable import MoteFloat

/// Seeded mutations of the fixture float graphs (shapes, types, tensor indices, options,
/// versions, constant bytes): preparing and running every mutant either works or throws a
/// `FloatExecutorError`; nothing may crash.
final class FloatExecutorHostileTests: XCTestCase {
    private struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(1, n)))
        }
        mutating func pick<T>(_ values: [T]) -> T { values[next(values.count)] }
    }

    private let odd = [0, -1, 1, 2, 3, 7, 1000, 1 << 20, Int(Int32.max)]

    private func mutate(_ model: inout TFLiteModel, _ rng: inout Rng) {
        var g = model.subgraphs[0]
        switch rng.next(8) {
        case 0:
            let t = rng.next(g.tensors.count)
            if !g.tensors[t].shape.isEmpty { g.tensors[t].shape[rng.next(g.tensors[t].shape.count)] = rng.pick(odd) }
        case 1:
            g.tensors[rng.next(g.tensors.count)].type = rng.pick([.int8, .int32, .float16, .float32, .uint8, .int64, .string])
        case 2:
            let o = rng.next(g.operators.count)
            if !g.operators[o].inputs.isEmpty {
                g.operators[o].inputs[rng.next(g.operators[o].inputs.count)] = rng.next(g.tensors.count + 3) - 2
            }
        case 3:
            let o = rng.next(g.operators.count)
            g.operators[o].outputs[0] = rng.next(g.tensors.count + 3) - 2
        case 4:
            let o = rng.next(g.operators.count)
            switch g.operators[o].builtinOptions {
            case .conv2D(var c):
                c.strideH = rng.pick(odd); c.dilationWFactor = rng.pick(odd); c.padding = rng.pick([.same, .valid])
                g.operators[o].builtinOptions = .conv2D(c)
            case .depthwiseConv2D(var c):
                c.strideW = rng.pick(odd); c.dilationHFactor = rng.pick(odd)
                g.operators[o].builtinOptions = .depthwiseConv2D(c)
            case .pool2D(var p):
                p.filterHeight = rng.pick(odd); p.strideW = rng.pick(odd)
                g.operators[o].builtinOptions = .pool2D(p)
            case .concatenation(var c):
                c.axis = rng.pick(odd) - 2
                g.operators[o].builtinOptions = .concatenation(c)
            case .reshape:
                g.operators[o].builtinOptions = .reshape(ReshapeOptions(newShape: [rng.pick(odd), -1, rng.pick(odd)]))
            case .fullyConnected(var f):
                f.keepNumDims.toggle()
                g.operators[o].builtinOptions = .fullyConnected(f)
            default:
                g.operators[o].builtinOptions = .none
            }
        case 5:
            let o = rng.next(g.operators.count)
            let c = g.operators[o].opcodeIndex
            if rng.next(2) == 0 {
                model.operatorCodes[c].version = Int32(rng.next(12))
            } else {
                g.operators[o].opcodeIndex = rng.next(model.operatorCodes.count + 2) - 1
            }
        case 6:
            let b = 1 + rng.next(model.buffers.count - 1)
            let data = model.buffers[b].data
            model.buffers[b].data = Array(data.prefix(rng.next(data.count + 1)))
        default:
            if rng.next(2) == 0 { g.inputs = [rng.next(g.tensors.count)] } else { g.outputs = [rng.next(g.tensors.count + 2) - 1] }
        }
        model.subgraphs[0] = g
    }

    func testMutatedGraphsThrowOrRun() throws {
        var outcomes = (prepared: 0, rejected: 0)
        for folder in try FloatFixtures.models() where !["peer_seed_64", "mlperf_vww_96"].contains(folder.lastPathComponent) {
            let original = try TFLiteModel(bytes: FloatFixtures.bytes(folder.appendingPathComponent("model_float.tflite")))
            var rng = Rng(state: UInt64(folder.lastPathComponent.utf8.count) &* 0x9E3779B97F4A7C15)
            for _ in 0..<60 {
                var m = original
                for _ in 0..<(1 + rng.next(3)) { mutate(&m, &rng) }
                do {
                    let executor = try FloatExecutor(model: m, batch: 1 + rng.next(2))
                    let inputs = executor.inputShapes.map { [Float](repeating: 0.5, count: $0.reduce(1, *)) }
                    _ = try executor.run(inputs) { _ in }
                    outcomes.prepared += 1
                } catch let error as FloatExecutorError {
                    XCTAssertFalse("\(error)".isEmpty)
                    outcomes.rejected += 1
                }
            }
        }
        print("hostile float graphs: \(outcomes.prepared) prepared and ran, \(outcomes.rejected) rejected")
        XCTAssertGreaterThan(outcomes.rejected, 100)
    }
}
