import Foundation
import XCTest

/// `mote inspect --json` against the fixtures' meta.json (written by TFLite's own tooling),
/// and its arena numbers and layout checked for consistency from first principles.
final class InspectCommandTests: XCTestCase {
    /// Operators, their tensors (shapes, types, quantization) and the model's inputs and outputs
    /// equal what meta.json lists; MACs equal a recomputation from meta.json's shapes.
    func testJSONMatchesFixtureMeta() throws {
        var problems: [String] = []
        for dir in try CLIFixtures.models() {
            let name = dir.lastPathComponent
            let meta = try CLIFixtures.meta(dir)
            let modelURL = dir.appendingPathComponent("model_int8.tflite")
            let r = try MoteCLI.run(["inspect", modelURL.path, "--json"])
            let doc = try r.json()
            func problem(_ text: String) { problems.append("\(name): \(text)") }

            let metaTensors = meta["tensors"] as! [[String: Any]]
            let metaOps = meta["ops"] as! [[String: Any]]
            let model = try XCTUnwrap(doc["model"] as? [String: Any])
            let size = try FileManager.default.attributesOfItem(atPath: modelURL.path)[.size] as! Int
            if model["bytes"] as? Int != size { problem("model bytes \(model["bytes"] ?? "nil") != file size \(size)") }
            if model["tensors"] as? Int != metaTensors.count { problem("tensor count \(model["tensors"] ?? "nil") != \(metaTensors.count)") }

            /// Checks one tensor entry of the JSON against meta.json's tensor of the same index.
            func check(_ entry: Any?, expectedIndex: Int, _ place: String) {
                if expectedIndex == -1 {
                    if !(entry is NSNull) { problem("\(place): omitted input should be null") }
                    return
                }
                guard let t = entry as? [String: Any], let index = t["tensor"] as? Int else {
                    return problem("\(place): no tensor entry for \(expectedIndex)")
                }
                guard index == expectedIndex else { return problem("\(place): tensor \(index) != \(expectedIndex)") }
                let m = metaTensors[index]
                if t["shape"] as? [Int] != m["shape"] as? [Int] { problem("\(place) tensor \(index): shape \(t["shape"] ?? "nil") != \(m["shape"]!)") }
                if (t["type"] as? String)?.uppercased() != m["type"] as? String { problem("\(place) tensor \(index): type \(t["type"] ?? "nil") != \(m["type"]!)") }
                if t["constant"] as? Bool != m["is_constant"] as? Bool { problem("\(place) tensor \(index): constant flag differs") }
                if t["name"] as? String != m["name"] as? String { problem("\(place) tensor \(index): name differs") }
                let mq = m["quantization"] as? [String: Any]
                let mScales = (mq?["scale"] as? [Double]) ?? []
                let mZeros = (mq?["zero_point"] as? [Int]) ?? []
                let q = t["quantization"] as? [String: Any]
                let scales = (q?["scales"] as? [Double]) ?? []
                if scales.count != mScales.count || zip(scales, mScales).contains(where: { abs($0 - $1) > 1e-7 * abs($1) }) {
                    problem("\(place) tensor \(index): scales \(scales.prefix(4)) != \(mScales.prefix(4)) (\(scales.count) vs \(mScales.count))")
                }
                if (q?["zero_points"] as? [Int]) ?? [] != mZeros { problem("\(place) tensor \(index): zero points differ") }
                if !mScales.isEmpty {
                    if q?["channels"] as? Int != mScales.count { problem("\(place) tensor \(index): channel count") }
                    if q?["scale"] as? Double != mScales.first { problem("\(place) tensor \(index): first scale") }
                    if q?["zero_point"] as? Int != mZeros.first { problem("\(place) tensor \(index): first zero point") }
                    if q?["quantized_dimension"] as? Int != mq?["quantized_dimension"] as? Int { problem("\(place) tensor \(index): quantized dimension") }
                }
            }

            let inputs = doc["inputs"] as? [Any] ?? [], outputs = doc["outputs"] as? [Any] ?? []
            let metaIn = meta["subgraph_inputs"] as! [Int], metaOut = meta["subgraph_outputs"] as! [Int]
            if inputs.count != metaIn.count || outputs.count != metaOut.count { problem("input/output counts differ") }
            for (k, t) in metaIn.enumerated() where k < inputs.count { check(inputs[k], expectedIndex: t, "input") }
            for (k, t) in metaOut.enumerated() where k < outputs.count { check(outputs[k], expectedIndex: t, "output") }

            let ops = doc["operators"] as? [[String: Any]] ?? []
            if doc["operator_count"] as? Int != metaOps.count || ops.count != metaOps.count {
                problem("\(ops.count) operators, meta.json lists \(metaOps.count)")
            }
            var totalMACs = 0
            for (op, m) in zip(ops, metaOps) {
                let i = m["index"] as! Int
                let place = "op \(i) \(m["op_name"]!)"
                if op["index"] as? Int != i { problem("\(place): index \(op["index"] ?? "nil")") }
                if op["op_name"] as? String != m["op_name"] as? String { problem("\(place): name \(op["op_name"] ?? "nil")") }
                if op["builtin_code"] as? Int != m["builtin_code"] as? Int { problem("\(place): builtin code") }
                if op["version"] as? Int != m["opcode_version"] as? Int { problem("\(place): version \(op["version"] ?? "nil") != \(m["opcode_version"]!)") }
                let ins = op["inputs"] as? [Any] ?? [], outs = op["outputs"] as? [Any] ?? []
                let mIns = m["inputs"] as! [Int], mOuts = m["outputs"] as! [Int]
                if ins.count != mIns.count || outs.count != mOuts.count { problem("\(place): input/output counts"); continue }
                for (k, t) in mIns.enumerated() { check(ins[k], expectedIndex: t, "\(place) input \(k)") }
                for (k, t) in mOuts.enumerated() { check(outs[k], expectedIndex: t, "\(place) output \(k)") }
                let expectedMACs = Self.macs(m, metaTensors)
                totalMACs += expectedMACs
                if op["macs"] as? Int != expectedMACs { problem("\(place): MACs \(op["macs"] ?? "nil") != \(expectedMACs)") }
            }
            if doc["total_macs"] as? Int != totalMACs { problem("total MACs \(doc["total_macs"] ?? "nil") != \(totalMACs)") }
        }
        XCTAssertTrue(problems.isEmpty, "\n" + problems.prefix(60).joined(separator: "\n"))
    }

