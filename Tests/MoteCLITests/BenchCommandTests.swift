import Foundation
import XCTest

/// `mote bench`: the figures it reports are internally consistent and name the build.
final class BenchCommandTests: XCTestCase {
    func testJSONReport() throws {
        let dir = try CLIFixtures.model("mlp_64_tanh")
        let r = try MoteCLI.run(["bench", dir.appendingPathComponent("model_int8.tflite").path, "--runs", "7", "--warmup", "2", "--seed", "42", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard r.status == 0 else { return }
        let doc = try r.json()
        XCTAssertEqual(doc["runs"] as? Int, 7)
        XCTAssertEqual(doc["warmup"] as? Int, 2)
        XCTAssertEqual(doc["seed"] as? Int, 42)
        XCTAssertEqual(doc["threads"] as? Int, 1)
        XCTAssertEqual(doc["operators"] as? Int, 5)
        let samples = try XCTUnwrap(doc["samples_ms"] as? [Double])
        XCTAssertEqual(samples.count, 7)
        let latency = try XCTUnwrap(doc["latency_ms"] as? [String: Double])
        let sorted = samples.sorted()
        XCTAssertEqual(latency["min"], sorted.first)
        XCTAssertEqual(latency["max"], sorted.last)
        XCTAssertEqual(latency["median"], sorted[3])
        XCTAssertGreaterThan(sorted.first!, 0)
        let build = try XCTUnwrap(doc["build"] as? [String: Any])
        #if DEBUG
        XCTAssertEqual(build["configuration"] as? String, "debug")
        #endif
        #if arch(x86_64)
        XCTAssertEqual(build["arch"] as? String, "x86_64")
        #endif
        XCTAssertEqual(build["endian"] as? String, "little")
        XCTAssertNotNil(build["target_cpu_features"] as? String)
    }

    func testHumanReportEndsWithASummaryLine() throws {
        let dir = try CLIFixtures.model("mlp_64_tanh")
        let path = dir.appendingPathComponent("model_int8.tflite").path
        let r = try MoteCLI.run(["bench", path, "-n", "3", "-w", "0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard r.status == 0 else { return }
        for label in ["model", "build", "target CPU", "arena", "runs", "latency"] {
            XCTAssertTrue(r.stdout.contains("\n\(label) ") || r.stdout.hasPrefix("\(label) "), "no \(label) line:\n\(r.stdout)")
        }
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.hasPrefix("benchmarked \(path): median "), last)
        XCTAssertTrue(last.contains("over 3 runs"), last)
    }

    func testModelErrorsExitWithTwo() throws {
        let scratch = try MoteCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let garbage = scratch.appendingPathComponent("garbage.tflite")
        try Data((0..<256).map { UInt8(truncatingIfNeeded: $0 &* 37) }).write(to: garbage)
        let r = try MoteCLI.run(["bench", garbage.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.hasPrefix("mote bench: error: malformed model: "), r.stderr)
        let missing = try MoteCLI.run(["bench", scratch.appendingPathComponent("none.tflite").path, "--json"])
        XCTAssertEqual(missing.status, 2)
        let error = try XCTUnwrap(try missing.json()["error"] as? [String: Any])
        XCTAssertEqual(error["kind"] as? String, "input")
    }
}
