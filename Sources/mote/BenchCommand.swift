import Foundation
import MoteCore
import MoteCoreDSP

/// `mote bench MODEL`: single-thread inference latency.
enum BenchCommand: Command {
    static let spec = CommandSpec(
        name: "bench",
        summary: "measure single-thread inference latency (median and minimum) on seeded random inputs",
        positionals: [("MODEL.tflite", "a full-integer TFLite model")],
        options: [
            OptionSpec(name: "runs", short: "n", valueName: "N", help: "timed inferences (default 50)"),
            OptionSpec(name: "warmup", short: "w", valueName: "W", help: "untimed inferences first (default 5)"),
            OptionSpec(name: "seed", valueName: "S", help: "seed of the random input bytes (default 1)"),
            OptionSpec(name: "arena", valueName: "BYTES", help: "arena size (default: exactly what the model needs)"),
            .memory,
            OptionSpec(name: "per-op", help: "also time every operator on its own (N more runs; min and median per operator)"),
            .json,
        ],
        discussion: """
            Every input tensor is filled once with uniformly random bytes from the seed, then the model
            runs W times untimed and N times timed, one inference at a time on the calling thread.
            The report names the build configuration. Timings of a debug build say little; for numbers
            worth comparing build with 'swift build -c release' (and say whether -Xswiftc -target-cpu
            -Xswiftc native was used: the binary cannot tell).
            With --per-op, N further runs read the clock after every operator; each operator's
            minimum and median over those runs are reported with its MACs and share of the total
            (the clock reads add a few tens of nanoseconds per operator, which the whole-model
            latency above does not include).
            """)

