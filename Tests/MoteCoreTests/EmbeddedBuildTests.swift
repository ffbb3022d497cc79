import Foundation
import XCTest
@testable import MoteCore

/// The core as Embedded Swift: it compiles for the bare-metal and host targets with
/// `-no-allocations`, links with no allocator at all, exports every function of
/// `include/mote_core.h`, and its x86_64 object, linked with `Tests/EmbeddedRunner/runner.c`,
/// reproduces the TFLite reference outputs of every fixture and agrees with the host build.
///
/// Each target is compiled once per test run (the products go to a temporary directory).
final class EmbeddedBuildTests: XCTestCase {
    static let targets = ["armv7em-none-none-eabi", "aarch64-none-none-elf", "x86_64-unknown-linux-gnu"]
    static let host = "x86_64-unknown-linux-gnu"

    /// What an object may need from outside after `--gc-sections`: the C library's memory
    /// functions and the stack protector's two symbols (glibc, or firmware support code).
    static let allowedUndefined: Set<String> = ["memset", "memcpy", "memmove", "__stack_chk_fail", "__stack_chk_guard"]
    /// Symbols whose presence would mean that the core allocates.
    static let allocatorSymbols: Set<String> = ["malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc",
                                                "memalign", "valloc", "pvalloc", "swift_slowAlloc", "swift_slowDealloc"]

    // MARK: tools and build products (computed once)

    struct Tools {
        let swiftc: String
        let bin: URL
        var clang: String
        var nm: String
        var lld: String?
    }

    /// The swiftc on PATH and the tools beside it (toolchain clang, llvm-nm, ld.lld), falling
    /// back to `cc` and `nm` from the system.
    static let tools: Tools? = {
        guard let swiftc = which("swiftc") else { return nil }
        let bin = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().deletingLastPathComponent()
        func beside(_ name: String) -> String? {
            let p = bin.appendingPathComponent(name).path
            return FileManager.default.isExecutableFile(atPath: p) ? p : nil
        }
        guard let clang = beside("clang") ?? which("cc"), let nm = beside("llvm-nm") ?? which("nm") else { return nil }
        return Tools(swiftc: swiftc, bin: bin, clang: clang, nm: nm, lld: beside("ld.lld"))
    }()

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// The temporary directory for this run's build products.
    static let workDir: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mote-embedded-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    override class func tearDown() {
        try? FileManager.default.removeItem(at: workDir)
        super.tearDown()
    }

    /// A finished process: exit status and captured output.
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
        var succeeded: Bool { status == 0 }
        /// The last lines of stderr (compiler errors can be long).
        var stderrTail: String { stderr.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n") }
    }

    /// A started process whose output goes to files (no pipe can fill up and block it).
    struct Running {
        let process: Process
        let out: URL
        let err: URL
        let timeout: TimeInterval

        func wait() -> Outcome {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            var timedOut = false
            if process.isRunning {
                process.terminate()
                timedOut = true
            }
            process.waitUntilExit()
            let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            var stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
            if timedOut { stderr += "\n(killed after \(Int(timeout)) s)" }
            return Outcome(status: timedOut ? -1 : process.terminationStatus, stdout: stdout, stderr: stderr)
        }
    }

