import Foundation

/// What this binary can honestly say about how it was built, from compile-time conditions,
/// and what the CPU it runs on supports (which is not the same thing).
///
/// Swift has no `#if` for CPU features (AVX2, AVX-512, NEON dot product), so whether the core
/// was compiled with `-target-cpu native` (worth about 10x on int8 loops, see PERF-NOTES.md)
/// cannot be known at run time; the report says so instead of guessing.
enum BuildInfo {
    /// `debug` or `release`: SwiftPM defines DEBUG in debug builds.
    static var configuration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// The optimization mode this file was compiled in (the stdlib's compile-time assert configuration).
    static var optimization: String {
        // Through an array so that the compiler does not warn about the branch it folds away.
        let modes = [(_isDebugAssertConfiguration(), "-Onone"), (_isFastAssertConfiguration(), "-Ounchecked")]
        return modes.first { $0.0 }?.1 ?? "-O"
    }

    static var architecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "arm64"
        #elseif arch(arm)
        return "arm"
        #elseif arch(i386)
        return "i386"
        #elseif arch(riscv64)
        return "riscv64"
        #elseif arch(powerpc64le)
        return "powerpc64le"
        #elseif arch(s390x)
        return "s390x"
        #elseif arch(wasm32)
        return "wasm32"
        #else
        return "unknown"
        #endif
    }

    static var operatingSystem: String {
        #if os(Linux)
        return "Linux"
        #elseif os(macOS)
        return "macOS"
        #elseif os(Windows)
        return "Windows"
        #else
        return "other"
        #endif
    }

    static var endianness: String {
        #if _endian(little)
        return "little"
        #else
        return "big"
        #endif
    }

    static var pointerBits: Int { MemoryLayout<Int>.size * 8 }

    /// The compiler version, as far as `#if compiler(...)` can tell.
    static var compiler: String {
        #if compiler(>=6.3)
        return "Swift 6.3 or later"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #elseif compiler(>=6.1)
        return "Swift 6.1"
        #elseif compiler(>=6.0)
        return "Swift 6.0"
        #else
        return "Swift before 6.0"
        #endif
    }

    static let targetFeatures = "unknown: Swift has no #if for CPU features, so whether -target-cpu native (or any -target-cpu) was used cannot be detected"

    /// The running CPU's model name and its int8-relevant feature flags from /proc/cpuinfo
    /// (Linux only; nil elsewhere or when unreadable).
    static func hostCPU() -> (model: String, features: [String])? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        var model = "", flags: [String] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if model.isEmpty && (parts[0] == "model name" || parts[0] == "CPU part" || parts[0] == "uarch") { model = parts[1] }
            if flags.isEmpty && (parts[0] == "flags" || parts[0] == "Features") { flags = parts[1].split(separator: " ").map(String.init) }
            if !model.isEmpty && !flags.isEmpty { break }
        }
        let relevant = ["sse4_1", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni",
                        "amx_int8", "asimd", "asimddp", "i8mm", "sve", "sve2"]
        let available = Set(flags)
        return (model.isEmpty ? "unknown" : model, relevant.filter(available.contains))
    }
}
