import Foundation
import XCTest

/// `mote eval` on real faces: the JSON summary recounted from the per-image dump, each dumped
/// prediction re-decided from its scores, and the usage and input errors.
final class EvalCommandTests: XCTestCase {
    /// Twelve validation faces (six per class) copied into a labeled folder of their own.
    private func smallFaces() throws -> URL {
        let faces = CLIFixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/faces/val")
        guard FileManager.default.fileExists(atPath: faces.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI=true but \(faces.path) is missing") }
            throw XCTSkip("../shared/data/faces not found: skipping (it is required when CI=true)")
        }
        let dir = try MoteCLI.temporaryDirectory()
        for cls in ["female", "male"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: faces.appendingPathComponent(cls).path).sorted().prefix(6)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(cls), withIntermediateDirectories: true)
            for n in names {
                try FileManager.default.copyItem(at: faces.appendingPathComponent("\(cls)/\(n)"), to: dir.appendingPathComponent("\(cls)/\(n)"))
            }
        }
        return dir
    }

    func testSummaryAgreesWithTheDumpedPredictions() throws {
        let model = try CLIFixtures.model("peer_seed_64")
        let data = try smallFaces()
        defer { try? FileManager.default.removeItem(at: data) }
        let dump = data.appendingPathComponent("dump.jsonl")
        let r = try MoteCLI.run(["eval", model.appendingPathComponent("model_float.tflite").path,
                                 "--compare", model.appendingPathComponent("model_int8.tflite").path,
                                 "--data", data.path, "--resize", "nearest", "--dump", dump.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try r.json()
        let lines = try String(contentsOf: dump, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 12)
        var correct = [0, 0], changed = 0
        for line in lines {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let label = o["label"] as! Int
            let expectedLabel = (o["file"] as! String).hasPrefix("female/") ? 0 : 1
            XCTAssertEqual(label, expectedLabel, "class index = sorted position of the folder name")
            let (p, q) = (o["prediction"] as! Int, o["compare_prediction"] as! Int)
            let (s, t) = ((o["scores"] as! [Double])[0], (o["compare_scores"] as! [Double])[0])
            XCTAssertEqual(p, s > 0.5 ? 1 : 0, "float decision from its sigmoid score")
            XCTAssertEqual(q, t > 0.5 ? 1 : 0, "int8 decision from its dequantized score")
            // The int8 output is a multiple of 1/256 (LOGISTIC's fixed output scale).
            XCTAssertEqual(t * 256, (t * 256).rounded(), accuracy: 1e-3)
            correct[0] += p == label ? 1 : 0
            correct[1] += q == label ? 1 : 0
            changed += p != q ? 1 : 0
        }
        let models = json["models"] as! [[String: Any]]
        XCTAssertEqual(models.map { $0["correct"] as! Int }, correct)
        XCTAssertEqual(models[0]["accuracy"] as! Double, Double(correct[0]) / 12, accuracy: 1e-12)
        XCTAssertEqual(json["predictions_changed"] as! Int, changed)
        XCTAssertEqual(json["drop_pp"] as! Double, Double(correct[0] - correct[1]) / 12 * 100, accuracy: 1e-9)
    }

    func testErrorsNameTheProblem() throws {
        let model = try CLIFixtures.model("peer_seed_64")
        let empty = try MoteCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        let noData = try MoteCLI.run(["eval", model.appendingPathComponent("model_int8.tflite").path])
        XCTAssertEqual(noData.status, 1)
        XCTAssertTrue(noData.stderr.contains("--data"), noData.stderr)
        let emptyFolder = try MoteCLI.run(["eval", model.appendingPathComponent("model_int8.tflite").path, "--data", empty.path])
        XCTAssertEqual(emptyFolder.status, 2)
        XCTAssertTrue(emptyFolder.stderr.contains(empty.lastPathComponent), emptyFolder.stderr)
        let badResize = try MoteCLI.run(["eval", model.appendingPathComponent("model_int8.tflite").path, "--data", empty.path,
                                         "--resize", "cubic"])
        XCTAssertEqual(badResize.status, 1)
        XCTAssertTrue(badResize.stderr.contains("--resize"), badResize.stderr)
    }
}
