import Foundation
import XCTest
@testable import MoteCore
import MoteCoreDSP

/// Hostile models: every fixture model, broken in many ways (truncated, random bytes, offsets,
/// vector lengths, vtables, indices, shapes, quantization, types, operator codes, options; see
/// `MutantFactory`), goes through `ModelView` and `Interpreter.init` (4 MiB arena) and, when
/// prepare accepts it, `setInput` + `invoke`. Nothing may crash: a trap or an out-of-bounds
/// access kills the test process, which is the failure signal (under AddressSanitizer, see
/// bench/fuzz.sh, any out-of-bounds read too). Where the outcome is certain (a uoffset past the
/// end must be a `.malformedModel` from the verifier) it is asserted; the counts of rejections by
/// error kind and of mutants that ran are printed.
///
/// Every mutant is prepared under both memory policies (`.compact`, the firmware's reference-form
/// kernels, and `.fast`, the default optimized ones, whose outcome is counted); they must accept
/// the same models and give the same bytes. Under `.fast` every kernel variant runs
/// (`MOTE_HOSTILE_KERNELS`, default: the portable Swift loops and every MoteCoreDSP variant this
/// CPU has), whose outputs must agree byte for byte.
///
/// Environment: `MOTE_HOSTILE_SCALE` multiplies the mutant counts (default 1), `MOTE_HOSTILE_SEED`
/// changes the seed, `MOTE_HOSTILE_INVOKE_BUDGET` caps the seconds spent in `invoke` per model
/// and category (default 0.2; prepared mutants beyond it are counted, not invoked; the
/// unmutated model always runs), `MOTE_HOSTILE_KNOWN_CRASHES=1` also runs the reproducers of
/// crashes found and not yet fixed (they kill the test process),
/// `MOTE_HOSTILE_TRACE` names the file that always holds the mutant being run (default
/// `$TMPDIR/mote-hostile-current.txt`): after a crash it names the culprit, and
/// `MOTE_HOSTILE_EXPORT=DIR` writes every mutant to `DIR/MODEL.mutants` (one per line, see
/// `Mutant.exportLine`) and its outcome to `DIR/MODEL.outcomes` (`Outcome.code`), for runners
/// outside XCTest (bench/hostile32.py runs them on a 32-bit build of the core).
final class HostileModelTests: XCTestCase {
    static let arenaBytes = 4 << 20

    static let env = ProcessInfo.processInfo.environment
    static let scale = max(Double(env["MOTE_HOSTILE_SCALE"] ?? "") ?? 1, 0.01)
    static let seed = UInt64(env["MOTE_HOSTILE_SEED"] ?? "") ?? 0x4D6F_7465
    static let invokeBudget = Double(env["MOTE_HOSTILE_INVOKE_BUDGET"] ?? "") ?? 0.2

    /// Mutants per model and category at scale 1 (a seeded sample when a category has more).
    static let caps: [Mutant.Category: Int] = [
        .truncation: 48, .byteFlip: 50, .uoffset: 100, .soffset: 60, .vectorLength: 100, .vtable: 100,
        .index: 100, .shape: 100, .quantization: 100, .type: 50, .opcode: 100, .options: 100,
    ]

    /// Crashes these tests found, reported and not fixed yet: mutants that match are skipped
    /// (and counted) unless `MOTE_HOSTILE_KNOWN_CRASHES=1`, so that one open bug does not stop
    /// the rest of the suite. Remove an entry once its fix lands.
    ///
    /// History: "CONV_2D prepare divides by zero when its input has 0 channels" (a shape mutant
    /// `Tensor[i].shape[3] = 0` on a CONV_2D input), fixed in 96aaf22.
    static let knownCrashes: [(what: String, matches: (Mutant, ModelMap) -> Bool)] = []

    /// The known crash that `m` would hit, if any (nil when MOTE_HOSTILE_KNOWN_CRASHES=1).
    static func knownCrash(_ m: Mutant, _ map: ModelMap) -> String? {
        guard env["MOTE_HOSTILE_KNOWN_CRASHES"] != "1" else { return nil }
        return knownCrashes.first { $0.matches(m, map) }?.what
    }

