import Foundation
import MoteCore
import MoteSim

/// `mote simulate MODEL --target host|cortex-m4|aarch64-linux`: one inference on a target,
/// memory against the budget, and for firmware targets the outputs checked against the host's.
enum SimulateCommand: Command {
    /// Exit code when a firmware target's outputs differ from the host's.
    static let mismatchExitCode: Int32 = 3
    /// Exit code when the model does not fit `--ram`/`--flash`.
    static let overBudgetExitCode: Int32 = 4

    static let spec = CommandSpec(
        name: "simulate",
        summary: "run an int8 model on the host or on firmware under QEMU, check outputs and memory against a budget",
        positionals: [("MODEL.tflite", "a full-integer int8 TFLite model")],
        options: [
            OptionSpec(name: "target", valueName: "host|cortex-m4|aarch64-linux", required: true,
                       help: "host: MoteCore in this process; cortex-m4: firmware on qemu-system-arm -M mps2-an386; aarch64-linux: static binary on qemu-aarch64"),
            OptionSpec(name: "input", short: "i", valueName: "IN.bin", repeatable: true,
                       help: "raw bytes of a model input, one per input (default: seeded pseudo-random bytes)"),
            OptionSpec(name: "output", short: "o", valueName: "OUT.bin", repeatable: true,
                       help: "where to write the target's raw output bytes, one per output (written atomically)"),
            OptionSpec(name: "ram", valueName: "BYTES", help: "RAM budget (262144, 256K, 1M; K = 1024)"),
            OptionSpec(name: "flash", valueName: "BYTES", help: "flash budget (1M = 1,048,576)"),
            OptionSpec(name: "memory", valueName: "compact|fast", help: "host kernels' use of the arena (default compact, as on firmware)"),
            OptionSpec(name: "per-op", help: "firmware targets: also count instructions per operator (one more QEMU run)"),
            .json,
        ],
        discussion: """
            The host always runs too: it is the reference. A firmware target runs through firmware-sim/run.sh
            (found from $MOTE_FIRMWARE_SIM, the current directory or the package around the mote executable),
            which needs QEMU; its outputs must equal the host's byte for byte.
            Memory: on the host, RAM is the arena MoteCore plans (planned + persistent part) and flash the model
            file; on firmware both come from the linker (flash = text + rodata, RAM = data + bss + arena + stack).
            Without --input the inputs are pseudo-random bytes from a fixed seed (the same on every run).
            Exit codes: 0 done (and within the budget), 1 usage, 2 model/input problem or missing QEMU,
            3 firmware outputs differ from the host's, 4 over the --ram or --flash budget.
            """)

    static func run(_ args: ParsedArguments) throws {
        let json = args.flag("json")
        guard let target = SimulationTarget(rawValue: args.value("target")!) else {
            throw args.usage("option '--target' takes host, cortex-m4 or aarch64-linux, got '\(args.value("target")!)'")
        }
        let budget = MemoryBudget(ram: try args.byteCount("ram"), flash: try args.byteCount("flash"))
        let memory: Interpreter.MemoryPolicy = args.value("memory") == nil ? .compact : try args.memoryPolicy()
        let path = args.positional(0)
        let host: HostInt8Model
        do {
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.input("cannot read model '\(path)'") }
            host = try HostInt8Model(bytes: [UInt8](data), memoryPolicy: memory)
        } catch let e as SimError {
            throw CLIError.input("'\(path)': \(e.message)")
        }
        let it = host.interpreter
        let inputPaths = args.values("input"), outputPaths = args.values("output")
        guard inputPaths.isEmpty || inputPaths.count == it.inputCount else {
            throw args.usage("the model has \(Format.count(it.inputCount, "input")), got \(Format.count(inputPaths.count, "--input", "--input options"))")
        }
        guard outputPaths.isEmpty || outputPaths.count == it.outputCount else {
            throw args.usage("the model has \(Format.count(it.outputCount, "output")), got \(Format.count(outputPaths.count, "--output", "--output options"))")
        }
        var inputs: [[UInt8]] = []
        for k in 0..<it.inputCount {
            let count = it.input(k).count
            if inputPaths.isEmpty {
                inputs.append(seededBytes(count: count, seed: UInt64(k)))
                continue
            }
            guard let data = FileManager.default.contents(atPath: inputPaths[k]) else {
                throw CLIError.input("cannot read input \(k) '\(inputPaths[k])'")
            }
            guard data.count == count else {
                throw CLIError.input("input \(k) '\(inputPaths[k])' has \(Format.bytes(data.count)), but model input \(k) takes \(Format.bytes(count))")
            }
            inputs.append([UInt8](data))
        }

