import Foundation
import XCTest
import MoteCore
import MoteFloat
import MoteImage
import MoteModel

/// `mote report` end to end, run as a child process on peer_seed_64 with six val faces, and
/// checked against computations written here: accuracy and confusion recounted from the
/// per-image predictions of report.json, predictions and per-layer SQNR recomputed in float64
/// from tensors this test dumps itself through MoteFloat's executor and MoteCore's interpreter.
final class ReportCommandTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let seed64 = shared.appendingPathComponent("fixtures/tflite/peer_seed_64")
    static let facesVal = shared.appendingPathComponent("data/faces/val")

    func testReportNumbersAgainstIndependentRecomputation() throws {
        try requireShared()
        let tmp = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let data = try Self.smallDataset(in: tmp, perClass: 3)
        let out = tmp.appendingPathComponent("out")
        let floatURL = Self.seed64.appendingPathComponent("model_float.tflite"), int8URL = Self.seed64.appendingPathComponent("model_int8.tflite")
        let r = try Self.mote(["report", "--float", floatURL.path, "--int8", int8URL.path, "--data", data.path, "--out", out.path,
                               "--resize", "bilinear", "--ram", "256K", "--flash", "2M"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as! [String: Any]

        // Accuracy, changes and confusion recounted from the per-image predictions.
        let predictions = report["predictions"] as! [[String: Any]]
        XCTAssertEqual(predictions.count, 6)
        let labels = predictions.map { $0["label"] as! Int }
        let fp = predictions.map { $0["floatPrediction"] as! Int }, qp = predictions.map { $0["int8Prediction"] as! Int }
        let floatCorrect = zip(labels, fp).filter { $0 == $1 }.count, int8Correct = zip(labels, qp).filter { $0 == $1 }.count
        let changed = zip(fp, qp).filter { $0 != $1 }.count
        let accuracy = report["accuracy"] as! [String: Any]
        XCTAssertEqual(accuracy["floatCorrect"] as? Int, floatCorrect)
        XCTAssertEqual(accuracy["int8Correct"] as? Int, int8Correct)
        XCTAssertEqual(accuracy["changedPredictions"] as? Int, changed)
        var confusion = [[0, 0], [0, 0]]
        for (l, p) in zip(labels, qp) { confusion[l][p] += 1 }
        XCTAssertEqual(report["int8Confusion"] as? [[Int]], confusion)

        // Independent run of both models on the same images.
        let floatIR = try TFLiteModel(contentsOf: floatURL)
        let int8Bytes = [UInt8](try Data(contentsOf: int8URL))
        let int8IR = try TFLiteModel(bytes: int8Bytes)
        let executor = try FloatExecutor(model: floatIR)
        let model = UnsafeMutableRawBufferPointer.allocate(byteCount: int8Bytes.count, alignment: 16)
        defer { model.deallocate() }
        int8Bytes.withUnsafeBytes { model.copyMemory(from: $0) }
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: UnsafeRawBufferPointer(model), arena: arena)
        let g = int8IR.subgraphs[0]
        let prep = Preprocessing(height: 64, width: 64, channels: 3, resize: .bilinear, scale: 1 / 255, offset: 0)
        var signal = [Double](repeating: 0, count: g.operators.count), noise = signal
        for p in predictions {
            let input = try prep.load(path: data.appendingPathComponent(p["file"] as! String).path)
            var floats: [Int: [Float]] = [:]
            let fOut = try executor.run([input]) { o in floats[o.operatorIndex] = Array(o.values) }[0][0]
            XCTAssertEqual(p["floatPrediction"] as? Int, fOut > 0.5 ? 1 : 0)
            XCTAssertEqual((p["floatOutput"] as! [Double])[0], Double(fOut), accuracy: 1e-7)
            let inQ = g.tensors[g.inputs[0]].quantization!
            let q = input.map { Int8(max(-128, min(127, ($0 / inQ.scale[0]).rounded(.toNearestOrEven) + Float(inQ.zeroPoint[0])))) }
            q.withUnsafeBytes { interpreter.input(0).copyMemory(from: $0) }
            interpreter.invoke { op in
                let t = g.operators[op].outputs[0]
                let qp = g.tensors[t].quantization!
                let raw = interpreter.tensorBytes(t).bindMemory(to: Int8.self)
                for k in 0..<raw.count {
                    let dq = (Double(raw[k]) - Double(qp.zeroPoint[0])) * Double(qp.scale[0]), f = Double(floats[op]![k])
                    signal[op] += f * f
                    noise[op] += (dq - f) * (dq - f)
                }
            }
            let outQ = g.tensors[g.outputs[0]].quantization!
            let score = (Double(Int8(bitPattern: interpreter.output(0)[0])) - Double(outQ.zeroPoint[0])) * Double(outQ.scale[0])
            XCTAssertEqual(p["int8Prediction"] as? Int, score > 0.5 ? 1 : 0)
        }
        let layers = report["layers"] as! [[String: Any]]
        XCTAssertEqual(layers.count, g.operators.count)
        var worst = (Double.infinity, "")
        for l in layers {
            let op = l["int8Operator"] as! Int
            let sqnr = 10 * log10(signal[op] / noise[op])
            XCTAssertEqual(l["sqnrDB"] as! Double, sqnr, accuracy: 1e-6, "SQNR of operator \(op)")
            if sqnr < worst.0 { worst = (sqnr, l["name"] as! String) }
        }

        // The verdict line, in report.json, first in report.md, first in report.html, and printed first.
        let n = predictions.count
        let expected = String(format: "int8 %.2f%% vs float %.2f%%: drop %.2f pp, %d of %d predictions changed, worst layer %@ at %.1f dB",
                              Double(int8Correct) / Double(n) * 100, Double(floatCorrect) / Double(n) * 100,
                              Double(floatCorrect - int8Correct) / Double(n) * 100, changed, n, worst.1, worst.0)
        XCTAssertEqual(report["verdict"] as? String, expected)
        XCTAssertEqual(r.stdout.split(separator: "\n").first.map(String.init), expected)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertEqual(md.split(separator: "\n")[1], "**\(expected)**", "after the title")
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<p class=\"verdict\">\(expected)</p>"))
        try ReportRenderingTests.assertWellFormed(html)
        ReportRenderingTests.assertSelfContained(html)

        // Memory: the arena against 256K, the file against 2M.
        let memory = report["memory"] as! [String: Any]
        XCTAssertEqual((memory["ram"] as! [String: Any])["limit"] as? Int, 262_144)
        XCTAssertEqual((memory["flash"] as! [String: Any])["limit"] as? Int, 2_097_152)
        XCTAssertEqual((memory["flash"] as! [String: Any])["used"] as? Int, int8Bytes.count)
    }

    /// `--max-drop`: an int8 model whose last bias is pushed far up predicts class 1 for every
    /// image, so on a balanced set it drops well below the float model: exit 3 with the report
    /// written and the gate failed; a generous gate passes with exit 0.
    func testMaxDropExitCode() throws {
        try requireShared()
        let tmp = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let data = try Self.smallDataset(in: tmp, perClass: 2)
        var broken = try TFLiteModel(contentsOf: Self.seed64.appendingPathComponent("model_int8.tflite"))
        let g = broken.subgraphs[0]
        let lastFC = g.operators[8]
        let bias = g.tensors[lastFC.inputs[2]].buffer
        broken.buffers[bias].data = withUnsafeBytes(of: Int32(1_000_000).littleEndian) { Array($0) }
        let brokenURL = tmp.appendingPathComponent("broken_int8.tflite")
        try Data(broken.serialized()).write(to: brokenURL)
        let out = tmp.appendingPathComponent("out")
        let args = ["report", "--float", Self.seed64.appendingPathComponent("model_float.tflite").path, "--int8", brokenURL.path,
                    "--data", data.path, "--out", out.path, "--resize", "bilinear"]
        let failed = try Self.mote(args + ["--max-drop", "5"])
        XCTAssertEqual(failed.status, 3, failed.stdout + failed.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as! [String: Any]
        let accuracy = report["accuracy"] as! [String: Any]
        XCTAssertEqual(accuracy["int8Correct"] as? Int, 2, "every image predicted male: the two male images are right")
        XCTAssertEqual((report["gate"] as! [String: Any])["passed"] as? Bool, false)
        XCTAssertTrue(failed.stdout.contains("FAILED"), failed.stdout)
        let passed = try Self.mote(args + ["--max-drop", "100"])
        XCTAssertEqual(passed.status, 0, passed.stdout + passed.stderr)
        let usage = try Self.mote(args + ["--max-drop", "-1"])
        XCTAssertEqual(usage.status, 1)
    }

    /// `--target cortex-m4`: memory from the linked firmware, one inference equal to the host's.
    /// Needs QEMU (skips without it, fails under CI).
    func testFirmwareTargetMemory() throws {
        try requireShared()
        let qemu = ["/usr/bin/qemu-system-arm", "/usr/local/bin/qemu-system-arm"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        guard qemu else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI=true but qemu-system-arm is missing") }
            throw XCTSkip("qemu-system-arm not installed: skipping the firmware report (required when CI=true)")
        }
        let tmp = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let data = try Self.smallDataset(in: tmp, perClass: 1)
        let out = tmp.appendingPathComponent("out")
        let r = try Self.mote(["report", "--float", Self.seed64.appendingPathComponent("model_float.tflite").path,
                               "--int8", Self.seed64.appendingPathComponent("model_int8.tflite").path, "--data", data.path,
                               "--out", out.path, "--target", "cortex-m4", "--ram", "256K", "--flash", "1M"])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as! [String: Any]
        XCTAssertEqual(r.status, 4, "the 1.2 MB model is over a 1 MB flash budget: " + r.stderr)
        let firmware = report["firmware"] as! [String: Any]
        XCTAssertEqual(firmware["outputsMatchHost"] as? Bool, true)
        XCTAssertGreaterThan(firmware["instructions"] as? Int ?? 0, 1_000_000)
        let memory = report["memory"] as! [String: Any]
        XCTAssertEqual((memory["footprint"] as! [String: Any])["target"] as? String, "cortex-m4")
        let flash = memory["flash"] as! [String: Any]
        XCTAssertGreaterThan(flash["used"] as! Int, 1_225_640, "firmware flash holds the model and the code")
        XCTAssertTrue(r.stdout.contains("cortex-m4 firmware: "), r.stdout)
    }

    func testBadInputsGiveClearErrors() throws {
        try requireShared()
        let tmp = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let junk = tmp.appendingPathComponent("junk.tflite")
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: junk)
        let f = Self.seed64.appendingPathComponent("model_float.tflite").path
        let r = try Self.mote(["report", "--float", f, "--int8", junk.path, "--data", tmp.path, "--out", tmp.appendingPathComponent("o").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("junk.tflite"), r.stderr)
        let swapped = try Self.mote(["report", "--float", Self.seed64.appendingPathComponent("model_int8.tflite").path, "--int8", f,
                                     "--data", tmp.path, "--out", tmp.appendingPathComponent("o").path])
        XCTAssertEqual(swapped.status, 2)
        XCTAssertTrue(swapped.stderr.contains("must be a float model"), swapped.stderr)
        // A folder whose only image is not a JPEG at all: nothing to report on.
        let data = tmp.appendingPathComponent("data/female")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Data("not a jpeg".utf8).write(to: data.appendingPathComponent("broken.jpg"))
        let none = try Self.mote(["report", "--float", f, "--int8", Self.seed64.appendingPathComponent("model_int8.tflite").path,
                                  "--data", tmp.appendingPathComponent("data").path, "--out", tmp.appendingPathComponent("o").path])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("none of the 1 images"), none.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("o/report.json").path))
    }

    // MARK: helpers

    func requireShared(file: StaticString = #filePath, line: UInt = #line) throws {
        for url in [Self.seed64, Self.facesVal] where !FileManager.default.fileExists(atPath: url.path) {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI=true but \(url.path) is missing", file: file, line: line) }
            throw XCTSkip("\(url.path) not found: skipping (../shared is required when CI=true)")
        }
    }

    /// DIR/female and DIR/male with the first `perClass` val images of each (symbolic links).
    static func smallDataset(in tmp: URL, perClass: Int) throws -> URL {
        let dir = tmp.appendingPathComponent("data")
        for cls in ["female", "male"] {
            let src = facesVal.appendingPathComponent(cls)
            let dst = dir.appendingPathComponent(cls)
            try FileManager.default.createDirectory(at: dst, withIntermediateDirectories: true)
            let files = try FileManager.default.contentsOfDirectory(atPath: src.path).filter { $0.hasSuffix(".jpg") }.sorted().prefix(perClass)
            for f in files { try FileManager.default.createSymbolicLink(at: dst.appendingPathComponent(f), withDestinationURL: src.appendingPathComponent(f)) }
        }
        return dir
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mote-report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Run { let status: Int32; let stdout: String; let stderr: String }

    /// Runs the built `mote` (beside the test bundle) with `arguments`.
    static func mote(_ arguments: [String]) throws -> Run {
        let bundle = Bundle(for: ReportCommandTests.self).bundleURL
        let candidates = [bundle.appendingPathComponent("mote"), bundle.deletingLastPathComponent().appendingPathComponent("mote")]
        guard let exe = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            XCTFail("the mote executable was not found beside \(bundle.path); build it with 'swift build'")
            throw XCTSkip("mote not built")
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let o = dir.appendingPathComponent("o"), e = dir.appendingPathComponent("e")
        FileManager.default.createFile(atPath: o.path, contents: nil)
        FileManager.default.createFile(atPath: e.path, contents: nil)
        let p = Process()
        p.executableURL = exe
        p.arguments = arguments
        p.standardOutput = try FileHandle(forWritingTo: o)
        p.standardError = try FileHandle(forWritingTo: e)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: try Data(contentsOf: o), as: UTF8.self),
                   stderr: String(decoding: try Data(contentsOf: e), as: UTF8.self))
    }
}