    /// Multiply-accumulates recomputed from meta.json with MoteModel's `ModelSummary`
    /// definitions: output elements times the reduction length for CONV_2D (window × input
    /// channels), DEPTHWISE_CONV_2D (window) and FULLY_CONNECTED (input features); pools one per
    /// window tap; reductions one per input element; element-wise arithmetic one per output element.
    static func macs(_ op: [String: Any], _ tensors: [[String: Any]]) -> Int {
        let ins = op["inputs"] as! [Int], outs = op["outputs"] as! [Int]
        func shape(_ t: Int) -> [Int] { tensors[t]["shape"] as! [Int] }
        let outElements = shape(outs[0]).reduce(1, *)
        let options = op["builtin_options"] as? [String: Any] ?? [:]
        switch op["op_name"] as! String {
        case "CONV_2D":
            let inChannels = shape(ins[0]).last!, filter = shape(ins[1])
            XCTAssertEqual(inChannels, filter[3], "conv without groups in the fixtures")
            return outElements * filter[1] * filter[2] * inChannels
        case "DEPTHWISE_CONV_2D":
            let filter = shape(ins[1])
            return outElements * filter[1] * filter[2]
        case "FULLY_CONNECTED":
            return outElements * shape(ins[0]).reduce(1, *) / shape(ins[0]).first!
        case "AVERAGE_POOL_2D", "MAX_POOL_2D":
            return outElements * (options["filter_height"] as! Int) * (options["filter_width"] as! Int)
        case "MEAN", "SUM":
            return shape(ins[0]).reduce(1, *)
        case "ADD", "SUB", "MUL":
            return outElements
        default:
            return 0
        }
    }