        // The host reference.
        for (k, bytes) in inputs.enumerated() { try host.setInput(k, raw: bytes) }
        host.invoke()
        let hostOutputs = (0..<it.outputCount).map { host.rawOutput($0) }

        var outputs = hostOutputs
        var footprint = host.footprint
        var firmware: FirmwareRun? = nil
        var differing: [Int] = []
        if target != .host {
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("mote-simulate-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            try? FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            var files = inputPaths
            if files.isEmpty {
                for (k, bytes) in inputs.enumerated() {
                    let url = work.appendingPathComponent("input\(k).bin")
                    try? Data(bytes).write(to: url)
                    files.append(url.path)
                }
            }
            Console.progress("simulate: building and running \(path) on \(target.rawValue) ...")
            do {
                let simulator = try FirmwareSimulator.locate()
                firmware = try simulator.run(target: target, model: path, inputs: files, outputCount: it.outputCount, outputDirectory: work,
                                             ram: budget.ram, flash: budget.flash, perOperator: args.flag("per-op"))
            } catch let e as SimError {
                Console.endProgress()
                throw CLIError.input("\(target.rawValue): \(e.message)")
            }
            Console.endProgress()
            outputs = firmware!.outputs
            differing = (0..<it.outputCount).filter { $0 >= outputs.count || outputs[$0] != hostOutputs[$0] }
            footprint = MemoryFootprint(target: target.rawValue, arenaPlanned: nil, arenaPersistent: nil,
                                        ram: firmware!.ram ?? footprint.ram, flash: firmware!.flash ?? footprint.flash)
        }
        for (k, p) in outputPaths.enumerated() where k < outputs.count {
            try write(outputs[k], to: p)
        }
        let verdict = budget.check(footprint)

        if json {
            Console.out(JSONValue.object([
                ("model", .string(path)),
                ("target", .string(target.rawValue)),
                ("memory_policy", .string(memory == .compact ? "compact" : "fast")),
                ("inputs", .array(inputs.enumerated().map { k, b in
                    .object([("index", .int(k)), ("bytes", .int(b.count)), ("file", inputPaths.isEmpty ? .null : .string(inputPaths[k]))]) })),
                ("outputs", .array(outputs.enumerated().map { k, b in
                    .object([("index", .int(k)), ("bytes", .int(b.count)), ("file", k < outputPaths.count ? .string(outputPaths[k]) : .null),
                             ("values", .array(dequantized(host, k, b).map { .double(Double($0)) })),
                             ("matches_host", target == .host ? .null : .bool(!differing.contains(k)))]) })),
                ("host_arena", InspectCommand.json(it.usage)),
                ("instructions", JSONValue.optional(firmware?.instructions) { .int($0) }),
                ("macs", .int(host.summary.totalMACs)),
                ("per_operator", .array((firmware?.perOperator ?? []).map { p in
                    .object([("index", .int(p.index)), ("op", .string(p.opName)), ("instructions", .int(p.instructions)),
                             ("macs", .int(p.index < host.summary.operators.count ? host.summary.operators[p.index].macs : 0))]) })),
                ("memory", .object([
                    ("target", .string(footprint.target)),
                    ("ram", .int(footprint.ram)), ("flash", .int(footprint.flash)),
                    ("ram_budget", JSONValue.optional(budget.ram) { .int($0) }), ("flash_budget", JSONValue.optional(budget.flash) { .int($0) }),
                    ("ram_fits", .bool(verdict.ram.fits)), ("flash_fits", .bool(verdict.flash.fits)), ("fits", .bool(verdict.fits)),
                    ("verdict", .string(verdict.line)),
                ])),
                ("outputs_match_host", target == .host ? .null : .bool(differing.isEmpty)),
            ]).rendered())
        } else {
            var table = TextTable([("output", .right), ("bytes", .right), ("values (dequantized)", .left), ("file", .left)])
            for (k, b) in outputs.enumerated() {
                let values = dequantized(host, k, b)
                let shown = values.prefix(8).map { String(format: "%.5g", Double($0)) }.joined(separator: " ") + (values.count > 8 ? " ..." : "")
                table.add(["\(k)", Format.grouped(b.count), shown, k < outputPaths.count ? outputPaths[k] : "-"])
            }
            Console.out(table.render())
            if let firmware {
                let macs = host.summary.totalMACs
                let perMAC = firmware.instructions.map { macs > 0 ? String(format: " (%.2f per MAC, %@ MACs)", Double($0) / Double(macs), Format.grouped(macs)) : "" } ?? ""
                Console.out("instructions per inference: " + (firmware.instructions.map(Format.grouped) ?? "not reported") + perMAC)
                if !firmware.perOperator.isEmpty {
                    var ops = TextTable([("#", .right), ("operator", .left), ("instructions", .right), ("MACs", .right), ("per MAC", .right)])
                    for p in firmware.perOperator {
                        let m = p.index < host.summary.operators.count ? host.summary.operators[p.index].macs : 0
                        ops.add(["\(p.index)", p.opName, Format.grouped(p.instructions), Format.grouped(m), m > 0 ? String(format: "%.2f", Double(p.instructions) / Double(m)) : "-"])
                    }
                    Console.out(ops.render())
                }
                Console.out("outputs vs host: " + (differing.isEmpty ? "identical (\(Format.count(outputs.count, "output")))" : "DIFFER in output(s) \(differing.map(String.init).joined(separator: ", "))"))
            }
            Console.out("memory: \(verdict.line)")
            let wrote = outputPaths.isEmpty ? "no output files written (give --output)" : "wrote \(outputPaths.joined(separator: ", "))"
            Console.out("simulated \(path) on \(target.rawValue): \(differing.isEmpty ? "ok" : "outputs differ from the host"), \(verdict.fits ? "within budget" : "OVER budget"); \(wrote)")
        }
        if !differing.isEmpty { throw ExitStatus(code: mismatchExitCode) }
        if !verdict.fits { throw ExitStatus(code: overBudgetExitCode) }
    }

    /// Output `k`'s bytes as values: int8 dequantized with the output tensor's parameters,
    /// float32 as stored, anything else as unsigned bytes.
    static func dequantized(_ host: HostInt8Model, _ k: Int, _ bytes: [UInt8]) -> [Float] {
        let t = host.interpreter.outputTensorIndex(k)
        if let (scale, zp) = host.int8Quantization(t) {
            return bytes.map { Float(Double(Int(Int8(bitPattern: $0)) - zp) * scale) }
        }
        if host.tensor(t)?.type == .float32 {
            return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
                Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
            }
        }
        return bytes.map { Float($0) }
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        try AtomicFile.write(UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]), to: path)
    }

    /// `count` bytes from a SplitMix64 stream seeded with `seed` (deterministic inputs).
    static func seededBytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = 0x9E37_79B9_7F4A_7C15 &* (seed &+ 1)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            for b in 0..<8 where out.count < count { out.append(UInt8(truncatingIfNeeded: z >> (8 * UInt64(b)))) }
        }
        return out
    }
}
