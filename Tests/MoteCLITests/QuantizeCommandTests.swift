import Foundation
import XCTest

/// `mote quantize`: help, a real run on a fixture with a few face images, and its errors.
final class QuantizeCommandTests: XCTestCase {
    static let faces = CLIFixtures.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/faces/train")

    /// A labeled folder with `perClass` images of each class copied from ../shared/data/faces/train.
    func calibrationFolder(perClass: Int) throws -> URL {
        guard FileManager.default.fileExists(atPath: Self.faces.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI=true but \(Self.faces.path) is missing") }
            throw XCTSkip("../shared/data/faces/train not found: skipping (required when CI=true)")
        }
        let dir = try MoteCLI.temporaryDirectory()
        for cls in ["female", "male"] {
            let src = Self.faces.appendingPathComponent(cls)
            let dst = dir.appendingPathComponent(cls)
            try FileManager.default.createDirectory(at: dst, withIntermediateDirectories: true)
            for f in try FileManager.default.contentsOfDirectory(atPath: src.path).sorted().prefix(perClass) {
                try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: dst.appendingPathComponent(f))
            }
        }
        return dir
    }

    func testHelp() throws {
        let r = try MoteCLI.run(["quantize", "--help"])
        XCTAssertEqual(r.status, 0)
        for option in ["--calib DIR", "--out INT8.tflite", "--recipe FILE", "--samples N", "--seed S", "--json", "--resize"] {
            XCTAssertTrue(r.stdout.contains(option), "quantize --help lacks \(option)")
        }
        XCTAssertTrue(try MoteCLI.run(["help"]).stdout.contains("\n  quantize "))
    }

    func testQuantizesAFixtureAndTheCoreRunsIt() throws {
        let model = try CLIFixtures.model("seed_cnn_32x32").appendingPathComponent("model_float.tflite")
        let calib = try calibrationFolder(perClass: 3)
        let out = calib.appendingPathComponent("q.tflite").path
        let r = try MoteCLI.run(["quantize", model.path, "--calib", calib.path, "--out", out, "--samples", "4", "--resize", "nearest"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.contains("wrote \(out)") && last.contains("4 calibration images"), last)
        XCTAssertTrue(r.stdout.contains("fixed by LOGISTIC"), r.stdout)
        // The written model: int8 in and out, and `mote inspect` reads it.
        let inspect = try MoteCLI.run(["inspect", out, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let json = try MoteCLI.run(["quantize", model.path, "--calib", calib.path, "--out", out, "--samples", "2", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let doc = try json.json()
        XCTAssertEqual(doc["samples"] as? Int, 2)
        let tensors = try XCTUnwrap(doc["tensors"] as? [[String: Any]])
        XCTAssertEqual(tensors.last?["scale"] as? Double, 1.0 / 256)
        XCTAssertEqual(tensors.last?["zero_point"] as? Int, -128)
    }

    func testErrors() throws {
        let model = try CLIFixtures.model("seed_cnn_32x32").appendingPathComponent("model_float.tflite")
        let dir = try MoteCLI.temporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty/female"), withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("q.tflite").path
        // Empty calibration folder.
        var r = try MoteCLI.run(["quantize", model.path, "--calib", dir.appendingPathComponent("empty").path, "--out", out])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("calibration folder"), r.stderr)
        // Missing folder.
        r = try MoteCLI.run(["quantize", model.path, "--calib", "/nonexistent/calib", "--out", out])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("/nonexistent/calib"), r.stderr)
        // A recipe with an unknown field and one out of range.
        let recipe = dir.appendingPathComponent("r.json")
        try Data(#"{"observer": "kl", "bins": 10}"#.utf8).write(to: recipe)
        r = try MoteCLI.run(["quantize", model.path, "--calib", dir.path, "--out", out, "--recipe", recipe.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("recipe field 'bins': unknown field"), r.stderr)
        try Data(#"{"percentile": 120}"#.utf8).write(to: recipe)
        r = try MoteCLI.run(["quantize", model.path, "--calib", dir.path, "--out", out, "--recipe", recipe.path])
        XCTAssertTrue(r.stderr.contains("'percentile': 120.0 is out of range"), r.stderr)
        // An int8 model is not a float model.
        let int8 = try CLIFixtures.model("seed_cnn_32x32").appendingPathComponent("model_int8.tflite")
        r = try MoteCLI.run(["quantize", int8.path, "--calib", dir.path, "--out", out])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("already quantized"), r.stderr)
        // Usage errors.
        r = try MoteCLI.run(["quantize", model.path, "--out", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("--calib"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