    /// Both memory policies: the firmware's and the default.
    static let policies: [Interpreter.MemoryPolicy] = [.compact, .fast]

    /// The unmutated models' outcomes, per model and arena size (computed once).
    nonisolated(unsafe) static var baselines: [String: Outcome] = [:]

    static func cap(_ c: Mutant.Category) -> Int { max(1, Int((Double(caps[c]!) * scale).rounded())) }

    // MARK: categories

    func testTruncatedModels() throws {
        try runCategory(.truncation) { m, outcome, model in
            let n = m.truncateTo!
            if n < model.factory.map.extent {
                XCTAssertEqual(outcome, .verifier(.malformedModel), "\(model.name) \(m.label): a cut inside the verified structure (ends at \(model.factory.map.extent)) must be malformedModel")
            } else {
                XCTAssertEqual(outcome.stage, model.baseline.stage, "\(model.name) \(m.label): only unverified trailing bytes were cut, so the outcome must not change")
            }
        }
    }

    func testRandomByteFlips() throws { try runCategory(.byteFlip) }

    func testUoffsetsOutOfRange() throws {
        try runCategory(.uoffset) { m, outcome, model in
            if !(m.label.hasSuffix("= 0 (self)") || m.label.hasSuffix("= 1")) {
                XCTAssertEqual(outcome, .verifier(.malformedModel), "\(model.name) \(m.label): a uoffset out of the buffer must be malformedModel")
            }
        }
    }

    func testSoffsetsOutOfRange() throws {
        try runCategory(.soffset) { m, outcome, model in
            if !(m.label.hasSuffix("= 0 (vtable = table)") || m.label.hasSuffix("= -1")) {
                XCTAssertEqual(outcome, .verifier(.malformedModel), "\(model.name) \(m.label): a vtable out of the buffer must be malformedModel")
            }
        }
    }

    func testVectorLengthsOutOfRange() throws {
        try runCategory(.vectorLength) { m, outcome, model in
            if ["0xffffffff", "0x7fffffff", "0x40000000", "past end"].contains(where: { m.label.contains("= \($0) (was") }) {
                XCTAssertEqual(outcome, .verifier(.malformedModel), "\(model.name) \(m.label): a vector past the buffer's end must be malformedModel")
            }
        }
    }

    func testCorruptVtables() throws { try runCategory(.vtable) }

    func testIndicesOutOfRange() throws {
        try runCategory(.index) { m, outcome, model in
            // Tensor.buffer and metadata indices are only checked where they are used.
            guard m.label.contains(".inputs[") || m.label.contains(".outputs[") || m.label.contains("opcode_index") else { return }
            // -1 marks an omitted optional operator input; everywhere else it is out of range.
            let omittedInput = m.label.hasPrefix("Operator[") && m.label.contains(".inputs[")
            let outOfRange = ["= count", "= count+1", "= -2", "= Int32.max", "= Int32.min"].contains { m.label.hasSuffix($0) }
                || (m.label.hasSuffix("= -1") && !omittedInput)
            if outOfRange {
                XCTAssertNotEqual(outcome.stage, Outcome.Stage.prepared, "\(model.name) \(m.label): an index out of range must be rejected")
            }
        }
    }

    func testHostileShapes() throws { try runCategory(.shape) }

    func testHostileQuantization() throws {
        var accepted: [String] = []
        try runCategory(.quantization) { m, outcome, model in
            let bad = ["= 0", "= -0", "= NaN", "= -1", "= inf"].contains { m.label.hasSuffix($0) } && m.label.contains(".scale[")
            if bad, outcome.stage == .prepared { accepted.append("\(model.name) \(m.label)") }
        }
        if !accepted.isEmpty {
            print("HostileModel quantization: \(accepted.count) models with a zero, negative or non-finite scale were accepted (scale unused by its operators?): " +
                  accepted.prefix(12).joined(separator: "; "))
        }
    }

    func testHostileTensorTypes() throws { try runCategory(.type) }

    func testHostileOperatorCodes() throws { try runCategory(.opcode) }