    /// The arena figures and the layout agree with each other: planned is the end of the highest
    /// buffer, the lower bound is the most bytes live at one operator, required is planned plus
    /// persistent, no two buffers that are live at the same time share a byte, aliases sit inside
    /// their root's lifetime, and every activation an operator touches is live at that operator.
    func testArenaNumbersAndLayoutAreConsistent() throws {
        var problems: [String] = []
        for dir in try CLIFixtures.models() {
            let name = dir.lastPathComponent
            func problem(_ text: String) { problems.append("\(name): \(text)") }
            let r = try MoteCLI.run(["inspect", dir.appendingPathComponent("model_int8.tflite").path, "--json"])
            let doc = try r.json()
            guard r.status == 0, let arena = doc["arena"] as? [String: Int], let layout = doc["layout"] as? [[String: Any]] else {
                let error = (doc["error"] as? [String: Any])?["description"] as? String ?? r.stderr
                problem("exit \(r.status), no arena: \(error)")
                continue
            }
            let planned = arena["planned"]!, persistent = arena["persistent"]!, lower = arena["lower_bound"]!, required = arena["required"]!
            if !(0...15).contains(required - planned - persistent) { problem("required \(required) != planned \(planned) + persistent \(persistent) (+ alignment < 16)") }
            if lower > planned { problem("lower bound \(lower) > planned \(planned)") }
            if persistent <= 0 { problem("persistent \(persistent)") }

            struct Buffer { let label: String; let offset: Int; let bytes: Int; let first: Int; let last: Int; let alias: Int? }
            let buffers = layout.map { e in
                Buffer(label: e["kind"] as! String == "tensor" ? "tensor \(e["tensor"]!)" : "scratch of op \(e["operator"]!)",
                       offset: e["offset"] as! Int, bytes: e["bytes"] as! Int, first: e["first_op"] as! Int, last: e["last_op"] as! Int,
                       alias: e["alias"] as? Int)
            }
            func aligned(_ n: Int) -> Int { (n + 15) / 16 * 16 }
            let placed = buffers.filter { $0.alias == nil && $0.bytes > 0 }
            var high = 0
            for b in placed {
                if b.offset < 0 || b.offset % 16 != 0 { problem("\(b.label): offset \(b.offset) not 16-byte aligned") }
                if b.first > b.last { problem("\(b.label): lifetime \(b.first)..\(b.last)") }
                high = max(high, b.offset + aligned(b.bytes))
            }
            if high != planned { problem("highest buffer ends at \(high), planned is \(planned)") }
            for (i, a) in placed.enumerated() {
                for b in placed[(i + 1)...] where a.first <= b.last && b.first <= a.last {
                    if a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes {
                        problem("\(a.label) [\(a.offset), +\(a.bytes)) live \(a.first)..\(a.last) overlaps \(b.label) [\(b.offset), +\(b.bytes)) live \(b.first)..\(b.last)")
                    }
                }
            }
            let steps = (doc["operators"] as! [[String: Any]]).count
            var mostLive = 0
            // The lower bound counts activations only; kernel scratch comes on top of it.
            let activations = placed.filter { !$0.label.hasPrefix("scratch of op") }
            for step in 0..<max(steps, 1) {
                mostLive = max(mostLive, activations.filter { $0.first <= step && step <= $0.last }.reduce(0) { $0 + aligned($1.bytes) })
            }
            if mostLive != lower { problem("most activation bytes live at once \(mostLive) != lower bound \(lower)") }
            let byTensor = Dictionary(uniqueKeysWithValues: layout.compactMap { e in (e["tensor"] as? Int).map { ($0, e) } })
            for b in buffers {
                guard let root = b.alias else { continue }
                guard let r = byTensor[root], let ro = r["offset"] as? Int, ro >= 0 else { problem("\(b.label) aliases unplaced tensor \(root)"); continue }
                if b.offset != -1 { problem("\(b.label): alias with its own offset \(b.offset)") }
                if (r["first_op"] as! Int) > b.first || (r["last_op"] as! Int) < b.last { problem("\(b.label) outlives its root tensor \(root)") }
                if (r["bytes"] as! Int) != b.bytes { problem("\(b.label): alias of a different size") }
            }
            for op in doc["operators"] as! [[String: Any]] {
                let i = op["index"] as! Int
                for case let t as [String: Any] in (op["inputs"] as! [Any]) + (op["outputs"] as! [Any]) where t["constant"] as? Bool == false {
                    let index = t["tensor"] as! Int
                    guard let e = byTensor[index] else { problem("op \(i): tensor \(index) missing from the layout"); continue }
                    if !((e["first_op"] as! Int)...(e["last_op"] as! Int)).contains(i) { problem("op \(i): tensor \(index) not live there") }
                    if e["bytes"] as? Int != t["bytes"] as? Int { problem("tensor \(index): layout bytes differ from the tensor's") }
                }
                if let s = op["scratch"] as? [String: Int] {
                    guard buffers.contains(where: { $0.label == "scratch of op \(i)" && $0.offset == s["offset"] && $0.bytes == s["bytes"] }) else {
                        problem("op \(i): scratch missing from the layout"); continue
                    }
                }
            }
        }
        XCTAssertTrue(problems.isEmpty, "\n" + problems.prefix(60).joined(separator: "\n"))
    }

