import Foundation
import MoteCore
import XCTest

/// MoteCore as firmware under QEMU (`firmware-sim/run.sh`): on the Cortex-M4 (mps2-an386) and
/// as a static aarch64 Linux program, every fixture model's output for every saved input
/// equals TFLite's reference bytes (`expected_ref/`) and the host build's; the flash and RAM
/// figures the driver reports agree with ld.lld's link map; a budget too small is refused by
/// the linker; an arena one byte short is refused by the firmware.
///
/// Each (target, model) pair is one run.sh call that feeds all of the model's inputs in one
/// QEMU run (the firmware is built once per model and cached under .build/firmware-sim).
/// Skips when the fixtures (../shared) or QEMU and the cross tools are absent; under CI=true
/// their absence is a failure.
final class FirmwareSimTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tflite")
    static let script = packageRoot.appendingPathComponent("firmware-sim/run.sh")
    static let targets = ["cortex-m4", "aarch64-linux"]
    /// The configurations every fixture runs in: the C ABI's compact policy on both boards, and
    /// on the M4 the fast policy with the Arm DSP kernels (firmware-sim/dsp) in the kernel
    /// table, which must give the same bytes as the portable loops.
    static let configurations: [(label: String, target: String, options: [String])] = [
        ("cortex-m4", "cortex-m4", []),
        ("aarch64-linux", "aarch64-linux", []),
        ("cortex-m4 fast+dsp", "cortex-m4", ["--memory", "fast", "--kernels", "dsp"]),
    ]
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The tools run.sh needs, by target (the apt package in parentheses for the message).
    static let toolsByTarget = [
        "cortex-m4": ["qemu-system-arm", "arm-none-eabi-size", "arm-none-eabi-gcc", "swiftc"],
        "aarch64-linux": ["qemu-aarch64", "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-size", "swiftc"],
    ]

    static func which(_ name: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    }

    /// Skips (or fails under CI) unless the fixtures and every tool of `targets` are present.
    func requireEnvironment(_ targets: [String] = FirmwareSimTests.targets) throws -> [URL] {
        var missing: [String] = []
        if !FileManager.default.fileExists(atPath: Self.fixtures.path) { missing.append("the fixtures at ../shared/fixtures/tflite") }
        for t in targets { for tool in Self.toolsByTarget[t] ?? [] where !Self.which(tool) { missing.append(tool) } }
        if !missing.isEmpty {
            let message = "firmware tests need \(Set(missing).sorted().joined(separator: ", ")) (apt: qemu-system-arm qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-arm-none-eabi gcc-arm-none-eabi)"
            if Self.isCI { XCTFail("CI=true but \(message)") }
            throw XCTSkip(message)
        }
        return try FileManager.default.contentsOfDirectory(at: Self.fixtures, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model_int8.tflite").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    // MARK: running run.sh

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
        /// The JSON object run.sh prints with --json (nil if stdout is not one).
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    static let workDir: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mote-fwsim-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    override class func tearDown() {
        try? FileManager.default.removeItem(at: workDir)
        super.tearDown()
    }

    /// Starts run.sh with `arguments`; output goes to files so that no pipe can fill up.
    static func start(_ arguments: [String]) throws -> () -> Outcome {
        let tag = UUID().uuidString
        let out = workDir.appendingPathComponent("\(tag).out"), err = workDir.appendingPathComponent("\(tag).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let o = try FileHandle(forWritingTo: out), e = try FileHandle(forWritingTo: err)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script.path] + arguments
        p.standardOutput = o
        p.standardError = e
        try p.run()
        return {
            p.waitUntilExit()
            try? o.close()
            try? e.close()
            let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            return Outcome(status: p.terminationStatus, stdout: stdout, stderr: stderr)
        }
    }

    static func bytes(_ url: URL) -> [UInt8]? { (try? Data(contentsOf: url)).map { [UInt8]($0) } }

    static func samples(_ model: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: model.appendingPathComponent("inputs").path)
            .filter { $0.hasSuffix(".bin") }.sorted()
    }

    /// The host build of the core (the C ABI's compact policy) on every sample of a fixture.
    static func hostOutputs(_ dir: URL, _ samples: [String]) -> [[UInt8]]? {
        guard let model = bytes(dir.appendingPathComponent("model_int8.tflite")) else { return nil }
        return model.withUnsafeBytes { m -> [[UInt8]]? in
            var size = 0
            for _ in 0..<4 {
                let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
                defer { arena.deallocate() }
                do {
                    let it = try Interpreter(model: m, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<size]), memoryPolicy: .compact)
                    var outputs: [[UInt8]] = []
                    for s in samples {
                        guard let input = bytes(dir.appendingPathComponent("inputs/\(s)")) else { return nil }
                        let accepted = input.withUnsafeBytes { b -> Bool in (try? it.setInput(0, b)) != nil }
                        guard accepted else { return nil }
                        it.invoke()
                        outputs.append([UInt8](it.output(0)))
                    }
                    return outputs
                } catch let error as MoteError {
                    guard error.kind == .arenaTooSmall, error.value > size else { return nil }
                    size = error.value
                } catch {
                    return nil
                }
            }
            return nil
        }
    }

    // MARK: every fixture, every input, both targets

    func testEveryFixtureOnBothTargetsMatchesReferenceAndHost() throws {
        let models = try requireEnvironment()
        XCTAssertFalse(models.isEmpty, "no fixture models found")
        var report: [String] = []
        var failures = 0
        // At most one run per target at a time, the two targets side by side (2 cores).
        var pending: [[(dir: URL, samples: [String], outDir: URL, args: [String])]] = []
        for (label, target, options) in Self.configurations {
            var queue: [(dir: URL, samples: [String], outDir: URL, args: [String])] = []
            for dir in models {
                let samples = try Self.samples(dir)
                let outDir = Self.workDir.appendingPathComponent("\(label.replacingOccurrences(of: " ", with: "_"))-\(dir.lastPathComponent)")
                try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
                var args = ["--target", target, "--model", dir.appendingPathComponent("model_int8.tflite").path, "--json"] + options
                for s in samples {
                    args += ["--input", dir.appendingPathComponent("inputs/\(s)").path, "--output", outDir.appendingPathComponent(s).path]
                }
                queue.append((dir, samples, outDir, args))
            }
            pending.append(queue)
        }
        var jobs: [(target: String, dir: URL, samples: [String], outDir: URL, outcome: Outcome)] = []
        for i in 0..<(pending.map(\.count).max() ?? 0) {
            var round: [(String, URL, [String], URL, () -> Outcome)] = []
            for (k, configuration) in Self.configurations.enumerated() where i < pending[k].count {
                let target = configuration.label
                let job = pending[k][i]
                round.append((target, job.dir, job.samples, job.outDir, try Self.start(job.args)))
            }
            for r in round { jobs.append((r.0, r.1, r.2, r.3, r.4())) }
        }

        var hostCache: [String: [[UInt8]]] = [:]
        for job in jobs {
            let name = job.dir.lastPathComponent
            let outcome = job.outcome
            guard let json = outcome.json, json["ok"] as? Bool == true else {
                failures += 1
                report.append("\(job.target) \(name): run.sh exit \(outcome.status): \(outcome.stdout) \(outcome.stderr.suffix(800))")
                continue
            }
            if hostCache[name] == nil { hostCache[name] = Self.hostOutputs(job.dir, job.samples) }
            let host = hostCache[name]
            var matched = 0
            for (k, s) in job.samples.enumerated() {
                let got = Self.bytes(job.outDir.appendingPathComponent(s))
                let expected = Self.bytes(job.dir.appendingPathComponent("expected_ref/\(s)"))
                if got == nil || got != expected {
                    failures += 1
                    report.append("\(job.target) \(name) \(s): output differs from expected_ref (\(got?.count ?? -1) vs \(expected?.count ?? -1) bytes)")
                } else if host == nil || host![k] != got! {
                    failures += 1
                    report.append("\(job.target) \(name) \(s): output differs from the host build's")
                } else {
                    matched += 1
                }
            }
            let counts = ((json["instructions"] as? [String: Any])?["each"] as? [Int]) ?? []
            if counts.count != job.samples.count || counts.contains(where: { $0 <= 0 }) {
                failures += 1
                report.append("\(job.target) \(name): expected \(job.samples.count) positive instruction counts, got \(counts)")
            }
            report.append("\(job.target) \(name): \(matched)/\(job.samples.count) outputs equal expected_ref and host; instructions \(counts.first ?? -1)")
        }
        print(report.joined(separator: "\n"))
        XCTAssertEqual(failures, 0, report.joined(separator: "\n"))
    }

    // MARK: sizes, budgets, arena

    /// ld.lld's map: output sections as (name, vma, lma, size). An output section's name
    /// starts in the header's "Out" column; input sections and symbols are indented further.
    static func mapSections(_ map: String) -> [(name: String, vma: UInt64, lma: UInt64, size: UInt64)] {
        let lines = map.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let header = lines.first, let out = header.range(of: "Out") else { return [] }
        let column = header.distance(from: header.startIndex, to: out.lowerBound)
        var result: [(String, UInt64, UInt64, UInt64)] = []
        for line in lines.dropFirst() where line.count > column {
            let chars = Array(line)
            guard chars[column] != " ", chars[column - 1] == " " else { continue }
            let f = line.split(separator: " ")
            guard f.count == 5, let vma = UInt64(f[0], radix: 16), let lma = UInt64(f[1], radix: 16),
                  let size = UInt64(f[2], radix: 16) else { continue }
            result.append((String(f[4]), vma, lma, size))
        }
        return result
    }

    func testCortexM4FlashAndRAMAgreeWithTheLinkMap() throws {
        let models = try requireEnvironment(["cortex-m4"])
        guard let dir = models.first(where: { $0.lastPathComponent == "mlperf_kws_ds_cnn" }) ?? models.first else { return }
        let model = dir.appendingPathComponent("model_int8.tflite")
        let outcome = try Self.start(["--target", "cortex-m4", "--model", model.path, "--json", "--ram", "256K", "--flash", "1M"])()
        let json = try XCTUnwrap(outcome.json, "run.sh printed no JSON: \(outcome.stdout) \(outcome.stderr)")
        let flash = try XCTUnwrap(json["flash"] as? [String: Any]), ram = try XCTUnwrap(json["ram"] as? [String: Any])
        let arena = try XCTUnwrap(json["arena"] as? [String: Any])
        let map = try String(contentsOfFile: try XCTUnwrap(json["map"] as? String), encoding: .utf8)
        let sections = Self.mapSections(map)
        XCTAssertTrue(sections.contains { $0.name == ".text" } && sections.contains { $0.name == ".arena" }, "map not parsed: \(sections)")

        // Flash: every allocated section whose load address is in the flash region (0..4 MB);
        // RAM: every section whose address is in the RAM region (0x20000000..).
        let nonAllocated: Set<String> = [".ARM.attributes", ".comment", ".symtab", ".shstrtab", ".strtab"]
        let allocated = sections.filter { !$0.name.hasPrefix(".debug") && !nonAllocated.contains($0.name) }
        let flashBytes = allocated.filter { $0.lma < 0x2000_0000 }.reduce(0) { $0 + $1.size }
        let ramBytes = allocated.filter { $0.vma >= 0x2000_0000 }.reduce(0) { $0 + $1.size }
        XCTAssertEqual(flash["total"] as? Int, Int(flashBytes), "flash total vs the map's flash sections")
        XCTAssertEqual(ram["total"] as? Int, Int(ramBytes), "RAM total vs the map's RAM sections")
        let size = { (name: String) in Int(allocated.first { $0.name == name }?.size ?? 0) }
        XCTAssertEqual(flash["model"] as? Int, (try? Data(contentsOf: model))?.count, "the .model section is the model file")
        XCTAssertEqual(flash["model"] as? Int, size(".model"))
        XCTAssertEqual(ram["stack"] as? Int, size(".stack"))
        XCTAssertEqual(ram["stack"] as? Int, 16384)
        // The static arena is the core's exact requirement (rounded up to 4 by the script).
        let required = try XCTUnwrap(arena["required"] as? Int)
        XCTAssertEqual(size(".arena"), (required + 3) & ~3)
        XCTAssertEqual(ram["fits"] as? Bool, true)
        XCTAssertEqual(flash["fits"] as? Bool, true)
        let used = try XCTUnwrap(ram["stack_used"] as? Int)
        XCTAssertTrue(used > 0 && used < 16384, "stack high-water mark \(used)")
    }

    /// The instruction counts are exact: the same firmware on the same input gives the same
    /// count in two runs, and the per-operator counts (each with a marker call of overhead)
    /// add up to the per-inference count within 20 instructions per operator.
    func testCortexM4InstructionCountsRepeatAndAddUpPerOperator() throws {
        let models = try requireEnvironment(["cortex-m4"])
        guard let dir = models.first(where: { $0.lastPathComponent == "mlperf_kws_ds_cnn" }) else { return }
        let args = ["--target", "cortex-m4", "--model", dir.appendingPathComponent("model_int8.tflite").path, "--json", "--per-op",
                    "--input", dir.appendingPathComponent("inputs/000.bin").path,
                    "--output", Self.workDir.appendingPathComponent("count.bin").path]
        let first = try XCTUnwrap(try Self.start(args)().json), second = try XCTUnwrap(try Self.start(args)().json)
        let count = { (j: [String: Any]) in (j["instructions"] as? [String: Any])?["per_inference"] as? Int }
        let n = try XCTUnwrap(count(first))
        XCTAssertEqual(count(second), n, "the count must repeat exactly")
        let ops = try XCTUnwrap(first["per_op"] as? [[String: Any]])
        XCTAssertFalse(ops.isEmpty)
        let sum = ops.compactMap { $0["instructions"] as? Int }.reduce(0, +)
        XCTAssertGreaterThanOrEqual(sum, n - 20, "per-operator counts \(sum) vs per inference \(n)")
        XCTAssertLessThanOrEqual(sum, n + 20 * ops.count, "per-operator counts \(sum) vs per inference \(n)")
        XCTAssertEqual(ops.first?["op"] as? String, "CONV_2D", "kws starts with a CONV_2D")
    }

    func testCortexM4BudgetTooSmallIsRefusedByTheLinker() throws {
        let models = try requireEnvironment(["cortex-m4"])
        guard let dir = models.first(where: { $0.lastPathComponent == "mlperf_kws_ds_cnn" }) else { return }
        let model = dir.appendingPathComponent("model_int8.tflite").path
        let outcome = try Self.start(["--target", "cortex-m4", "--model", model, "--json", "--ram", "16K", "--flash", "1M", "--require-fit"])()
        XCTAssertEqual(outcome.status, 4, "exit 4 with --require-fit: does not fit; \(outcome.stderr)")
        let json = try XCTUnwrap(outcome.json)
        XCTAssertEqual((json["ram"] as? [String: Any])?["fits"] as? Bool, false)
        XCTAssertEqual((json["flash"] as? [String: Any])?["fits"] as? Bool, true)
        XCTAssertTrue((json["budget_error"] as? String ?? "").contains("region 'RAM'"), "the linker's message: \(json["budget_error"] ?? "none")")
    }

    func testCortexM4FirmwareRefusesAnArenaOneByteShort() throws {
        let models = try requireEnvironment(["cortex-m4"])
        guard let dir = models.first(where: { $0.lastPathComponent == "mlperf_kws_ds_cnn" }) else { return }
        let model = dir.appendingPathComponent("model_int8.tflite").path
        let input = dir.appendingPathComponent("inputs/000.bin").path
        let out = Self.workDir.appendingPathComponent("short.bin").path
        let exact = try XCTUnwrap(try Self.start(["--target", "cortex-m4", "--model", model, "--json"])().json)
        let required = try XCTUnwrap((exact["arena"] as? [String: Any])?["required"] as? Int)
        let short = try Self.start(["--target", "cortex-m4", "--model", model, "--json", "--arena", String(required - 1),
                                    "--input", input, "--output", out])()
        XCTAssertEqual(short.status, 2)
        let json = try XCTUnwrap(short.json, short.stdout)
        XCTAssertEqual(json["guest_status"] as? Int, 10, "MOTE_STATUS_ARENA_TOO_SMALL")
        XCTAssertTrue((json["error"] as? String ?? "").contains("have \(required - 1) need \(required)"), "\(json["error"] ?? "")")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output after a failed run")
    }
}