    func testHostileOptions() throws { try runCategory(.options) }

    /// The error path taken when the arena cannot even hold the persistent part (it sizes the
    /// activations of every tensor, validated or not): hostile shapes, indices, lengths and
    /// types with a 64-byte arena and with no arena at all; nothing may prepare.
    func testHostileModelsWithTinyArenas() throws {
        for arenaBytes in [64, 0] {
            for category in [Mutant.Category.shape, .vectorLength, .index, .type] {
                try runCategory(category, arenaBytes: arenaBytes, capScale: 0.25) { m, outcome, model in
                    XCTAssertNotEqual(outcome.stage, Outcome.Stage.prepared, "\(model.name) \(m.label): prepared in a \(arenaBytes)-byte arena")
                    if case .prepare(let kind) = outcome {
                        XCTAssertTrue([.arenaTooSmall, .malformedModel, .unsupportedOperator, .indexOutOfRange, .overflow, .typeMismatch,
                                       .shapeMismatch, .invalidBuffer].contains(kind), "\(model.name) \(m.label): \(kind)")
                    }
                }
            }
        }
    }

    /// Shapes whose byte counts overflow, with no operator left (so that prepare reaches the
    /// arena-size check at once) and an arena too small for the persistent part: the error
    /// must report a byte count without overflowing (`Interpreter.activationBytes` once trapped
    /// here: two rank-2 tensors of 2^31-1 x 2^31-1 overflowed its sum).
    func testArenaErrorWithOverflowingShapes() throws {
        var report = Tally()
        for dir in try Fixtures.models() {
            let bytes = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let factory = MutantFactory(bytes, seed: Self.seed)
            guard let ops = factory.map.vectors.first(where: { $0.label == "SubGraph[0].operators length" }) else {
                XCTFail("\(dir.lastPathComponent): no operators vector found"); continue
            }
            let runner = MutantRunner(name: dir.lastPathComponent, model: bytes, sample: nil, arenaBytes: 64, invokeBudget: 0)
            for v in [Int32.max, 0x4000_0000, 1 << 16] {
                var writes: [(offset: Int, bytes: [UInt8])] = [(ops.lengthPosition, LE.u32(0))]
                for t in factory.map.shapes { for d in t.dims { writes.append((d, LE.i32(v))) } }
                let m = Mutant(category: .shape, label: "no operators, every shape dimension = \(v), 64-byte arena", writes: writes)
                let outcome = runner.run(m)
                report.add(.shape, outcome)
                XCTAssertNotEqual(outcome.stage, Outcome.Stage.prepared, m.label)
            }
        }
        print("HostileModel overflowing shapes, tiny arena: \(report.line(.shape))")
    }

    // MARK: unmutated models and arena sizes

    func testUnmutatedFixturesPrepareAndRun() throws {
        var failures: [String] = []
        for dir in try Fixtures.models() {
            let bytes = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let expected = try Fixtures.bytes(dir.appendingPathComponent("expected_ref/000.bin"))
            do {
                let out = try Self.run(bytes, arenaBytes: Self.arenaBytes, input: Fixtures.bytes(dir.appendingPathComponent("inputs/000.bin")))
                if out.count != expected.count { failures.append("\(dir.lastPathComponent): output has \(out.count) bytes, expected \(expected.count)") }
            } catch let e as MoteError {
                failures.append("\(dir.lastPathComponent): \(FixtureConformanceTests.describe(e))")
            }
        }
        XCTAssertEqual(failures, [], "unmutated fixtures must prepare and run in a 4 MiB arena")
    }

