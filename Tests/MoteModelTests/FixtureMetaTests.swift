import Foundation
import XCTest
import MoteCore
@testable import MoteModel

/// The IR read from each int8 fixture agrees with its meta.json, which TensorFlow's own
/// flatbuffer reader produced: an independent source for slots, defaults and enum values.
final class FixtureMetaTests: XCTestCase {
    func testOperatorsAgreeWithMeta() throws {
        for dir in try Fixtures.models() {
            let name = dir.lastPathComponent
            let meta = try Fixtures.json(dir.appendingPathComponent("meta.json"))
            let model = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_int8.tflite"))
            let graph = model.subgraphs[0]
            let ops = meta["ops"] as! [[String: Any]]
            XCTAssertEqual(graph.operators.count, ops.count, name)
            XCTAssertEqual(graph.inputs, meta["subgraph_inputs"] as? [Int], name)
            XCTAssertEqual(graph.outputs, meta["subgraph_outputs"] as? [Int], name)
            for (op, m) in zip(graph.operators, ops) {
                let label = "\(name) op \(m["index"]!) \(m["op_name"]!)"
                let code = model.operatorCodes[op.opcodeIndex]
                XCTAssertEqual(Int(code.builtinOperator), m["builtin_code"] as? Int, label)
                XCTAssertEqual(code.name, m["op_name"] as? String, label)
                XCTAssertEqual(Int(code.version), m["opcode_version"] as? Int, label)
                XCTAssertEqual(op.inputs, m["inputs"] as? [Int], label)
                XCTAssertEqual(op.outputs, m["outputs"] as? [Int], label)
                let type = m["builtin_options_type"] as! String
                XCTAssertEqual(op.builtinOptions.tableName ?? "NONE", type, label)
                if case .generic = op.builtinOptions { XCTFail("\(label): a fixture option table was read generically") }
                guard let expected = m["builtin_options"] as? [String: Any] else { continue }
                let fields = Self.fields(of: op.builtinOptions)
                for (key, value) in expected {
                    guard let got = fields[Self.camelCase(key)] else { XCTFail("\(label): no field \(key)"); continue }
                    XCTAssertTrue(Self.same(got, value), "\(label): \(key) = \(got), meta.json says \(value)")
                }
            }
        }
    }

    func testTensorsAgreeWithMeta() throws {
        for dir in try Fixtures.models() {
            let name = dir.lastPathComponent
            let meta = try Fixtures.json(dir.appendingPathComponent("meta.json"))
            let model = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_int8.tflite"))
            let tensors = meta["tensors"] as! [[String: Any]]
            XCTAssertEqual(model.subgraphs[0].tensors.count, tensors.count, name)
            for (t, m) in zip(model.subgraphs[0].tensors, tensors) {
                let label = "\(name) tensor \(m["index"]!)"
                XCTAssertEqual(t.name, m["name"] as? String, label)
                XCTAssertEqual(Self.typeName(t.type), m["type"] as? String, label)
                XCTAssertEqual(t.shape, m["shape"] as? [Int], label)
                if let signature = m["shape_signature"] as? [Int] { XCTAssertEqual(t.shapeSignature, signature, label) }
                XCTAssertEqual(t.buffer, m["buffer"] as? Int, label)
                let isConstant = m["is_constant"] as! Bool
                XCTAssertEqual(!model.buffers[t.buffer].data.isEmpty, isConstant, label)
                if isConstant {
                    let bytes = t.elementCount * t.type.byteSize
                    XCTAssertEqual(model.buffers[t.buffer].data.count, bytes, label)
                }
                guard let q = m["quantization"] as? [String: Any] else { continue }
                let scales = (q["scale"] as? [Double] ?? []).map { Float($0) }
                XCTAssertEqual(t.quantization?.scale ?? [], scales, label)
                XCTAssertEqual((t.quantization?.zeroPoint ?? []).map(Int.init), q["zero_point"] as? [Int] ?? [], label)
                XCTAssertEqual(t.quantization?.quantizedDimension ?? 0, q["quantized_dimension"] as? Int ?? 0, label)
            }
            // The model-level input/output records.
            let input = meta["input"] as! [String: Any]
            let t = model.subgraphs[0].tensors[input["tensor_index"] as! Int]
            XCTAssertEqual(t.quantization?.scale.first, (input["scale"] as? Double).map { Float($0) }, name)
            XCTAssertEqual(t.quantization?.zeroPoint.first.map(Int.init), input["zero_point"] as? Int, name)
        }
    }

    /// The fixtures' file-level facts: schema version 3 and TF's description.
    func testModelHeaderAgreesWithReadme() throws {
        for dir in try Fixtures.models() {
            let model = try TFLiteModel(contentsOf: dir.appendingPathComponent("model_int8.tflite"))
            XCTAssertEqual(model.version, 3, dir.lastPathComponent)
            XCTAssertEqual(model.description, "MLIR Converted.", dir.lastPathComponent)
            XCTAssertTrue(model.buffers[0].data.isEmpty, "buffer 0 must be the empty sentinel")
            XCTAssertNotNil(model.metadataBytes(named: "min_runtime_version"), dir.lastPathComponent)
        }
    }

    // MARK: Helpers

    static func camelCase(_ snake: String) -> String {
        let parts = snake.split(separator: "_")
        return parts.enumerated().map { i, p in i == 0 ? String(p) : p.prefix(1).uppercased() + p.dropFirst() }.joined()
    }

    /// The typed options' stored properties by name, as plain numbers, bools and arrays.
    static func fields(of options: BuiltinOptions) -> [String: Any] {
        guard let payload = Mirror(reflecting: options).children.first?.value else { return [:] }
        var out: [String: Any] = [:]
        for child in Mirror(reflecting: payload).children {
            guard let label = child.label else { continue }
            switch child.value {
            case let v as Padding: out[label] = Int(v.rawValue)
            case let v as FusedActivation: out[label] = Int(v.rawValue)
            case let v as TensorType: out[label] = Int(v.rawValue)
            case let v as FullyConnectedWeightsFormat: out[label] = Int(v.rawValue)
            case let v as MirrorPadMode: out[label] = Int(v.rawValue)
            default: out[label] = child.value
            }
        }
        return out
    }

    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as Int, y as Int): return x == y
        case let (x as Bool, y as Bool): return x == y
        case let (x as Float, y as Double): return x == Float(y)
        case let (x as [Int], y as [Int]): return x == y
        default: return false
        }
    }

    static func typeName(_ t: TensorType) -> String {
        switch t {
        case .float32: return "FLOAT32"
        case .int8: return "INT8"
        case .int32: return "INT32"
        case .uint8: return "UINT8"
        case .int16: return "INT16"
        case .int64: return "INT64"
        case .bool: return "BOOL"
        default: return "\(t)"
        }
    }
}
