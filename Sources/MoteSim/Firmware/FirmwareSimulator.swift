import Foundation

/// Runs a model on a firmware target through the driver script `firmware-sim/run.sh`
/// (`--target T --model M --input IN --output OUT [--ram B --flash B] --json`), which builds
/// and boots the firmware under QEMU and prints a JSON object (firmware-sim/README.md):
/// `instructions.per_inference`, `flash.total` (text + rodata + data load), `ram.total`
/// (data + bss + arena + stack), `arena.bytes`, and `fits` per resource when budgets are given.
public struct FirmwareSimulator {
    /// The driver script.
    public let script: URL

    /// A driver at `script`.
    public init(script: URL) { self.script = script }

    /// Finds `firmware-sim/run.sh`: `$MOTE_FIRMWARE_SIM` (the folder), else the current
    /// directory and its parents, else the folders above the running executable (a
    /// `.build/<config>/mote` inside the package). Throws an unavailable `SimError` when absent.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FirmwareSimulator {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let dir = environment["MOTE_FIRMWARE_SIM"], !dir.isEmpty { candidates.append(URL(fileURLWithPath: dir)) }
        func ancestors(_ start: URL) -> [URL] {
            var out: [URL] = []
            var u = start.standardizedFileURL
            for _ in 0..<8 {
                out.append(u.appendingPathComponent("firmware-sim"))
                let parent = u.deletingLastPathComponent()
                if parent.path == u.path { break }
                u = parent
            }
            return out
        }
        candidates += ancestors(URL(fileURLWithPath: fm.currentDirectoryPath))
        if let exe = Bundle.main.executableURL { candidates += ancestors(exe.deletingLastPathComponent()) }
        for dir in candidates {
            let script = dir.appendingPathComponent("run.sh")
            if fm.isExecutableFile(atPath: script.path) { return FirmwareSimulator(script: script) }
        }
        throw SimError("the firmware driver firmware-sim/run.sh was not found (looked in $MOTE_FIRMWARE_SIM, the current directory and the package above the mote executable)", unavailable: true)
    }

    /// True when `program` is an executable on `$PATH`.
    public static func onPath(_ program: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        for dir in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            if FileManager.default.isExecutableFile(atPath: "\(dir)/\(program)") { return true }
        }
        return false
    }

    /// Throws an unavailable `SimError` when the target's emulator is not installed.
    public static func checkEmulator(_ target: SimulationTarget, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let emulator = target.emulator else { return }
        guard onPath(emulator, environment: environment) else {
            throw SimError("QEMU is missing: '\(emulator)' is not on PATH, so the \(target.rawValue) target cannot run (install it with 'apt-get install \(target.emulatorPackage ?? emulator)')", unavailable: true)
        }
    }

    /// Runs `model` on `target` with one raw input file per model input; the driver writes
    /// one output file per model output into `outputDirectory` (`output0.bin` ...), read back
    /// into `FirmwareRun.outputs`. Throws `SimError` with the driver's message when it fails.
    public func run(target: SimulationTarget, model: String, inputs: [String], outputCount: Int, outputDirectory: URL,
                    ram: Int? = nil, flash: Int? = nil, perOperator: Bool = false) throws -> FirmwareRun {
        precondition(target != .host, "the host runs in-process")
        try FirmwareSimulator.checkEmulator(target)
        let outputs = (0..<outputCount).map { outputDirectory.appendingPathComponent("output\($0).bin").path }
        var args = ["--target", target.rawValue, "--model", model]
        for i in inputs { args += ["--input", i] }
        for o in outputs { args += ["--output", o] }
        if let ram { args += ["--ram", String(ram)] }
        if let flash { args += ["--flash", String(flash)] }
        if perOperator { args.append("--per-op") }
        args.append("--json")

        let process = Process()
        process.executableURL = script
        process.arguments = args
        // stderr goes to a file (a chatty build cannot fill a pipe while stdout is read).
        let errURL = outputDirectory.appendingPathComponent(".run-\(target.rawValue).stderr")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let out = Pipe()
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw SimError("cannot start \(script.path): \(error.localizedDescription)", unavailable: true)
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? err.close()
        let errData = FileManager.default.contents(atPath: errURL.path) ?? Data()
        let stdout = String(decoding: outData, as: UTF8.self), stderr = String(decoding: errData, as: UTF8.self)
        let object: [String: Any]? = {
            guard let start = stdout.firstIndex(of: "{"), let end = stdout.lastIndex(of: "}") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(stdout[start...end].utf8)) as? [String: Any]
        }()
        guard process.terminationStatus == 0 else {
            // The driver's exit 3 means a tool (QEMU, a cross compiler) is missing.
            let missing = process.terminationStatus == 3
            let detail = (object?["error"] as? String) ?? stderr.split(separator: "\n").suffix(6).joined(separator: "\n")
            throw SimError("firmware-sim/run.sh --target \(target.rawValue) failed (exit \(process.terminationStatus))\(detail.isEmpty ? "" : ": " + detail)",
                           unavailable: missing)
        }
        guard let object else {
            throw SimError("firmware-sim/run.sh printed no JSON object (stdout: \(stdout.prefix(200)))")
        }
        var read: [[UInt8]] = []
        for path in outputs {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SimError("firmware-sim/run.sh did not write the output file \(path)")
            }
            read.append([UInt8](data))
        }
        return FirmwareRun(target: target.rawValue, outputs: read,
                           instructions: FirmwareSimulator.integer(object, ["instructions", "instructions_per_inference", "insns"]),
                           flash: FirmwareSimulator.integer(object, ["flash", "flash_bytes"]),
                           ram: FirmwareSimulator.integer(object, ["ram", "ram_bytes"]),
                           arena: FirmwareSimulator.integer(object, ["arena", "arena_bytes"]),
                           flashFits: (object["flash"] as? [String: Any])?["fits"] as? Bool,
                           ramFits: (object["ram"] as? [String: Any])?["fits"] as? Bool,
                           perOperator: ((object["per_op"] as? [[String: Any]]) ?? []).compactMap { o in
                               guard let i = o["index"] as? Int, let n = (o["instructions"] as? NSNumber)?.intValue else { return nil }
                               return OperatorInstructions(index: i, opName: (o["op"] as? String) ?? "?", instructions: n)
                           },
                           rawJSON: stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The first of `keys` whose value is a number, or an object with a `total`/`bytes` number.
    static func integer(_ object: [String: Any], _ keys: [String]) -> Int? {
        for k in keys {
            if let n = object[k] as? NSNumber { return n.intValue }
            if let o = object[k] as? [String: Any] {
                for inner in ["total", "bytes", "per_inference", "value"] { if let n = o[inner] as? NSNumber { return n.intValue } }
            }
        }
        return nil
    }
}