    /// `required - 1` bytes: `.arenaTooSmall` whose value is exactly `usage.required`; exactly
    /// `required` bytes (allocated to the byte, so AddressSanitizer sees any write past it):
    /// runs and gives the same output as a large arena; a misaligned arena needs the skew more.
    func testArenaOfRequiredBytesMinusOneIsTooSmall() throws {
        var failures: [String] = []
        for policy in Self.policies {
            for dir in try Fixtures.models() {
                let name = "\(dir.lastPathComponent) (\(policy))"
                let bytes = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
                let input = try Fixtures.bytes(dir.appendingPathComponent("inputs/000.bin"))
                let usage: Interpreter.ArenaUsage, reference: [UInt8]
                do {
                    (usage, reference) = try Self.usageAndOutput(bytes, arenaBytes: Self.arenaBytes, input: input, policy: policy)
                } catch let e as MoteError { failures.append("\(name): \(FixtureConformanceTests.describe(e))"); continue }
                XCTAssertEqual(usage.required, usage.planned + usage.persistent, "\(name): a 16-aligned arena has no skew")
                // The bound counts every operator output apart: only in place goes below it.
                XCTAssertGreaterThanOrEqual(usage.planned + usage.inPlaceSaving, usage.lowerBound, name)
                do {
                    _ = try Self.run(bytes, arenaBytes: usage.required - 1, input: input, policy: policy)
                    failures.append("\(name): prepared in required - 1 = \(usage.required - 1) bytes")
                } catch let e as MoteError {
                    XCTAssertEqual(e.kind, .arenaTooSmall, "\(name): \(FixtureConformanceTests.describe(e))")
                    XCTAssertEqual(e.value, usage.required, "\(name): arenaTooSmall must report usage.required")
                }
                do {
                    let out = try Self.run(bytes, arenaBytes: usage.required, input: input, policy: policy)
                    XCTAssertEqual(out, reference, "\(name): an arena of exactly required bytes gives another output")
                } catch let e as MoteError { failures.append("\(name): exact arena of \(usage.required) bytes: \(FixtureConformanceTests.describe(e))") }
                do {
                    let out = try Self.run(bytes, arenaBytes: usage.required + 15, misalignBy: 1, input: input, policy: policy)
                    XCTAssertEqual(out, reference, "\(name): a misaligned arena gives another output")
                } catch let e as MoteError { failures.append("\(name): misaligned arena of \(usage.required + 15) bytes: \(FixtureConformanceTests.describe(e))") }
            }
        }
        XCTAssertEqual(failures, [])
    }

    /// A 64-byte arena (and no arena at all): `.arenaTooSmall`. The arena cannot hold even the
    /// persistent part, so `value` is an estimate (scratch needs are unknown before prepare);
    /// as `Interpreter` documents, a second attempt with it either succeeds or reports the exact
    /// `usage.required`, which then succeeds. At most two retries.
    func testTinyArenaReportsBytesThatSuffice() throws {
        var failures: [String] = []
        for policy in Self.policies {
            for dir in try Fixtures.models() {
                let name = "\(dir.lastPathComponent) (\(policy))"
                let bytes = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
                let input = try Fixtures.bytes(dir.appendingPathComponent("inputs/000.bin"))
                let usage: Interpreter.ArenaUsage
                do { usage = try Self.usageAndOutput(bytes, arenaBytes: Self.arenaBytes, input: input, policy: policy).0 } catch let e as MoteError {
                    failures.append("\(name): \(FixtureConformanceTests.describe(e))"); continue
                }
                for tiny in [64, 0] {
                    var size = tiny, attempts: [String] = []
                    for attempt in 0...2 {
                        do {
                            _ = try Self.run(bytes, arenaBytes: size, input: input, policy: policy)
                            if attempt == 0 { failures.append("\(name): prepared in \(tiny) bytes") }
                            break
                        } catch let e as MoteError {
                            attempts.append("\(size) bytes: \(FixtureConformanceTests.describe(e))")
                            guard e.kind == .arenaTooSmall, attempt < 2 else {
                                failures.append("\(name), from \(tiny) bytes: " + attempts.joined(separator: "; then ")); break
                            }
                            if attempt == 1 {
                                XCTAssertEqual(e.value, usage.required, "\(name): the second arenaTooSmall must give the exact size")
                            }
                            XCTAssertGreaterThan(e.value, size, "\(name): arenaTooSmall must ask for more than it was given")
                            size = e.value
                        }
                    }
                }
            }
        }
        XCTAssertEqual(failures, [])
    }