    static func start(_ executable: String, _ arguments: [String], timeout: TimeInterval) -> Running? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let tag = UUID().uuidString
        let out = workDir.appendingPathComponent("\(tag).out"), err = workDir.appendingPathComponent("\(tag).err")
        guard FileManager.default.createFile(atPath: out.path, contents: nil),
              FileManager.default.createFile(atPath: err.path, contents: nil),
              let o = try? FileHandle(forWritingTo: out), let e = try? FileHandle(forWritingTo: err) else { return nil }
        defer { try? o.close(); try? e.close() }
        p.standardOutput = o
        p.standardError = e
        do { try p.run() } catch { return nil }
        return Running(process: p, out: out, err: err, timeout: timeout)
    }

    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 600) -> Outcome {
        guard let r = start(executable, arguments, timeout: timeout) else {
            return Outcome(status: -1, stdout: "", stderr: "could not start \(executable)")
        }
        return r.wait()
    }

    /// One target's object, or why it could not be built.
    struct Build {
        let target: String
        let object: URL
        let outcome: Outcome
    }

    /// Every target compiled by scripts/build-embedded-core.sh, in parallel, once.
    static let builds: [String: Build] = {
        guard tools != nil else { return [:] }
        let script = Fixtures.packageRoot.appendingPathComponent("scripts/build-embedded-core.sh").path
        var running: [(String, URL, Running?)] = []
        for target in targets {
            let object = workDir.appendingPathComponent("MoteCore-\(target).o")
            running.append((target, object, start("/bin/bash", [script, target, object.path], timeout: 900)))
        }
        var result: [String: Build] = [:]
        for (target, object, r) in running {
            let outcome = r?.wait() ?? Outcome(status: -1, stdout: "", stderr: "could not start \(script)")
            result[target] = Build(target: target, object: object, outcome: outcome)
        }
        return result
    }()

    /// The x86_64 embedded object linked with runner.c (`-Wl,--gc-sections`), or why not.
    static let runner: (url: URL?, log: String) = {
        guard let tools, let build = builds[host] else { return (nil, "no toolchain (swiftc on PATH)") }
        guard build.outcome.succeeded else { return (nil, "the \(host) object did not compile:\n\(build.outcome.stderrTail)") }
        let exe = workDir.appendingPathComponent("runner")
        // lld drops the undefined symbols of discarded sections from the binary; GNU ld keeps
        // them (an allocator would show up in nm -u although no live code calls it).
        let lldFlag = tools.lld != nil && tools.clang.hasPrefix(tools.bin.path) ? ["-fuse-ld=lld"] : []
        let root = Fixtures.packageRoot
        let link = run(tools.clang, ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
                                     "-I", root.appendingPathComponent("include").path,
                                     root.appendingPathComponent("Tests/EmbeddedRunner/runner.c").path,
                                     build.object.path, "-Wl,--gc-sections", "-o", exe.path] + lldFlag)
        return link.succeeded ? (exe, "") : (nil, "linking runner.c failed (\(tools.clang)):\n\(link.stderrTail)")
    }()

    func requireTools() throws -> Tools {
        guard let tools = Self.tools else {
            throw XCTSkip("no swiftc on PATH, or no clang/cc or nm beside it")
        }
        return tools
    }

    func requireRunner() throws -> URL {
        _ = try requireTools()
        guard let url = Self.runner.url else { throw SetupFailure(description: Self.runner.log) }
        return url
    }

    /// A build step that failed; thrown, so the test fails with the step's log.
    struct SetupFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The symbols `nm -u` lists for a file.
    static func undefinedSymbols(_ file: URL, _ tools: Tools) -> (Set<String>, String?) {
        let r = run(tools.nm, ["-u", file.path])
        guard r.succeeded else { return ([], "nm -u \(file.lastPathComponent) failed: \(r.stderrTail)") }
        // `nm -u` lines are "    U name" or "    w name"; versioned dynamic symbols read "name@GLIBC_2.2.5".
        var names = Set<String>()
        for line in r.stdout.split(separator: "\n") {
            guard let name = line.split(separator: " ").last else { continue }
            names.insert(String(name.split(separator: "@").first ?? name))
        }
        return (names, nil)
    }

    /// The `mote_*` functions that include/mote_core.h declares.
    static func headerFunctions() throws -> [String] {
        let header = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("include/mote_core.h"), encoding: .utf8)
        let regex = try NSRegularExpression(pattern: #"^(?:const )?\w+ \*?(mote_\w+)\("#, options: [.anchorsMatchLines])
        let range = NSRange(header.startIndex..., in: header)
        return regex.matches(in: header, range: range).map { String(header[Range($0.range(at: 1), in: header)!]) }
    }

    /// The value of `#define NAME value` in include/mote_core.h.
    static func headerDefine(_ name: String) throws -> String? {
        let header = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("include/mote_core.h"), encoding: .utf8)
        for line in header.split(separator: "\n") where line.hasPrefix("#define \(name) ") {
            return line.dropFirst("#define \(name) ".count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    // MARK: (a) compiling and linking

    func testCoreCompilesForEveryEmbeddedTargetWithoutAllocator() throws {
        let tools = try requireTools()
        let declared = try Self.headerFunctions()
        XCTAssertGreaterThanOrEqual(declared.count, 13, "the header parser found too few functions: \(declared)")
        for target in Self.targets {
            guard let build = Self.builds[target] else { XCTFail("\(target): not built"); continue }
            guard build.outcome.succeeded else {
                XCTFail("\(target): scripts/build-embedded-core.sh failed (status \(build.outcome.status)):\n\(build.outcome.stderrTail)")
                continue
            }
            let (undefined, error) = Self.undefinedSymbols(build.object, tools)
            if let error { XCTFail("\(target): \(error)"); continue }
            XCTAssertTrue(undefined.isDisjoint(with: Self.allocatorSymbols),
                          "\(target): the object references an allocator: \(undefined.intersection(Self.allocatorSymbols).sorted())")
            // Beyond this, the object may reference anything its weak copy of the runtime needs
            // (arc4random_buf for an enum's Hashable witness, say): what survives dead-stripping
            // is checked in testNoAllocatorSurvivesGCSectionsLinking.
            let defined = Self.run(tools.nm, ["--defined-only", build.object.path])
            let exported = Set(defined.stdout.split(separator: "\n").compactMap { line -> String? in
                let f = line.split(separator: " ")
                return f.count == 3 && f[1] == "T" ? String(f[2]) : nil
            })
            let missing = declared.filter { !exported.contains($0) }
            XCTAssertTrue(missing.isEmpty, "\(target): mote_core.h declares functions the object does not export: \(missing)")
        }
    }

    /// The second, independent allocation proof: after dead-stripping from the C ABI's entry
    /// points, nothing the object still needs is an allocator. Each object is linked alone by
    /// ld.lld (undefined symbols allowed, so that `nm -u` lists what survives), and the x86_64
    /// one also into runner, a program that itself never allocates. A control object that does
    /// allocate shows that the check can fail.
    func testNoAllocatorSurvivesGCSectionsLinking() throws {
        let tools = try requireTools()
        let roots = try Self.headerFunctions()
        guard let lld = tools.lld else { throw SetupFailure(description: "no ld.lld beside \(tools.swiftc)") }

        for target in ["aarch64-none-none-elf", Self.host] {
            guard let build = Self.builds[target], build.outcome.succeeded else {
                XCTFail("\(target): no object (see testCoreCompilesForEveryEmbeddedTargetWithoutAllocator)")
                continue
            }
            switch Self.survivingUndefined(build.object, roots: roots, lld: lld, tools) {
            case .failure(let e): XCTFail("\(target): \(e.description)")
            case .success(let undefined):
                XCTAssertTrue(undefined.isSubset(of: Self.allowedUndefined),
                              "\(target): after --gc-sections the core still needs \(undefined.subtracting(Self.allowedUndefined).sorted())")
            }
        }

        // Control: an Embedded Swift object (no -no-allocations) whose exported function allocates.
        let control = Self.workDir.appendingPathComponent("control.swift"), controlObject = Self.workDir.appendingPathComponent("control.o")
        try """
            final class Box { var x: Int32; init(_ x: Int32) { self.x = x } }
            nonisolated(unsafe) var kept: Box? = nil
            @_cdecl("control_alloc") public func controlAlloc(_ x: Int32) -> Int32 { kept = Box(x); return kept!.x }
            """.write(to: control, atomically: true, encoding: .utf8)
        let compiled = Self.run(tools.swiftc, ["-target", Self.host, "-enable-experimental-feature", "Embedded", "-wmo", "-O",
                                               "-Xfrontend", "-function-sections", "-parse-as-library", "-module-name", "Control",
                                               "-c", control.path, "-o", controlObject.path])
        XCTAssertTrue(compiled.succeeded, "control object: \(compiled.stderrTail)")
        if compiled.succeeded {
            switch Self.survivingUndefined(controlObject, roots: ["control_alloc"], lld: lld, tools) {
            case .failure(let e): XCTFail("control: \(e.description)")
            case .success(let undefined):
                XCTAssertFalse(undefined.isDisjoint(with: Self.allocatorSymbols),
                               "an allocating object should need an allocator after --gc-sections; the check sees only \(undefined.sorted())")
            }
        }

        let runner = try requireRunner()
        let (undefined, error) = Self.undefinedSymbols(runner, tools)
        XCTAssertNil(error)
        XCTAssertTrue(undefined.contains("mmap"), "nm -u found no mmap in runner: the check would prove nothing: \(undefined.sorted())")
        XCTAssertTrue(undefined.isDisjoint(with: Self.allocatorSymbols),
                      "x86_64: runner (core + runner.c, --gc-sections) needs an allocator: \(undefined.intersection(Self.allocatorSymbols).sorted())")
    }

    /// The undefined symbols left after linking `object` alone with `ld.lld --gc-sections`,
    /// keeping only `roots` (and what they reach).
    static func survivingUndefined(_ object: URL, roots: [String], lld: String, _ tools: Tools) -> Result<Set<String>, SetupFailure> {
        let image = object.deletingPathExtension().appendingPathExtension("gc.elf")
        let link = run(lld, ["--gc-sections", "-e", roots[0]] + roots.flatMap { ["-u", $0] }
                            + ["--unresolved-symbols=ignore-all", "-o", image.path, object.path])
        guard link.succeeded else { return .failure(SetupFailure(description: "ld.lld --gc-sections failed: \(link.stderrTail)")) }
        let (undefined, error) = undefinedSymbols(image, tools)
        if let error { return .failure(SetupFailure(description: error)) }
        return .success(undefined)
    }

    // MARK: the C ABI on the host build

    func testHeaderMatchesTheSwiftSide() throws {
        XCTAssertEqual(try Self.headerDefine("MOTE_INTERPRETER_SIZE"), String(MoteCABI.handleSize))
        XCTAssertEqual(try Self.headerDefine("MOTE_VERSION"), "\"\(MoteCABI.version)\"")
        XCTAssertEqual(String(cString: moteVersion()), "\(MoteCABI.version)")
        XCTAssertLessThanOrEqual(Int(moteInterpreterSize()), MoteCABI.handleSize)
        XCTAssertEqual(Int(moteInterpreterSize()), MoteCABI.interpreterOffset + MemoryLayout<Interpreter>.size)

        // Every status code of the header has its own name, and the header's codes are the Kind raw values.
        let header = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("include/mote_core.h"), encoding: .utf8)
        var names = Set<String>()
        for code in Int32(1)...11 {
            let kind = try XCTUnwrap(MoteError.Kind(rawValue: code))
            let name = String(cString: moteStatusString(code))
            names.insert(name)
            let macro = "MOTE_STATUS_" + name.uppercased().replacingOccurrences(of: " ", with: "_")
            XCTAssertTrue(header.contains("\(macro) = \(code),") || header.contains("\(macro) = \(code)\n"),
                          "mote_core.h should define \(macro) = \(code) (\(kind))")
        }
        XCTAssertEqual(names.count, 11)
        XCTAssertEqual(String(cString: moteStatusString(0)), "ok")
        XCTAssertEqual(String(cString: moteStatusString(12)), "unknown status")
        XCTAssertEqual(String(cString: moteStatusString(-1)), "unknown status")
    }

    /// A `mote_error` as the header lays it out.
    struct CError {
        let code: Int32, op: Int32, tensor: Int32, value: Int, message: String
        init(_ p: UnsafeRawPointer) {
            code = p.load(fromByteOffset: 0, as: Int32.self)
            op = p.load(fromByteOffset: 4, as: Int32.self)
            tensor = p.load(fromByteOffset: 8, as: Int32.self)
            value = p.load(fromByteOffset: 16, as: Int.self)
            message = String(cString: p.load(fromByteOffset: 16 + MemoryLayout<Int>.size, as: UnsafePointer<CChar>.self))
        }
    }

    func testCABIRejectsBadArgumentsAndHandlesThatAreNotReady() throws {
        let handle = UnsafeMutableRawPointer.allocate(byteCount: MoteCABI.handleSize, alignment: 16)
        defer { handle.deallocate() }
        handle.initializeMemory(as: UInt8.self, repeating: 0, count: MoteCABI.handleSize)
        let err = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 16)
        defer { err.deallocate() }
        let invalid = MoteError.Kind.invalidArgument.rawValue

        // A zeroed handle is not ready: everything refuses, nothing crashes.
        XCTAssertEqual(moteInvoke(handle), invalid)
        XCTAssertEqual(moteInputCount(handle), 0)
        XCTAssertEqual(moteOutputCount(handle), 0)
        XCTAssertEqual(moteArenaRequired(handle), 0)
        var data: UnsafeMutableRawPointer? = handle
        var bytes: UInt = 99
        XCTAssertEqual(moteInput(handle, 0, &data, &bytes), invalid)
        XCTAssertNil(data)
        XCTAssertEqual(bytes, 0)
        XCTAssertEqual(moteSetInput(handle, 0, nil, 0, err), invalid)
        XCTAssertEqual(CError(err).code, invalid)
        XCTAssertEqual(moteInvoke(nil), invalid)

        XCTAssertEqual(moteInit(nil, 4, nil, 0, handle, err), invalid)
        XCTAssertEqual(CError(err).message, "model is NULL or its length out of range")
        XCTAssertEqual(moteInit(nil, 0, nil, 0, nil, err), invalid)
        XCTAssertEqual(moteInit(nil, 0, nil, 0, handle + 4, err), invalid)
        XCTAssertEqual(CError(err).message, "handle is misaligned")
        XCTAssertEqual(moteInit(nil, 0, nil, 0, handle, nil), MoteError.Kind.malformedModel.rawValue)

        // A truncated model fails verification with the verifier's own message; the handle stays not ready.
        let garbage: [UInt8] = [8, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33]
        let status = garbage.withUnsafeBytes { moteInit($0.baseAddress, UInt($0.count), nil, 0, handle, err) }
        let e = CError(err)
        XCTAssertEqual(status, MoteError.Kind.malformedModel.rawValue)
        XCTAssertEqual(e.code, status)
        XCTAssertFalse(e.message.isEmpty)
        XCTAssertEqual(moteInvoke(handle), invalid)
    }

    /// The host build through the C ABI on the first fixture that prepares: arena sizes, the
    /// input byte-count check, outputs equal to the Swift API's.
    func testCABIRunsAFixtureLikeTheSwiftAPI() throws {
        for dir in try Fixtures.models() {
            let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let input = try Fixtures.bytes(dir.appendingPathComponent("inputs/000.bin"))
            guard let swiftOutput = try? FixtureConformanceTests.withInterpreter(model, memoryPolicy: .compact, { it -> [UInt8] in
                try input.withUnsafeBytes { try it.setInput(0, $0) }
                it.invoke()
                return [UInt8](it.output(0))
            }) else { continue }

            let handle = UnsafeMutableRawPointer.allocate(byteCount: MoteCABI.handleSize, alignment: 16)
            defer { handle.deallocate() }
            let err = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 16)
            defer { err.deallocate() }
            model.withUnsafeBytes { m in
                let name = dir.lastPathComponent
                XCTAssertEqual(moteInit(m.baseAddress, UInt(m.count), nil, 0, handle, err), MoteError.Kind.arenaTooSmall.rawValue, name)
                var size = CError(err).value
                XCTAssertGreaterThan(size, 0, name)
                var arena = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
                defer { arena.deallocate() }
                var status = moteInit(m.baseAddress, UInt(m.count), arena.baseAddress, UInt(arena.count), handle, err)
                if status == MoteError.Kind.arenaTooSmall.rawValue {
                    // The first answer did not know the scratch requests; the second is exact.
                    XCTAssertGreaterThan(CError(err).value, size, name)
                    size = CError(err).value
                    arena.deallocate()
                    arena = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
                    status = moteInit(m.baseAddress, UInt(m.count), arena.baseAddress, UInt(arena.count), handle, err)
                }
                XCTAssertEqual(status, 0, "\(name): \(CError(err).message)")
                XCTAssertEqual(CError(err).message, "ok")
                let required = Int(moteArenaRequired(handle))
                XCTAssertLessThanOrEqual(required, size, name)
                XCTAssertEqual(required, Int(moteArenaPlanned(handle) + moteArenaPersistent(handle)), "\(name): a 16-aligned arena skips nothing")

                var bytes: UInt = 0
                XCTAssertEqual(moteInput(handle, 0, nil, &bytes), 0)
                XCTAssertEqual(Int(bytes), input.count, name)
                XCTAssertEqual(moteInput(handle, moteInputCount(handle), nil, &bytes), MoteError.Kind.invalidArgument.rawValue)
                input.withUnsafeBytes { i in
                    XCTAssertEqual(moteSetInput(handle, 0, i.baseAddress, UInt(i.count - 1), err), MoteError.Kind.invalidArgument.rawValue)
                    XCTAssertEqual(CError(err).value, input.count, "the error should carry the expected byte count")
                    XCTAssertEqual(moteSetInput(handle, 0, i.baseAddress, UInt(i.count), err), 0)
                }
                XCTAssertEqual(moteInvoke(handle), 0)
                var out: UnsafeRawPointer?
                XCTAssertEqual(moteOutput(handle, 0, &out, &bytes), 0)
                let got = [UInt8](UnsafeRawBufferPointer(start: out, count: Int(bytes)))
                XCTAssertEqual(got, swiftOutput, "\(name): C ABI output differs from Interpreter.output")
            }
            return
        }
        throw XCTSkip("no fixture model prepares on the host yet (kernels missing): the C ABI run was not exercised")
    }

    // MARK: (b) the embedded build against the fixtures

    /// One fixture run through the embedded runner: all samples in one process, arena sized by
    /// the core (ARENA_BYTES 0: the runner retries with the sizes the core names).
    struct FixtureRun {
        let name: String
        let dir: URL
        let samples: [String]
        let outputs: URL
        let outcome: Outcome
        /// (required, planned, persistent) from the runner's arena line.
        var arena: (Int, Int, Int)? {
            let f = outcome.stdout.split(separator: "\n").first { $0.hasPrefix("arena required ") }?.split(separator: " ") ?? []
            guard f.count == 7, let r = Int(f[2]), let p = Int(f[4]), let s = Int(f[6]) else { return nil }
            return (r, p, s)
        }
        func output(_ sample: String) -> URL { outputs.appendingPathComponent(sample) }
    }

    static var fixtureRunsCache: [FixtureRun]?
    static let fixtureRunsLock = NSLock()

    func fixtureRuns() throws -> [FixtureRun] {
        let runner = try requireRunner()
        let models = try Fixtures.models()
        Self.fixtureRunsLock.lock()
        defer { Self.fixtureRunsLock.unlock() }
        if let cached = Self.fixtureRunsCache { return cached }
        var runs: [FixtureRun] = []
        for dir in models {
            let name = dir.lastPathComponent
            let samples = try Fixtures.samples(dir)
            let outputs = Self.workDir.appendingPathComponent("out-\(name)")
            try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
            var args = [dir.appendingPathComponent("model_int8.tflite").path, "0"]
            for s in samples { args += [dir.appendingPathComponent("inputs/\(s)").path, outputs.appendingPathComponent(s).path] }
            runs.append(FixtureRun(name: name, dir: dir, samples: samples, outputs: outputs, outcome: Self.run(runner.path, args, timeout: 300)))
        }
        Self.fixtureRunsCache = runs
        return runs
    }

    func testEmbeddedRunnerReproducesReferenceOutputsOfEveryFixture() throws {
        let runner = try requireRunner()
        var report: [String] = []
        var failures = 0
        for run in try fixtureRuns() {
            guard run.outcome.succeeded else {
                failures += 1
                report.append("\(run.name): runner exit \(run.outcome.status): \(run.outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
                continue
            }
            var matched = 0
            for sample in run.samples {
                let expected = try Fixtures.bytes(run.dir.appendingPathComponent("expected_ref/\(sample)"))
                let got = (try? Fixtures.bytes(run.output(sample))) ?? []
                if got == expected { matched += 1; continue }
                failures += 1
                let diff = zip(got, expected).filter { $0 != $1 }.count
                report.append("\(run.name) sample \(sample): embedded output differs from expected_ref in \(diff) of \(expected.count) bytes (got \(got.count) bytes)")
            }
            guard let (required, _, _) = run.arena else {
                failures += 1
                report.append("\(run.name): no arena line in the runner's output: \(run.outcome.stdout)")
                continue
            }
            // The reported size is exact: it suffices (same output), one byte less does not.
            guard let sample = run.samples.first else { continue }
            let model = run.dir.appendingPathComponent("model_int8.tflite").path, input = run.dir.appendingPathComponent("inputs/\(sample)").path
            let exactOut = run.outputs.appendingPathComponent("exact-\(sample)")
            let exact = Self.run(runner.path, [model, String(required), input, exactOut.path], timeout: 120)
            if !exact.succeeded || (try? Fixtures.bytes(exactOut)) != (try? Fixtures.bytes(run.output(sample))) {
                failures += 1
                report.append("\(run.name): with exactly the reported \(required) arena bytes: exit \(exact.status) \(exact.stderr)")
            }
            let short = Self.run(runner.path, [model, String(required - 1), input, exactOut.path], timeout: 120)
            if short.status != MoteError.Kind.arenaTooSmall.rawValue || !short.stderr.contains("value \(required))") {
                failures += 1
                report.append("\(run.name): with \(required - 1) arena bytes expected exit 10 naming \(required) bytes, got exit \(short.status): \(short.stderr)")
            }
            report.append("\(run.name): \(matched)/\(run.samples.count) embedded outputs byte-exact, arena \(required) bytes")
        }
        print(report.joined(separator: "\n"))
        XCTAssertEqual(failures, 0, report.joined(separator: "\n"))
    }

    /// The embedded x86_64 build and the host build are the same program: same prepare error
    /// (status, message, operator, tensor, value) or same arena usage, and identical output
    /// bytes for every sample. This holds whether or not the kernels are right yet.
    func testEmbeddedBuildAgreesWithHostBuild() throws {
        var report: [String] = []
        var failures = 0
        for run in try fixtureRuns() {
            let model = try Fixtures.bytes(run.dir.appendingPathComponent("model_int8.tflite"))
            let host = Self.hostRun(model, run)
            switch host {
            case .failure(let e):
                let detail = "\(e.message) (op \(e.operatorIndex), tensor \(e.tensorIndex), value \(e.value))"
                if run.outcome.status != e.kind.rawValue || !run.outcome.stderr.contains(detail) {
                    failures += 1
                    report.append("\(run.name): host prepare fails with \(e.kind) \(detail); the embedded runner exits \(run.outcome.status): \(run.outcome.stderr)")
                } else {
                    report.append("\(run.name): both fail at prepare: \(e.kind) \(detail)")
                }
            case .success(let (usage, outputs)):
                guard run.outcome.succeeded, let (required, planned, persistent) = run.arena else {
                    failures += 1
                    report.append("\(run.name): host prepares, the embedded runner exits \(run.outcome.status): \(run.outcome.stderr)")
                    continue
                }
                if (required, planned, persistent) != (usage.required, usage.planned, usage.persistent) {
                    failures += 1
                    report.append("\(run.name): arena (required, planned, persistent) embedded \((required, planned, persistent)), host \((usage.required, usage.planned, usage.persistent))")
                }
                var same = 0
                for (sample, hostOut) in zip(run.samples, outputs) {
                    if (try? Fixtures.bytes(run.output(sample))) == hostOut { same += 1 } else {
                        failures += 1
                        report.append("\(run.name) sample \(sample): embedded output differs from the host build's")
                    }
                }
                report.append("\(run.name): \(same)/\(run.samples.count) outputs identical to the host build")
            }
        }
        print(report.joined(separator: "\n"))
        XCTAssertEqual(failures, 0, report.joined(separator: "\n"))
    }

    /// The host interpreter on every sample of a fixture, in an arena sized as the runner sizes it.
    static func hostRun(_ model: [UInt8], _ run: FixtureRun) -> Result<(Interpreter.ArenaUsage, [[UInt8]]), MoteError> {
        let inputs = run.samples.map { (try? Fixtures.bytes(run.dir.appendingPathComponent("inputs/\($0)"))) ?? [] }
        return model.withUnsafeBytes { bytes in
            Result { () throws(MoteError) -> (Interpreter.ArenaUsage, [[UInt8]]) in try hostRun(bytes, inputs) }
        }
    }

    static func hostRun(_ model: UnsafeRawBufferPointer, _ inputs: [[UInt8]]) throws(MoteError) -> (Interpreter.ArenaUsage, [[UInt8]]) {
        // Sized as the runner sizes it: start from nothing, retry with each size the core names.
        var arena = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        defer { arena.deallocate() }
        var round = 0
        let it: Interpreter
        while true {
            do {
                it = try Interpreter(model: model, arena: arena, memoryPolicy: .compact)  // the C ABI's policy
                break
            } catch {
                guard error.kind == .arenaTooSmall, error.value > arena.count, round < 4 else { throw error }
                arena.deallocate()
                arena = UnsafeMutableRawBufferPointer.allocate(byteCount: error.value, alignment: 16)
                round += 1
            }
        }
        var outputs: [[UInt8]] = []
        for input in inputs {
            var failure: MoteError?
            input.withUnsafeBytes { b in
                do { try it.setInput(0, b) } catch let e as MoteError { failure = e } catch {}
            }
            if let failure { throw failure }
            it.invoke()
            outputs.append([UInt8](it.output(0)))
        }
        return (it.usage, outputs)
    }
}
