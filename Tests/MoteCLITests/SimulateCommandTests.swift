import Foundation
import XCTest

final class SimulateCommandTests: XCTestCase {
    /// Host target: the outputs written are TFLite's reference bytes; budgets parse with K = 1024
    /// and the verdict and exit code follow them.
    func testHostOutputsAndBudgets() throws {
        let dir = try CLIFixtures.model("seed_cnn_32x32")
        let tmp = try MoteCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out.bin").path
        let model = dir.appendingPathComponent("model_int8.tflite").path
        let r = try MoteCLI.run(["simulate", model, "--target", "host", "--input", dir.appendingPathComponent("inputs/003.bin").path,
                                 "--output", out, "--ram", "256K", "--flash", "1M", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), try Data(contentsOf: dir.appendingPathComponent("expected_ref/003.bin")))
        let memory = try r.json()["memory"] as! [String: Any]
        XCTAssertEqual(memory["ram_budget"] as? Int, 262_144)
        XCTAssertEqual(memory["flash_budget"] as? Int, 1_048_576)
        XCTAssertEqual(memory["flash"] as? Int, try Data(contentsOf: URL(fileURLWithPath: model)).count)
        XCTAssertEqual(memory["fits"] as? Bool, true)

        // A RAM budget one byte below the arena: over budget, exit 4, the verdict says so.
        let ram = memory["ram"] as! Int
        let over = try MoteCLI.run(["simulate", model, "--target", "host", "--ram", String(ram - 1)])
        XCTAssertEqual(over.status, 4, over.stderr)
        XCTAssertTrue(over.stdout.contains("does NOT fit the budget: RAM \(Self.grouped(ram)) of \(Self.grouped(ram - 1)) bytes"), over.stdout)
        XCTAssertTrue(over.stdout.contains("over by 1 bytes"), over.stdout)
        let exact = try MoteCLI.run(["simulate", model, "--target", "host", "--ram", String(ram)])
        XCTAssertEqual(exact.status, 0, exact.stdout + exact.stderr)
    }

    func testUsageErrors() throws {
        let dir = try CLIFixtures.model("seed_cnn_32x32")
        let model = dir.appendingPathComponent("model_int8.tflite").path
        let bad = try MoteCLI.run(["simulate", model, "--target", "cortex-m7"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("host, cortex-m4 or aarch64-linux"), bad.stderr)
        let ram = try MoteCLI.run(["simulate", model, "--target", "host", "--ram", "lots"])
        XCTAssertEqual(ram.status, 1)
        let short = try MoteCLI.run(["simulate", model, "--target", "host", "--input", dir.appendingPathComponent("expected_ref/000.bin").path])
        XCTAssertEqual(short.status, 2)
        XCTAssertTrue(short.stderr.contains("takes 3,072 bytes"), short.stderr)
    }

    /// A firmware target either runs and matches the host, or says plainly what is missing
    /// (QEMU, or the firmware driver) with exit code 2.
    func testFirmwareTargetRunsOrSaysWhatIsMissing() throws {
        let dir = try CLIFixtures.model("seed_cnn_32x32")
        let r = try MoteCLI.run(["simulate", dir.appendingPathComponent("model_int8.tflite").path, "--target", "cortex-m4",
                                 "--input", dir.appendingPathComponent("inputs/000.bin").path, "--json"])
        if r.status == 0 {
            XCTAssertEqual(try r.json()["outputs_match_host"] as? Bool, true)
        } else {
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("QEMU is missing") || r.stderr.contains("firmware-sim/run.sh"), r.stderr)
        }
    }

    static func grouped(_ n: Int) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.groupingSeparator = ","
        f.usesGroupingSeparator = true
        return f.string(from: NSNumber(value: n))!
    }
}