    func testWrongInputSizeIsInvalidArgument() throws {
        var failures: [String] = []
        for dir in try Fixtures.models() {
            let name = dir.lastPathComponent
            let bytes = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            bytes.withUnsafeBytes { model in
                let it: Interpreter
                do { it = try Interpreter(model: model, arena: arena) } catch {
                    failures.append("\(name): \(Self.describe(error))"); return
                }
                let n = it.input(0).count
                XCTAssertGreaterThan(n, 0, name)
                for (index, count) in [(0, n - 1), (0, n + 1), (0, 0), (-1, n), (it.inputCount, n)] {
                    let data = [UInt8](repeating: 7, count: count)
                    do {
                        try data.withUnsafeBytes { try it.setInput(index, $0) }
                        failures.append("\(name): setInput(\(index), \(count) bytes) accepted (input has \(n))")
                    } catch {
                        XCTAssertEqual((error as? MoteError)?.kind, .invalidArgument, "\(name): setInput(\(index), \(count) bytes)")
                    }
                }
                XCTAssertEqual(it.input(-1).count, 0, name)
                XCTAssertEqual(it.output(it.outputCount).count, 0, name)
            }
        }
        XCTAssertEqual(failures, [])
    }

    // MARK: running

    static func append(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
        let h = try FileHandle(forWritingTo: url)
        defer { try? h.close() }
        h.seekToEndOfFile()
        h.write(text.data(using: .utf8)!)
    }

    static func describe(_ error: Error) -> String {
        (error as? MoteError).map(FixtureConformanceTests.describe) ?? "\(error)"
    }

    /// The model that a mutant came from, for the checks of `runCategory`.
    struct ModelContext {
        let name: String
        let factory: MutantFactory
        /// The unmutated model's outcome.
        let baseline: Outcome
    }

    /// Runs one category over every fixture; `check` sees each mutant and its outcome.
    func runCategory(_ category: Mutant.Category, arenaBytes: Int = HostileModelTests.arenaBytes, capScale: Double = 1,
                     check: ((Mutant, Outcome, ModelContext) -> Void)? = nil) throws {
        var tally = Tally()
        var lines: [String] = []
        var skippedKnown: [String: Int] = [:]
        let start = Date()
        for dir in try Fixtures.models() {
            let name = dir.lastPathComponent
            let bytes = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let sample = try? Fixtures.bytes(dir.appendingPathComponent("inputs/000.bin"))
            let factory = MutantFactory(bytes, seed: Self.seed)
            let runner = MutantRunner(name: name, model: bytes, sample: sample, arenaBytes: arenaBytes, invokeBudget: Self.invokeBudget)
            let modelStart = Date()
            let key = "\(name) \(arenaBytes)"
            let baseline = Self.baselines[key] ?? runner.run(Mutant(category: category, label: "unmutated"), invoke: .always)
            Self.baselines[key] = baseline
            let mutants = factory.mutants(category, cap: max(1, Int(Double(Self.cap(category)) * capScale)))
            let context = ModelContext(name: name, factory: factory, baseline: baseline)
            var modelTally = Tally()
            var outcomes = [baseline]
            for m in mutants {
                if let known = Self.knownCrash(m, factory.map) {
                    skippedKnown[known, default: 0] += 1
                    outcomes.append(.skippedKnownCrash)
                    continue
                }
                let outcome = runner.run(m)
                outcomes.append(outcome)
                tally.add(category, outcome)
                modelTally.add(category, outcome)
                check?(m, outcome, context)
            }
            if let dir = Self.env["MOTE_HOSTILE_EXPORT"] {
                let folder = URL(fileURLWithPath: dir)
                let lines = ([Mutant(category: category, label: "unmutated")] + mutants).map { $0.exportLine(arenaBytes: arenaBytes) }
                try Self.append(lines.joined(), to: folder.appendingPathComponent("\(name).mutants"))
                try Self.append(outcomes.map { "\($0.code)\n" }.joined(), to: folder.appendingPathComponent("\(name).outcomes"))
            }
            XCTAssertEqual(runner.mismatches, [], "\(name): kernel variants or memory policies disagree")
            // The mutations were undone: the model must behave as before.
            XCTAssertEqual(runner.run(Mutant(category: category, label: "unmutated, after the mutants"), invoke: .never).stage, baseline.stage, name)
            if arenaBytes >= Self.arenaBytes {
                XCTAssertEqual(baseline, .ran, "\(name): the unmutated model must prepare and run (\(baseline))")
            }
            lines.append("  " + name.padding(toLength: 24, withPad: " ", startingAt: 0) + modelTally.line(category)
                         + String(format: " (%.2f s, of which invoke %.2f s)", Date().timeIntervalSince(modelStart), runner.invokeSeconds))
        }
        let arena = arenaBytes >= Self.arenaBytes ? "" : ", \(arenaBytes)-byte arena"
        print("HostileModel \(category.rawValue)\(arena): \(tally.line(category)) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s"
              + " (policies compact and fast; kernels \(MutantRunner.kernelVariants.joined(separator: ", ")))\n" + lines.joined(separator: "\n"))
        for (what, n) in skippedKnown.sorted(by: { $0.key < $1.key }) {
            print("HostileModel \(category.rawValue)\(arena): SKIPPED \(n) mutants that hit a known crash: \(what) (MOTE_HOSTILE_KNOWN_CRASHES=1 runs them)")
        }
    }