    static func run(_ args: ParsedArguments) throws {
        let json = args.flag("json")
        let runs = try args.integer("runs", default: 50, in: 1...1_000_000)
        let warmup = try args.integer("warmup", default: 5, in: 0...1_000_000)
        let seed = try args.integer("seed", default: 1, in: 0...Int.max)
        let arenaBytes = try args.byteCount("arena")
        let model = try ModelFile(path: args.positional(0), summarize: true)
        let prepared = try PreparedModel(model, arenaBytes: arenaBytes, memory: args.memoryPolicy())
        let it = prepared.interpreter

        var rng = SplitMix64(seed: UInt64(seed))
        for k in 0..<it.inputCount {
            let buffer = it.input(k)
            for j in 0..<buffer.count { buffer[j] = UInt8(truncatingIfNeeded: rng.next()) }
        }
        for i in 0..<warmup {
            if i % 8 == 0 { Console.progress("warm-up \(i + 1)/\(warmup)") }
            it.invoke()
        }
        var samples: [Double] = []
        samples.reserveCapacity(runs)
        var lastDraw: UInt64 = 0
        for i in 0..<runs {
            let start = Clock.nanoseconds()
            it.invoke()
            let end = Clock.nanoseconds()
            samples.append(Double(end - start) / 1e6)
            if end - lastDraw > 100_000_000 {
                Console.progress("run \(i + 1)/\(runs): last \(Format.ms(samples.last!))")
                lastDraw = end
            }
        }
        Console.endProgress()
        let profile = args.flag("per-op") ? OperatorProfile.measure(it, runs: runs) : nil
        let sorted = samples.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let mean = samples.reduce(0, +) / Double(samples.count)
        let facts = model.facts
        let host = BuildInfo.hostCPU()

        if json {
            Console.out(JSONValue.object([
                ("model", .string(model.path)),
                ("model_bytes", .int(facts.byteCount)),
                ("operators", .int(facts.operators.count)),
                ("macs", .int(facts.totalMACs)),
                ("arena_bytes", .int(prepared.arena.count)),
                ("build", .object([
                    ("configuration", .string(BuildInfo.configuration)),
                    ("optimization", .string(BuildInfo.optimization)),
                    ("arch", .string(BuildInfo.architecture)),
                    ("os", .string(BuildInfo.operatingSystem)),
                    ("endian", .string(BuildInfo.endianness)),
                    ("pointer_bits", .int(BuildInfo.pointerBits)),
                    ("compiler", .string(BuildInfo.compiler)),
                    ("target_cpu_features", .string(BuildInfo.targetFeatures)),
                ])),
                ("kernels", .string(MoteCoreDSP.installed)),
                ("host_cpu", JSONValue.optional(host) { .object([("model", .string($0.model)), ("features", .array($0.features.map { .string($0) }))]) }),
                ("threads", .int(1)),
                ("runs", .int(runs)),
                ("warmup", .int(warmup)),
                ("seed", .int(seed)),
                ("latency_ms", .object([("median", .double(median)), ("min", .double(sorted.first!)), ("max", .double(sorted.last!)), ("mean", .double(mean))])),
                ("samples_ms", .array(samples.map { .double($0) })),
                ("per_operator", JSONValue.optional(profile) { p in
                    .array(p.rows(facts).map { r in
                        .object([("index", .int(r.index)), ("operator", .string(r.name)), ("macs", .int(r.macs)),
                                 ("min_ms", .double(r.minMs)), ("median_ms", .double(r.medianMs)), ("share", .double(r.share))])
                    })
                }),
            ]).rendered())
            return
        }
        var table = TextTable([("", .left), ("", .left)])
        table.add(["model", "\(model.path): \(Format.bytes(facts.byteCount)), \(Format.count(facts.operators.count, "operator")), \(Format.macs(facts.totalMACs)) MACs"])
        table.add(["build", "\(BuildInfo.configuration) (\(BuildInfo.optimization)), \(BuildInfo.architecture), \(BuildInfo.endianness)-endian, \(BuildInfo.pointerBits)-bit, \(BuildInfo.operatingSystem), \(BuildInfo.compiler)"])
        table.add(["target CPU", BuildInfo.targetFeatures])
        if let host { table.add(["host CPU", "\(host.model); supports \(host.features.isEmpty ? "none of the listed int8-relevant features" : host.features.joined(separator: " "))"]) }
        table.add(["kernels", "\(MoteCoreDSP.installed) (MoteCoreDSP, chosen at run time; MOTE_KERNELS=portable for the Swift loops)"])
        table.add(["arena", Format.bytes(prepared.arena.count)])
        table.add(["runs", "\(runs) timed after \(warmup) warm-up, 1 thread, random input bytes (seed \(seed))"])
        table.add(["latency", "median \(Format.ms(median)), min \(Format.ms(sorted.first!)), mean \(Format.ms(mean)), max \(Format.ms(sorted.last!))"])
        if median > 0, facts.totalMACs > 0 {
            let perSecond = 1000 / median
            let rate = perSecond >= 100 ? Format.grouped(Int(perSecond.rounded())) : String(format: "%.1f", perSecond)
            table.add(["throughput", "\(rate) inferences/s, \(String(format: "%.2f", Double(facts.totalMACs) / median / 1e6)) G MAC/s at the median"])
        }
        Console.out(table.render(indent: 0, header: false))
        if let profile {
            var ops = TextTable([("#", .right), ("operator", .left), ("MACs", .right), ("min ms", .right), ("median ms", .right),
                                 ("share", .right), ("G MAC/s", .right)])
            for r in profile.rows(facts) {
                ops.add([String(r.index), r.name, Format.grouped(r.macs), String(format: "%.4f", r.minMs), String(format: "%.4f", r.medianMs),
                         String(format: "%.1f%%", 100 * r.share), r.macs > 0 && r.minMs > 0 ? String(format: "%.1f", Double(r.macs) / r.minMs / 1e6) : "-"])
            }
            Console.out("")
            Console.out(ops.render(indent: 0, header: true))
        }
        if BuildInfo.configuration == "debug" {
            Console.err("note: this is a debug build; build with 'swift build -c release' for meaningful timings")
        }
        Console.out("benchmarked \(model.path): median \(Format.ms(median)), min \(Format.ms(sorted.first!)) over \(runs) runs (\(BuildInfo.configuration) build)")
    }
}

/// Per-operator timing: the clock read after every operator over `runs` inferences.
struct OperatorProfile {
    /// Nanoseconds per operator per run, operator-major.
    let samples: [[UInt64]]

    static func measure(_ it: Interpreter, runs: Int) -> OperatorProfile {
        var samples = [[UInt64]](repeating: [], count: it.operatorCount)
        for i in samples.indices { samples[i].reserveCapacity(runs) }
        for _ in 0..<runs {
            var last = Clock.nanoseconds()
            it.invoke { op in
                let now = Clock.nanoseconds()
                samples[op].append(now - last)
                last = now
            }
        }
        return OperatorProfile(samples: samples)
    }

    struct Row {
        let index: Int, name: String, macs: Int, minMs: Double, medianMs: Double, share: Double
    }

    /// One row per operator; `share` is the operator's median over the sum of the medians.
    func rows(_ facts: ModelFacts) -> [Row] {
        let medians = samples.map { s -> Double in
            let t = s.sorted()
            return t.isEmpty ? 0 : Double(t[t.count / 2]) / 1e6
        }
        let total = medians.reduce(0, +)
        return samples.indices.map { i in
            let f = i < facts.operators.count ? facts.operators[i] : nil
            return Row(index: i, name: f?.name ?? "?", macs: f?.macs ?? 0, minMs: Double(samples[i].min() ?? 0) / 1e6,
                       medianMs: medians[i], share: total > 0 ? medians[i] / total : 0)
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small seeded generator, so that benchmark
/// inputs are the same bytes on every machine and every run with the same seed.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