    /// The report for people ends with a line saying what was inspected, and lists every
    /// operator in order.
    func testHumanReport() throws {
        let dir = try CLIFixtures.model("seed_cnn_32x32")
        let path = dir.appendingPathComponent("model_int8.tflite").path
        let r = try MoteCLI.run(["inspect", path])
        let ops = (try CLIFixtures.meta(dir)["ops"] as! [[String: Any]]).map { $0["op_name"] as! String }
        var cursor = r.stdout.startIndex
        for (i, op) in ops.enumerated() {
            guard let range = r.stdout.range(of: "\(i)  \(op) ", range: cursor..<r.stdout.endIndex) else {
                XCTFail("operator \(i) \(op) not listed in order:\n\(r.stdout)")
                return
            }
            cursor = range.upperBound
        }
        // 2 CONV_2D (194,400 + 194,688), 2 MAX_POOL_2D 2x2 (7,200 + 2,304), 2 FULLY_CONNECTED (18,432 + 32).
        XCTAssertTrue(r.stdout.contains("total: 417,056 (417.1 k) MACs"), r.stdout)
        XCTAssertTrue(r.stdout.contains("MAX_POOL_2D      2  s2 k2x2 VALID"), r.stdout)
        if r.status == 0 {
            let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
            XCTAssertTrue(last.hasPrefix("inspected \(path): 11 operators, 417,056 (417.1 k) MACs, arena "), last)
            XCTAssertTrue(r.stdout.contains("lower bound"), r.stdout)
            XCTAssertTrue(r.stdout.contains("shares tensor 15's buffer"), "the RESHAPE output aliases its input:\n\(r.stdout)")
        } else {
            XCTAssertEqual(r.status, 2)
            XCTAssertTrue(r.stderr.contains("mote inspect: error: the core cannot prepare"), r.stderr)
            XCTFail("the core cannot prepare \(path) yet: \(r.stderr)")
        }
    }
    /// Under the compact policy kws's depthwise and pointwise layers run in place: the JSON says
    /// which operators do and what it saved (the compact plan without in place was the 16,000-byte
    /// lower bound, bench/NOTES.md), and the report for people says which tensors share a buffer.
    func testCompactInPlaceIsExplained() throws {
        let dir = try CLIFixtures.model("mlperf_kws_ds_cnn")
        let path = dir.appendingPathComponent("model_int8.tflite").path
        let doc = try MoteCLI.run(["inspect", path, "--memory", "compact", "--json"]).json()
        let arena = try XCTUnwrap(doc["arena"] as? [String: Int])
        XCTAssertEqual(arena["planned"]! + arena["in_place_saving"]!, 16_000)
        XCTAssertLessThan(arena["planned"]!, arena["lower_bound"]!)
        let ops = try XCTUnwrap(doc["operators"] as? [[String: Any]])
        let inPlace = ops.filter { $0["in_place"] as? Bool == true }.map { $0["index"] as! Int }
        // Every convolution but the first (10x4, stride 2) runs in place; nothing else does
        // (AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED and SOFTMAX do not offer it).
        let convs = ops.filter { ["CONV_2D", "DEPTHWISE_CONV_2D"].contains($0["op_name"] as! String) }.map { $0["index"] as! Int }
        XCTAssertEqual(inPlace, Array(convs.dropFirst()))
        XCTAssertEqual(inPlace.count, 8)
        let fast = try MoteCLI.run(["inspect", path, "--json"]).json()
        XCTAssertEqual((fast["arena"] as? [String: Int])?["in_place_saving"], 0)
        let text = try MoteCLI.run(["inspect", path, "--memory", "compact"]).stdout
        XCTAssertTrue(text.contains("in-place saving"), text)
        XCTAssertTrue(text.contains("written in place over tensor"), text)
        XCTAssertTrue(text.contains("overwritten in place by op 1"), text)
    }
}