    /// Prepares `model` in an arena of `arenaBytes` (its start offset by `misalignBy` from a
    /// 16-byte boundary), runs `input`, returns output 0.
    static func run(_ model: [UInt8], arenaBytes: Int, misalignBy: Int = 0, input: [UInt8],
                    policy: Interpreter.MemoryPolicy = .fast) throws -> [UInt8] {
        try usageAndOutput(model, arenaBytes: arenaBytes, misalignBy: misalignBy, input: input, policy: policy).1
    }

    static func usageAndOutput(_ model: [UInt8], arenaBytes: Int, misalignBy: Int = 0, input: [UInt8],
                               policy: Interpreter.MemoryPolicy = .fast) throws -> (Interpreter.ArenaUsage, [UInt8]) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(arenaBytes + misalignBy, 1), alignment: 16)
        defer { storage.deallocate() }
        let arena = arenaBytes == 0 ? UnsafeMutableRawBufferPointer(start: nil, count: 0)
            : UnsafeMutableRawBufferPointer(rebasing: storage[misalignBy..<(misalignBy + arenaBytes)])
        return try model.withUnsafeBytes { bytes in
            let it = try Interpreter(model: bytes, arena: arena, memoryPolicy: policy)
            try input.withUnsafeBytes { try it.setInput(0, $0) }
            it.invoke()
            return (it.usage, [UInt8](it.output(0)))
        }
    }
}

/// What happened to one mutant.
enum Outcome: Hashable, CustomStringConvertible {
    /// `ModelView` (the verifier) rejected it.
    case verifier(MoteError.Kind)
    /// `Interpreter.init` rejected it.
    case prepare(MoteError.Kind)
    /// Prepared, inputs set, invoked.
    case ran
    /// Prepared, not invoked (the invoke time budget was spent).
    case preparedNotInvoked
    /// Not run: it matches a known crash (`HostileModelTests.knownCrashes`).
    case skippedKnownCrash

    /// The outcome as a number: 0 prepared, 100 + kind rejected by the verifier, 200 + kind by
    /// prepare (what bench/hostile32's runner prints).
    var code: Int32 {
        switch self {
        case .verifier(let k): return 100 + k.rawValue
        case .prepare(let k): return 200 + k.rawValue
        case .ran, .preparedNotInvoked: return 0
        case .skippedKnownCrash: return -1
        }
    }

    enum Stage { case verifier, prepare, prepared, skipped }
    var stage: Stage {
        switch self {
        case .verifier: return .verifier
        case .prepare: return .prepare
        case .ran, .preparedNotInvoked: return .prepared
        case .skippedKnownCrash: return .skipped
        }
    }

