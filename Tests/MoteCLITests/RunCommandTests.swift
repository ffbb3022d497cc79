import Foundation
import XCTest

/// `mote run` on every fixture against TFLite's reference kernels, and its error paths.
final class RunCommandTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = try MoteCLI.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Every fixture model, every saved input: the output file equals `expected_ref` byte for
    /// byte. One line per model in the failure message (the first operator that differs is
    /// named by MoteCoreTests' FixtureConformance test, which looks inside the interpreter).
    func testEveryFixtureOutputMatchesReferenceKernels() throws {
        var report: [String] = []
        var failures = 0
        for dir in try CLIFixtures.models() {
            let name = dir.lastPathComponent
            let model = dir.appendingPathComponent("model_int8.tflite").path
            var matched = 0
            var firstMismatch: String? = nil
            let samples = try CLIFixtures.samples(dir)
            for sample in samples {
                let out = scratch.appendingPathComponent("\(name)-\(sample)")
                let r = try MoteCLI.run(["run", model, "--input", dir.appendingPathComponent("inputs/\(sample)").path, "--output", out.path])
                guard r.status == 0 else {
                    // The same error for every sample: report it once.
                    firstMismatch = "exit \(r.status): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
                    break
                }
                let got = try Data(contentsOf: out)
                let expected = try Data(contentsOf: dir.appendingPathComponent("expected_ref/\(sample)"))
                if got == expected { matched += 1 } else if firstMismatch == nil {
                    let differing = zip(got, expected).filter { $0 != $1 }.count + abs(got.count - expected.count)
                    firstMismatch = "first mismatch: sample \(sample), \(differing) of \(expected.count) bytes differ (got \(got.count) bytes)"
                }
            }
            if matched < samples.count { failures += 1 }
            report.append("\(name): \(matched)/\(samples.count) outputs byte-exact" + (firstMismatch.map { "; \($0)" } ?? ""))
        }
        print(report.joined(separator: "\n"))
        XCTAssertEqual(failures, 0, "\n" + report.joined(separator: "\n"))
    }

    /// The report for people: one row per input and output, a final line naming what was written;
    /// the JSON carries the same facts. The output replaces an existing file and leaves no
    /// temporary file behind.
    func testReportsAndReplacesTheOutputAtomically() throws {
        let dir = try CLIFixtures.model("mlp_64_tanh")
        let model = dir.appendingPathComponent("model_int8.tflite").path
        let input = dir.appendingPathComponent("inputs/000.bin").path
        let out = scratch.appendingPathComponent("out.bin")
        try Data(repeating: 0xAB, count: 1000).write(to: out)

        let r = try MoteCLI.run(["run", model, "-i", input, "-o", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard r.status == 0 else { return }
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, r.stdout)
        XCTAssertTrue(lines[1].contains("input") && lines[1].contains("1x64") && lines[1].contains("64"), lines[1])
        XCTAssertTrue(lines[2].contains("output") && lines[2].contains("1x10") && lines[2].contains(out.path), lines[2])
        XCTAssertTrue(lines[3].hasPrefix("ran \(model) (5 operators) in "), lines[3])
        XCTAssertTrue(lines[3].hasSuffix("wrote \(out.path)"), lines[3])
        XCTAssertEqual(try Data(contentsOf: out), try Data(contentsOf: dir.appendingPathComponent("expected_ref/000.bin")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["out.bin"], "temporary file left behind")

        let j = try MoteCLI.run(["run", model, "-i", input, "-o", out.path, "--json"])
        XCTAssertEqual(j.status, 0, j.stderr)
        let doc = try j.json()
        XCTAssertEqual(doc["model"] as? String, model)
        XCTAssertEqual(doc["operators"] as? Int, 5)
        let outputs = try XCTUnwrap(doc["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.count, 1)
        XCTAssertEqual(outputs.first?["shape"] as? [Int], [1, 10])
        XCTAssertEqual(outputs.first?["bytes"] as? Int, 10)
        XCTAssertEqual(outputs.first?["file"] as? String, out.path)
        let inputs = try XCTUnwrap(doc["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.first?["tensor"] as? Int, 0)
        XCTAssertEqual(inputs.first?["bytes"] as? Int, 64)
        let arena = try XCTUnwrap(doc["arena"] as? [String: Int])
        XCTAssertEqual(doc["arena_bytes"] as? Int, arena["required"], "the default arena is exactly what the model needs")
        XCTAssertNotNil(doc["milliseconds"] as? Double)
    }

    func testMissingModelFile() throws {
        let missing = scratch.appendingPathComponent("no-such-model.tflite").path
        let r = try MoteCLI.run(["run", missing, "-i", "in.bin", "-o", scratch.appendingPathComponent("o.bin").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("mote run: error: cannot read model '\(missing)': No such file or directory"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("o.bin").path))
    }

    func testTruncatedModelIsAModelError() throws {
        let dir = try CLIFixtures.model("seed_cnn_32x32")
        let bytes = try Data(contentsOf: dir.appendingPathComponent("model_int8.tflite"))
        let input = dir.appendingPathComponent("inputs/000.bin").path
        for keep in [0, 7, 100, bytes.count / 2, bytes.count - 1] {
            let truncated = scratch.appendingPathComponent("truncated-\(keep).tflite")
            try bytes.prefix(keep).write(to: truncated)
            let r = try MoteCLI.run(["run", truncated.path, "-i", input, "-o", scratch.appendingPathComponent("o.bin").path])
            XCTAssertEqual(r.status, 2, "truncated to \(keep) bytes: \(r.stderr)")
            let expected = keep == 0 ? "is empty (0 bytes)" : "malformed model: "
            XCTAssertTrue(r.stderr.hasPrefix("mote run: error: ") && r.stderr.contains(expected), "truncated to \(keep) bytes: \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line per error: \(r.stderr)")

            let j = try MoteCLI.run(["inspect", truncated.path, "--json"])
            XCTAssertEqual(j.status, 2)
            if keep > 0 {
                let error = try XCTUnwrap(try j.json()["error"] as? [String: Any])
                XCTAssertEqual(error["kind"] as? String, "malformedModel")
                XCTAssertEqual(error["code"] as? Int, 1)
            }
        }
    }

    func testWrongInputSizeNamesTheExpectedBytesAndShape() throws {
        let dir = try CLIFixtures.model("seed_cnn_32x32")
        let model = dir.appendingPathComponent("model_int8.tflite").path
        for size in [0, 5, 3071, 3073] {
            let input = scratch.appendingPathComponent("in-\(size).bin")
            try Data(repeating: 1, count: size).write(to: input)
            let out = scratch.appendingPathComponent("o.bin")
            let r = try MoteCLI.run(["run", model, "--input", input.path, "--output", out.path])
            XCTAssertEqual(r.status, 2, r.stderr)
            let has = size == 1 ? "1 byte" : "\(size.grouped) bytes"
            XCTAssertTrue(r.stderr.contains("input 0 '\(input.path)' has \(has), but model input 0 (tensor 0, int8 1x32x32x3) takes 3,072 bytes"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        }
    }

    func testUnreadableInputAndOutput() throws {
        let dir = try CLIFixtures.model("seed_cnn_32x32")
        let model = dir.appendingPathComponent("model_int8.tflite").path
        let missing = scratch.appendingPathComponent("missing.bin").path
        let r = try MoteCLI.run(["run", model, "-i", missing, "-o", scratch.appendingPathComponent("o.bin").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("cannot read input 0 '\(missing)': No such file or directory"), r.stderr)
    }

    func testInputAndOutputCountsMustMatchTheModel() throws {
        let dir = try CLIFixtures.model("seed_cnn_32x32")
        let model = dir.appendingPathComponent("model_int8.tflite").path
        let input = dir.appendingPathComponent("inputs/000.bin").path
        let r = try MoteCLI.run(["run", model, "-i", input, "-i", input, "-o", scratch.appendingPathComponent("o.bin").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("the model has 1 input, got 2 --input options"), r.stderr)
        let o = try MoteCLI.run(["run", model, "-i", input, "-o", "a.bin", "-o", "b.bin"])
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.stderr.contains("the model has 1 output, got 2 --output options"), o.stderr)
    }

    /// An arena one byte short of what `inspect` reports: exit 2 and the exact byte count the
    /// model needs; that exact count works.
    func testArenaTooSmallSaysHowMuchIsNeeded() throws {
        let dir = try CLIFixtures.model("mlp_64_tanh")
        let model = dir.appendingPathComponent("model_int8.tflite").path
        let input = dir.appendingPathComponent("inputs/000.bin").path
        let inspect = try MoteCLI.run(["inspect", model, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        guard let required = (try inspect.json()["arena"] as? [String: Int])?["required"] else { return }
        let out = scratch.appendingPathComponent("o.bin")

        // One byte short (the plan does not fit) and far too small (not even the persistent part
        // fits, where the core's own figure is only an upper bound): both give the exact figure.
        for size in [required - 1, 100, 1] {
            let r = try MoteCLI.run(["run", model, "-i", input, "-o", out.path, "--arena", "\(size)"])
            XCTAssertEqual(r.status, 2)
            XCTAssertTrue(r.stderr.contains("arena too small"), r.stderr)
            XCTAssertTrue(r.stderr.contains("needs \(required.grouped) bytes (the arena has \(size == 1 ? "1 byte" : "\(size.grouped) bytes"); give --arena \(required)"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        }
        let j = try MoteCLI.run(["run", model, "-i", input, "-o", out.path, "--arena", "\(required - 1)", "--json"])
        let error = try XCTUnwrap(try j.json()["error"] as? [String: Any])
        XCTAssertEqual(error["kind"] as? String, "arenaTooSmall")
        XCTAssertEqual(error["value"] as? Int, required)
        XCTAssertEqual(error["arena_bytes"] as? Int, required - 1)

        let ok = try MoteCLI.run(["run", model, "-i", input, "-o", out.path, "--arena", "\(required)"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let big = try MoteCLI.run(["run", model, "-i", input, "-o", out.path, "--arena", "1M"])
        XCTAssertEqual(big.status, 0, big.stderr)
        XCTAssertTrue(big.stdout.contains("with a 1,048,576-byte arena"), big.stdout)
    }

    func testOutputIntoMissingDirectoryIsAnError() throws {
        let dir = try CLIFixtures.model("mlp_64_tanh")
        let out = scratch.appendingPathComponent("no/such/dir/o.bin").path
        let r = try MoteCLI.run(["run", dir.appendingPathComponent("model_int8.tflite").path,
                                 "-i", dir.appendingPathComponent("inputs/000.bin").path, "-o", out])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("cannot write '\(out)'"), r.stderr)
    }
}

extension Int {
    /// `3072` as `3,072`, as the tool prints byte counts.
    var grouped: String {
        let digits = String(self)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}

/// `mote run` on a model with two inputs and two outputs (hand-assembled: ADD and SUB of int32
/// tensors): `--input` and `--output` bind to the model's inputs and outputs in order.
final class SeveralInputsAndOutputsTests: XCTestCase {
    func testInputsAndOutputsBindInOrder() throws {
        let dir = try MoteCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("add_sub.tflite")
        try Data(TinyModel.addAndSubtract()).write(to: model)
        let a: [Int32] = [1, -2, 300, Int32.max], b: [Int32] = [10, 20, -30, 1]
        func write(_ values: [Int32], _ name: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try Data(values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }).write(to: url)
            return url.path
        }
        func read(_ path: String) throws -> [Int32] {
            let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            return stride(from: 0, to: d.count, by: 4).map { i in (0..<4).reduce(Int32(0)) { $0 | Int32(d[i + $1]) << (8 * $1) } }
        }
        let pa = try write(a, "a.bin"), pb = try write(b, "b.bin")
        let difference = dir.appendingPathComponent("difference.bin").path, sum = dir.appendingPathComponent("sum.bin").path

        let r = try MoteCLI.run(["run", model.path, "--input", pa, "--input", pb, "--output", difference, "--output", sum])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try read(difference), zip(a, b).map { $0 &- $1 })
        XCTAssertEqual(try read(sum), zip(a, b).map { $0 &+ $1 })
        XCTAssertTrue(r.stdout.hasSuffix("wrote 2 outputs (\(difference), \(sum))\n"), r.stdout)

        let swapped = try MoteCLI.run(["run", model.path, "-i", pb, "-i", pa, "-o", difference, "-o", sum])
        XCTAssertEqual(swapped.status, 0, swapped.stderr)
        XCTAssertEqual(try read(difference), zip(b, a).map { $0 &- $1 })

        let short = dir.appendingPathComponent("short.bin")
        try Data(count: 12).write(to: short)
        let wrong = try MoteCLI.run(["run", model.path, "-i", pa, "-i", short.path, "-o", difference, "-o", sum])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.stderr.contains("input 1 '\(short.path)' has 12 bytes, but model input 1 (tensor 1, int32 1x4) takes 16 bytes"), wrong.stderr)

        let inspect = try MoteCLI.run(["inspect", model.path, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let doc = try inspect.json()
        XCTAssertEqual((doc["inputs"] as? [[String: Any]])?.map { $0["tensor"] as? Int }, [0, 1])
        XCTAssertEqual((doc["outputs"] as? [[String: Any]])?.map { $0["tensor"] as? Int }, [3, 2])
        XCTAssertEqual((doc["operators"] as? [[String: Any]])?.map { $0["op_name"] as? String }, ["ADD", "SUB"])
        XCTAssertEqual(doc["total_macs"] as? Int, 8, "ADD and SUB count one per output element")
    }
}
