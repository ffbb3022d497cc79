import Foundation
import XCTest
@testable import MoteCore

/// Every fixture model, every saved input: the interpreter's output equals the TFLite
/// reference kernels' output byte for byte; for sample 000 every intermediate tensor equals
/// the saved one, and a failure names the first operator that differs.
final class FixtureConformanceTests: XCTestCase {
    /// Runs `body` with an interpreter over `model` in a fresh 8 MiB arena.
    static func withInterpreter<R>(_ model: [UInt8], arenaBytes: Int = 8 << 20, memoryPolicy: Interpreter.MemoryPolicy = .fast,
                                   _ body: (Interpreter) throws -> R) throws -> R {
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: arenaBytes, alignment: 16)
        defer { arena.deallocate() }
        return try model.withUnsafeBytes { bytes in
            let interpreter: Interpreter
            do { interpreter = try Interpreter(model: bytes, arena: arena, memoryPolicy: memoryPolicy) } catch {
                throw FixtureError.prepare(describe(error as! MoteError))
            }
            return try body(interpreter)
        }
    }

    enum FixtureError: Error, CustomStringConvertible {
        case prepare(String)
        var description: String { switch self { case .prepare(let s): return "prepare failed: \(s)" } }
    }

    static func describe(_ e: MoteError) -> String {
        "\(e.kind) \"\(e.message)\" op \(e.operatorIndex) tensor \(e.tensorIndex) value \(e.value)"
    }

    /// Both memory policies: the compact (reference-form) kernels and the fast ones.
    static let policies: [(String, Interpreter.MemoryPolicy)] = [("compact", .compact), ("fast", .fast)]

    /// Runs `body` for every fixture model under both memory policies with a prepared
    /// interpreter; `body` appends report lines and returns its failure count. A model that
    /// fails to prepare counts as one failure. Asserts no failures, naming them all.
    func forEveryFixture(_ body: (_ dir: URL, _ name: String, _ it: Interpreter, _ report: inout [String]) throws -> Int) throws {
        var report: [String] = []
        var failures = 0
        for dir in try Fixtures.models() {
            for (policyName, policy) in Self.policies {
                let name = "\(dir.lastPathComponent) [\(policyName)]"
                let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
                do {
                    failures += try Self.withInterpreter(model, memoryPolicy: policy) { try body(dir, name, $0, &report) }
                } catch {
                    failures += 1
                    report.append("\(name): \(error)")
                }
            }
        }
        print(report.joined(separator: "\n"))
        XCTAssertEqual(failures, 0, report.joined(separator: "\n"))
    }

    func testEveryFixtureOutputMatchesReferenceKernels() throws {
        try forEveryFixture { dir, name, it, report in
            var matched = 0, failures = 0
            let samples = try Fixtures.samples(dir)
            for sample in samples {
                let input = try Fixtures.bytes(dir.appendingPathComponent("inputs/\(sample)"))
                let expected = try Fixtures.bytes(dir.appendingPathComponent("expected_ref/\(sample)"))
                try input.withUnsafeBytes { try it.setInput(0, $0) }
                it.invoke()
                let out = [UInt8](it.output(0))
                if out == expected { matched += 1 } else {
                    failures += 1
                    let diff = zip(out, expected).filter { $0 != $1 }.count
                    report.append("\(name) sample \(sample): output differs in \(diff) of \(expected.count) bytes (got \(out.count) bytes)")
                }
            }
            report.append("\(name): \(matched)/\(samples.count) outputs byte-exact")
            return failures
        }
    }

    func testEveryIntermediateOfSample000MatchesReference() throws {
        try forEveryFixture { dir, name, it, report in
            let meta = try Fixtures.json(dir.appendingPathComponent("meta.json"))
            let opNames = (meta["ops"] as! [[String: Any]]).map { $0["op_name"] as! String }
            let index = try Fixtures.json(dir.appendingPathComponent("intermediates_000/index.json"))
            var files: [Int: String] = [:]
            for t in index["tensors"] as! [[String: Any]] { files[t["tensor_index"] as! Int] = t["file"] as? String }
            let input = try Fixtures.bytes(dir.appendingPathComponent("inputs/000.bin"))
            try input.withUnsafeBytes { try it.setInput(0, $0) }
            var firstBad: String?
            var checked = 0
            it.invoke { op in
                guard firstBad == nil else { return }
                let outs = it.outputTensors(ofOperator: op)
                for k in 0..<outs.count {
                    let t = Int(outs.i32(k))
                    guard let file = files[t] else { continue }
                    let expected = try! Fixtures.bytes(dir.appendingPathComponent("intermediates_000/\(file)"))
                    let got = [UInt8](it.tensorBytes(t))
                    checked += 1
                    if got != expected {
                        let n = zip(got, expected).filter { $0 != $1 }.count
                        let maxDiff = zip(got, expected).map { abs(Int(Int8(bitPattern: $0)) - Int(Int8(bitPattern: $1))) }.max() ?? 0
                        firstBad = "op \(op) \(opNames[op]) output tensor \(t): \(n) of \(expected.count) bytes differ (max |diff| \(maxDiff) as int8; got \(got.count) bytes)"
                    }
                }
            }
            if let bad = firstBad {
                report.append("\(name): first differing operator: \(bad)")
                return 1
            }
            report.append("\(name): all \(checked) intermediate tensors equal")
            return 0
        }
    }
}