    var description: String {
        switch self {
        case .verifier(let k): return "verifier: \(k)"
        case .prepare(let k): return "prepare: \(k)"
        case .ran: return "ran"
        case .preparedNotInvoked: return "prepared, not invoked"
        case .skippedKnownCrash: return "skipped (known crash)"
        }
    }
}

/// Outcome counts per category.
struct Tally {
    var counts: [Mutant.Category: [Outcome: Int]] = [:]
    mutating func add(_ c: Mutant.Category, _ o: Outcome) { counts[c, default: [:]][o, default: 0] += 1 }

    func line(_ c: Mutant.Category) -> String {
        let m = counts[c] ?? [:]
        let total = m.values.reduce(0, +)
        func kinds(_ stage: Outcome.Stage) -> (Int, String) {
            var byKind: [String: Int] = [:]
            for (o, n) in m where o.stage == stage {
                switch o { case .verifier(let k), .prepare(let k): byKind["\(k)", default: 0] += n; default: break }
            }
            return (byKind.values.reduce(0, +), byKind.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        let (v, vk) = kinds(.verifier), (p, pk) = kinds(.prepare)
        let ran = m[.ran] ?? 0, skipped = m[.preparedNotInvoked] ?? 0
        return "\(total) mutants: verifier rejected \(v)\(vk.isEmpty ? "" : " (\(vk))"), prepare rejected \(p)\(pk.isEmpty ? "" : " (\(pk))"), ran \(ran)"
            + (skipped > 0 ? ", prepared but not invoked (time budget) \(skipped)" : "")
    }
}

/// Runs mutants of one model: in-place writes on one exactly sized copy of the model (undone
/// after each run), truncations on a fresh allocation of exactly the truncated length, so that
/// AddressSanitizer reports any read past the model's end.
final class MutantRunner {
    let name: String
    let original: [UInt8]
    let work: UnsafeMutableRawBufferPointer
    let arena: UnsafeMutableRawBufferPointer
    let arenaStorage: UnsafeMutableRawBufferPointer?
    let sample: [UInt8]?
    let invokeBudget: Double
    private(set) var invokeSeconds = 0.0
    /// Mutants on which kernel variants or memory policies disagree (they must not).
    private(set) var mismatches: [String] = []
    private var currentLabel = ""

    /// The kernel variants each prepared mutant runs with: `MOTE_HOSTILE_KERNELS` (comma-separated
    /// names), by default the portable Swift loops and every MoteCoreDSP variant this CPU has.
    static let kernelVariants: [String] = {
        if let list = ProcessInfo.processInfo.environment["MOTE_HOSTILE_KERNELS"] {
            return list.split(separator: ",").map(String.init).filter { $0 == "portable" || MoteCoreDSP.available.contains($0) }
        }
        return ["portable"] + MoteCoreDSP.available
    }()

    static let tracePath = ProcessInfo.processInfo.environment["MOTE_HOSTILE_TRACE"]
        ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("mote-hostile-current.txt")
    static let traceFD: Int32 = {
        let fd = open(tracePath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        FileHandle.standardError.write("HostileModel: the mutant being run is always in \(tracePath) (read it after a crash)\n".data(using: .utf8)!)
        return fd
    }()

    init(name: String, model: [UInt8], sample: [UInt8]?, arenaBytes: Int, invokeBudget: Double) {
        self.name = name
        original = model
        self.sample = sample
        self.invokeBudget = invokeBudget
        let w = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.count, 1), alignment: 16)
        model.withUnsafeBytes { w.copyMemory(from: $0) }
        work = w
        if arenaBytes > 0 {
            let a = UnsafeMutableRawBufferPointer.allocate(byteCount: arenaBytes, alignment: 16)
            a.initializeMemory(as: UInt8.self, repeating: 0xA5)
            arenaStorage = a
            arena = a
        } else {
            arenaStorage = nil
            arena = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        }
    }

    deinit {
        work.deallocate()
        arenaStorage?.deallocate()
    }

    enum Invoke { case withinBudget, always, never }

    func run(_ m: Mutant, invoke: Invoke = .withinBudget) -> Outcome {
        currentLabel = "\(name) \(m.category.rawValue): \(m.label)"
        trace(currentLabel + "\n")
        if let n = m.truncateTo {
            guard n > 0 else { return evaluate(UnsafeRawBufferPointer(start: nil, count: 0), invoke) }
            let cut = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 16)
            defer { cut.deallocate() }
            cut.copyMemory(from: UnsafeRawBufferPointer(rebasing: work[0..<n]))
            return evaluate(UnsafeRawBufferPointer(cut), invoke)
        }
        var saved: [(Int, [UInt8])] = []
        for w in m.writes where w.offset >= 0 && w.offset + w.bytes.count <= original.count {
            saved.append((w.offset, Array(work[w.offset..<(w.offset + w.bytes.count)])))
            for (k, b) in w.bytes.enumerated() { work[w.offset + k] = b }
        }
        defer { for (at, old) in saved.reversed() { for (k, b) in old.enumerated() { work[at + k] = b } } }
        return evaluate(UnsafeRawBufferPointer(start: work.baseAddress, count: original.count), invoke)
    }

