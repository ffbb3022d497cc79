// A stand-alone probe over the MoteCore sources (compiled together with them by
// bench/build_probe.sh, not part of the package): the arena figures and the invoke latency
// of a model, straight from the core, for when the `mote` tool is not available.
//
//   probe arena [--memory compact|fast] MODEL...   one JSON line per model: planned, persistent, lower bound, in-place saving, required
//   probe bench MODEL [RUNS] [WARMUP]              one JSON line: median and min milliseconds per invoke (fast policy)
// (portable Swift loops only: MoteCoreDSP is not part of the probe)
import Foundation

@main
struct Probe {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 3 else {
            FileHandle.standardError.write("usage: probe arena MODEL... | probe bench MODEL [RUNS] [WARMUP]\n".data(using: .utf8)!)
            exit(2)
        }
        switch args[1] {
        case "arena":
            var paths = Array(args[2...])
            if paths.count >= 2, paths[0] == "--memory" {
                policy = paths[1] == "compact" ? .compact : .fast
                paths.removeFirst(2)
            }
            for path in paths { arena(path) }
        case "bench": bench(args[2], runs: args.count > 3 ? Int(args[3]) ?? 300 : 300, warmup: args.count > 4 ? Int(args[4]) ?? 20 : 20)
        default: exit(2)
        }
    }

    static func json(_ fields: [(String, Any)]) -> String {
        "{" + fields.map { k, v in
            let value: String
            switch v {
            case let s as String: value = "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            case let d as Double: value = String(format: "%.6f", d)
            default: value = "\(v)"
            }
            return "\"\(k)\": \(value)"
        }.joined(separator: ", ") + "}"
    }

    nonisolated(unsafe) static var policy = Interpreter.MemoryPolicy.fast

    static func describe(_ e: MoteError) -> String {
        "\(e.kind) \"\(e.message)\" op \(e.operatorIndex) tensor \(e.tensorIndex) value \(e.value)"
    }

    /// Prepares `path` in an arena of exactly the bytes it needs and calls `body`.
    static func withInterpreter(_ path: String, _ body: (Interpreter) -> Void) {
        guard let data = FileManager.default.contents(atPath: path) else {
            print(json([("model", path), ("error", "cannot read the file")])); return
        }
        let model = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 16)
        defer { model.deallocate() }
        data.withUnsafeBytes { model.copyMemory(from: $0) }
        var arenaBytes = 1 << 20
        for _ in 0..<4 {
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            do {
                let it = try Interpreter(model: UnsafeRawBufferPointer(model), arena: arena, memoryPolicy: policy)
                body(it)
                return
            } catch {
                if error.kind == .arenaTooSmall, error.value > arenaBytes { arenaBytes = error.value; continue }
                print(json([("model", path), ("error", describe(error))])); return
            }
        }
    }

    static func arena(_ path: String) {
        withInterpreter(path) { it in
            let u = it.usage
            print(json([("model", path), ("memory", policy == .compact ? "compact" : "fast"), ("planned", u.planned), ("persistent", u.persistent), ("lower_bound", u.lowerBound), ("in_place_saving", u.inPlaceSaving),
                        ("required", u.required), ("tensors", it.tensorCount), ("operators", it.operatorCount)]))
        }
    }

    static func bench(_ path: String, runs: Int, warmup: Int) {
        withInterpreter(path) { it in
            var state: UInt64 = 1
            for k in 0..<it.inputCount {
                let b = it.input(k)
                for j in 0..<b.count {
                    state &+= 0x9E37_79B9_7F4A_7C15
                    b[j] = UInt8(truncatingIfNeeded: (state ^ (state >> 31)) &* 0xBF58_476D_1CE4_E5B9 >> 56)
                }
            }
            for _ in 0..<warmup { it.invoke() }
            var times: [Double] = []
            times.reserveCapacity(runs)
            for _ in 0..<max(runs, 1) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                it.invoke()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            times.sort()
            print(json([("model", path), ("runs", times.count), ("median_ms", times[times.count / 2]), ("min_ms", times[0]),
                        ("arena_bytes", it.usage.required)]))
        }
    }
}
