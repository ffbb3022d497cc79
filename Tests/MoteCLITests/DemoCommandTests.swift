import Foundation
import XCTest

/// `mote demo` end to end on a tiny built-in dataset: every file it names exists, the dataset is
/// what it says, the report's headline numbers recount from its own per-image predictions, and
/// the firmware step runs (or says plainly that QEMU is missing).
final class DemoCommandTests: XCTestCase {
    func testTinyDemoRunsEndToEnd() throws {
        let out = try MoteCLI.temporaryDirectory().appendingPathComponent("demo")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let r = try MoteCLI.run(["demo", "--out", out.path, "--images", "40", "--epochs", "1", "--size", "32"])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout.suffix(3000))
        for step in 1...6 { XCTAssertTrue(r.stdout.contains("[\(step)/6]"), "step \(step) announced") }
        for command in ["mote train", "mote quantize", "mote simulate", "mote report"] {
            XCTAssertTrue(r.stdout.contains(command), "the demo prints the equivalent '\(command)' command")
        }

        let fm = FileManager.default
        for cls in ["rings", "stripes"] {
            let train = try fm.contentsOfDirectory(atPath: out.appendingPathComponent("data/train/\(cls)").path)
            let val = try fm.contentsOfDirectory(atPath: out.appendingPathComponent("data/val/\(cls)").path)
            XCTAssertEqual(train.count, 20, "40 training images, balanced")
            XCTAssertEqual(val.count, 5, "a quarter as many for validation (at least 10), balanced")
        }
        for file in ["train/model.tflite", "model_int8.tflite", "report/report.json", "report/report.md", "report/report.html",
                     "sample_input.bin", "sample_output_host.bin"] {
            XCTAssertTrue(fm.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("sample_input.bin")).count, 32 * 32 * 3)

        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report/report.json"))) as! [String: Any]
        let predictions = report["predictions"] as! [[String: Any]]
        XCTAssertEqual(predictions.count, 10)
        let floatCorrect = predictions.filter { ($0["floatPrediction"] as! Int) == ($0["label"] as! Int) }.count
        let int8Correct = predictions.filter { ($0["int8Prediction"] as! Int) == ($0["label"] as! Int) }.count
        let changed = predictions.filter { ($0["floatPrediction"] as! Int) != ($0["int8Prediction"] as! Int) }.count
        let accuracy = report["accuracy"] as! [String: Any]
        XCTAssertEqual(accuracy["floatCorrect"] as! Int, floatCorrect)
        XCTAssertEqual(accuracy["int8Correct"] as! Int, int8Correct)
        XCTAssertEqual(accuracy["changedPredictions"] as! Int, changed)
        let verdict = report["verdict"] as! String
        XCTAssertTrue(verdict.hasPrefix(String(format: "int8 %.2f%% vs float %.2f%%", Double(int8Correct) * 10, Double(floatCorrect) * 10)), verdict)

        let qemu = ProcessInfo.processInfo.environment["PATH"]!.split(separator: ":")
            .contains { fm.isExecutableFile(atPath: "\($0)/qemu-system-arm") }
        if qemu {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("sample_output_cortex_m4.bin")),
                           try Data(contentsOf: out.appendingPathComponent("sample_output_host.bin")),
                           "the Cortex-M4 firmware gives the host's output bytes")
        } else {
            XCTAssertFalse(ProcessInfo.processInfo.environment["CI"] == "true", "CI=true but qemu-system-arm is missing")
            XCTAssertTrue(r.stdout.contains("qemu-system-arm is not installed"), r.stdout)
        }
    }
}