    /// Verifies `model`, then prepares it under both memory policies: `.compact` (reference-form
    /// kernels, the firmware's) with the portable loops, and `.fast` (optimized kernels, the
    /// default, whose outcome is returned) with every kernel variant. Both policies must accept
    /// the same models (an arena that only one of them fits aside) and give the same bytes.
    private func evaluate(_ model: UnsafeRawBufferPointer, _ invoke: Invoke) -> Outcome {
        do { _ = try ModelView(model) } catch { return .verifier(error.kind) }
        let run = invoke == .always || (invoke == .withinBudget && invokeSeconds < invokeBudget)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let compact = prepareAndRun(model, .compact, variants: ["portable"], invoke: run)
        let fast = prepareAndRun(model, .fast, variants: MutantRunner.kernelVariants, invoke: run)
        if invoke == .withinBudget && run { invokeSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        if compact.outcome.stage != fast.outcome.stage, compact.outcome != .prepare(.arenaTooSmall), fast.outcome != .prepare(.arenaTooSmall) {
            mismatches.append("\(currentLabel): compact policy \(compact.outcome), fast policy \(fast.outcome)")
        } else if let c = compact.outputs, let f = fast.outputs, c != f {
            mismatches.append("\(currentLabel): compact and fast policies give different outputs")
        }
        return fast.outcome
    }

    /// Prepares `model` with `policy` and, when `invoke`, runs it with each kernel variant (their
    /// outputs must agree); returns the outcome and the outputs. Each variant prepares its own
    /// interpreter, as prepare packs weights the way the installed kernel table reads them.
    private func prepareAndRun(_ model: UnsafeRawBufferPointer, _ policy: Interpreter.MemoryPolicy, variants: [String],
                               invoke: Bool) -> (outcome: Outcome, outputs: [[UInt8]]?) {
        var first: [[UInt8]]?
        defer { MoteCoreDSP.install(variant: "portable") }
        for variant in variants {
            MoteCoreDSP.install(variant: variant)
            let it: Interpreter
            do { it = try Interpreter(model: model, arena: arena, memoryPolicy: policy) } catch {
                if first != nil { mismatches.append("\(currentLabel): \(policy) policy, \(variant) fails to prepare (\(error.kind))") }
                return (.prepare(error.kind), nil)
            }
            guard invoke else { return (.preparedNotInvoked, nil) }
            for i in 0..<it.inputCount {
                let n = it.input(i).count
                var data = sample ?? []
                if data.count != n { data = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } }
                do { try data.withUnsafeBytes { try it.setInput(i, $0) } } catch {
                    XCTFail("\(name): setInput(\(i)) with the input's own byte count failed: \(error)")
                }
            }
            it.invoke()
            let outputs = (0..<it.outputCount).map { [UInt8](it.output($0)) }
            if let first {
                if outputs != first { mismatches.append("\(currentLabel): \(policy) policy, \(variant) output differs from \(variants[0])") }
            } else {
                first = outputs
            }
        }
        return (.ran, first)
    }

    private func trace(_ text: String) {
        let fd = MutantRunner.traceFD
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }
}
