import Foundation
import XCTest

/// `mote train` end to end on a few real faces: skipped files reported, --strict, the exported
/// model, and a resumed run that ends with the same model bytes as an uninterrupted one.
final class TrainCommandTests: XCTestCase {
    /// ROOT/train (8 faces per class, plus a text file and a truncated JPEG named .jpg) and ROOT/val (4 per class).
    private func tinyRoot() throws -> URL {
        let faces = CLIFixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/faces")
        guard FileManager.default.fileExists(atPath: faces.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI=true but \(faces.path) is missing") }
            throw XCTSkip("../shared/data/faces not found: skipping (it is required when CI=true)")
        }
        let root = try MoteCLI.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        for (split, count) in [("train", 8), ("val", 4)] {
            for cls in ["female", "male"] {
                let src = faces.appendingPathComponent("\(split)/\(cls)"), dst = root.appendingPathComponent("\(split)/\(cls)")
                try FileManager.default.createDirectory(at: dst, withIntermediateDirectories: true)
                for n in try FileManager.default.contentsOfDirectory(atPath: src.path).sorted().prefix(count) {
                    try FileManager.default.copyItem(at: src.appendingPathComponent(n), to: dst.appendingPathComponent(n))
                }
            }
        }
        let female = root.appendingPathComponent("train/female")
        try Data("not an image".utf8).write(to: female.appendingPathComponent("notes.jpg"))
        let first = try FileManager.default.contentsOfDirectory(atPath: female.path).sorted().first { $0 != "notes.jpg" }!
        let bytes = try Data(contentsOf: female.appendingPathComponent(first))
        try bytes.prefix(300).write(to: female.appendingPathComponent("truncated.jpg"))
        return root
    }

    private func train(_ root: URL, _ out: URL, epochs: Int, extra: [String] = []) throws -> MoteCLI.Result {
        try MoteCLI.run(["train", "--data", root.path, "--arch", "seed", "--size", "24", "--epochs", String(epochs),
                         "--batch", "4", "--seed", "3", "--out", out.path, "--json"] + extra)
    }

    func testTrainsExportsAndReportsSkippedFiles() throws {
        let root = try tinyRoot()
        let out = root.appendingPathComponent("out")
        let r = try train(root, out, epochs: 2)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("notes.jpg"), r.stderr)
        XCTAssertTrue(r.stderr.contains("truncated.jpg"), r.stderr)
        let json = try r.json()
        XCTAssertEqual(json["train_images"] as? Int, 16)
        XCTAssertEqual(json["val_images"] as? Int, 8)
        XCTAssertEqual((json["skipped"] as? [Any])?.count, 2)
        XCTAssertEqual((json["history"] as? [Any])?.count, 2)
        let accuracy = try XCTUnwrap(json["final_val_accuracy"] as? Double)
        XCTAssertEqual(accuracy * 8, (accuracy * 8).rounded(), accuracy: 1e-9, "accuracy is a count out of 8")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoints/last.ckpt").path))
        XCTAssertTrue(r.stderr.contains("model \(out.appendingPathComponent("model.tflite").path)"), r.stderr)
        // The exported model: the seed architecture at 24×24 (conv 22 → pool 11 → conv 9 → pool 4 → conv 2 → pool 1).
        let inspect = try MoteCLI.run(["inspect", out.appendingPathComponent("model.tflite").path, "--json"])
        let facts = try inspect.json()
        let ops = (facts["operators"] as? [[String: Any]])?.compactMap { $0["op_name"] as? String }
        XCTAssertEqual(ops, ["CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE",
                             "FULLY_CONNECTED", "FULLY_CONNECTED", "LOGISTIC"], inspect.stdout.prefix(500).description)
        let text = String(decoding: try Data(contentsOf: out.appendingPathComponent("model.tflite")), as: UTF8.self)
        XCTAssertTrue(text.contains("\"resize\":\"nearest\""), "mote metadata present")
        XCTAssertTrue(text.contains("\"classes\":[\"female\",\"male\"]"))
    }

    func testStrictFailsNamingTheFile() throws {
        let root = try tinyRoot()
        let r = try train(root, root.appendingPathComponent("out"), epochs: 1, extra: ["--strict"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("notes.jpg") || r.stderr.contains("truncated.jpg"), r.stderr)
    }

    func testResumedRunEndsWithTheSameModel() throws {
        let root = try tinyRoot()
        let straight = root.appendingPathComponent("straight"), resumed = root.appendingPathComponent("resumed")
        XCTAssertEqual(try train(root, straight, epochs: 2).status, 0)
        XCTAssertEqual(try train(root, resumed, epochs: 1).status, 0)
        let r = try train(root, resumed, epochs: 2, extra: ["--resume"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("resumed from"), r.stderr)
        XCTAssertEqual(try Data(contentsOf: straight.appendingPathComponent("model.tflite")),
                       try Data(contentsOf: resumed.appendingPathComponent("model.tflite")))
    }

    /// A real kill: `mote train` is sent SIGKILL while it trains (checkpoints every step, written
    /// atomically), then `--resume` finishes the run; the model equals an uninterrupted run's.
    func testKilledRunResumesToTheSameModel() throws {
        let root = try tinyRoot()
        let straight = root.appendingPathComponent("straight"), killed = root.appendingPathComponent("killed")
        let epochs = 60
        let words = { (out: URL) in
            ["train", "--data", root.path, "--arch", "seed", "--size", "64", "--epochs", String(epochs), "--batch", "4",
             "--seed", "5", "--checkpoint-every", "1", "--out", out.path]
        }
        XCTAssertEqual(try MoteCLI.run(words(straight)).status, 0)

        let process = Process()
        process.executableURL = try XCTUnwrap(MoteCLI.executable)
        process.arguments = words(killed)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoint = killed.appendingPathComponent("checkpoints/last.ckpt").path
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        usleep(300_000)
        XCTAssertTrue(process.isRunning, "the run ended before it could be killed: raise the epoch count")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertFalse(FileManager.default.fileExists(atPath: killed.appendingPathComponent("model.tflite").path),
                       "a killed run has not exported its model")

        let resumed = try MoteCLI.run(words(killed) + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resumed from"), resumed.stderr)
        XCTAssertEqual(try Data(contentsOf: straight.appendingPathComponent("model.tflite")),
                       try Data(contentsOf: killed.appendingPathComponent("model.tflite")))
    }

    func testUsageErrors() throws {
        let r = try MoteCLI.run(["train", "--data", "/nonexistent", "--arch", "resnet", "--size", "64", "--epochs", "1", "--out", "/tmp/x"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("--arch"), r.stderr)
        let missing = try MoteCLI.run(["train", "--data", "/nonexistent-mote-data", "--arch", "seed", "--size", "64", "--epochs", "1",
                                       "--out", FileManager.default.temporaryDirectory.appendingPathComponent("mote-train-\(UUID())").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("nonexistent-mote-data"), missing.stderr)
    }
}
