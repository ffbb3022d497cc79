import XCTest

/// Help on every command, and the exit code and message of every kind of usage error.
final class UsageTests: XCTestCase {
    static let commands = ["run", "inspect", "bench"]

    func testOverviewHelpListsEveryCommand() throws {
        for args in [["help"], ["--help"], ["-h"]] {
            let r = try MoteCLI.run(args)
            XCTAssertEqual(r.status, 0, "mote \(args): \(r.stderr)")
            XCTAssertTrue(r.stdout.hasPrefix("usage: mote COMMAND"), r.stdout)
            for c in Self.commands + ["help"] {
                XCTAssertTrue(r.stdout.contains("\n  \(c) "), "overview of 'mote \(args.joined(separator: " "))' lacks \(c):\n\(r.stdout)")
            }
            XCTAssertEqual(r.stderr, "")
        }
    }

    func testEveryCommandHasHelp() throws {
        for c in Self.commands {
            for args in [[c, "--help"], [c, "-h"], ["help", c], [c, "model.tflite", "--bogus", "--help"]] {
                let r = try MoteCLI.run(args)
                XCTAssertEqual(r.status, 0, "mote \(args.joined(separator: " ")): \(r.stderr)")
                XCTAssertTrue(r.stdout.hasPrefix("usage: mote \(c) MODEL.tflite"), "mote \(args.joined(separator: " ")):\n\(r.stdout)")
                XCTAssertTrue(r.stdout.contains("-h, --help"), r.stdout)
                XCTAssertEqual(r.stderr, "")
            }
        }
        let run = try MoteCLI.run(["run", "--help"])
        for option in ["--input IN.bin", "--output OUT.bin", "--arena BYTES", "--json"] {
            XCTAssertTrue(run.stdout.contains(option), "run --help lacks \(option)")
        }
        let bench = try MoteCLI.run(["bench", "--help"])
        for option in ["--runs N", "--warmup W", "--seed S", "--json"] {
            XCTAssertTrue(bench.stdout.contains(option), "bench --help lacks \(option)")
        }
        XCTAssertTrue(try MoteCLI.run(["inspect", "--help"]).stdout.contains("--json"))
    }

    func testNoArgumentsIsAUsageError() throws {
        let r = try MoteCLI.run([])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("usage: mote COMMAND"), r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    func testUnknownCommandIsAUsageError() throws {
        for args in [["frobnicate"], ["help", "frobnicate"], ["--bogus"]] {
            let r = try MoteCLI.run(args)
            XCTAssertEqual(r.status, 1, "mote \(args)")
            XCTAssertTrue(r.stderr.contains(args.last!), r.stderr)
            XCTAssertTrue(r.stderr.contains("usage: mote COMMAND"), r.stderr)
        }
    }

    func testUnknownOptionIsAUsageErrorWithTheCommandsUsage() throws {
        for c in Self.commands {
            for bad in ["--bogus", "-q", "--bogus=1"] {
                let r = try MoteCLI.run([c, "model.tflite", bad])
                XCTAssertEqual(r.status, 1, "mote \(c) \(bad): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains("mote \(c): unknown option '\(bad.split(separator: "=")[0])'"), r.stderr)
                XCTAssertTrue(r.stderr.contains("usage: mote \(c) MODEL.tflite"), r.stderr)
                XCTAssertEqual(r.stdout, "")
            }
        }
    }

    func testMalformedCommandLines() throws {
        let cases: [([String], String)] = [
            (["run", "m.tflite", "--output", "o.bin"], "missing required option --input IN.bin"),
            (["run", "m.tflite", "--input", "i.bin"], "missing required option --output OUT.bin"),
            (["run", "--input", "i.bin", "--output", "o.bin"], "missing argument MODEL.tflite"),
            (["run", "m.tflite", "extra.tflite", "-i", "i", "-o", "o"], "unexpected argument 'extra.tflite'"),
            (["run", "m.tflite", "-i", "i", "-o", "o", "-o", "o"], "output 'o' given more than once"),
            (["run", "m.tflite", "-i", "i", "-o", "o", "--arena", "lots"], "needs a positive byte count"),
            (["run", "m.tflite", "-i", "i", "-o", "o", "--arena"], "option '--arena' needs a value"),
            (["inspect"], "missing argument MODEL.tflite"),
            (["inspect", "m.tflite", "--json=yes"], "option '--json' takes no value"),
            (["inspect", "m.tflite", "--arena", "1M", "--arena", "2M"], "option '--arena' given more than once"),
            (["bench", "m.tflite", "--runs", "0"], "option '--runs' must be in 1...1000000, got 0"),
            (["bench", "m.tflite", "--runs", "many"], "option '--runs' needs an integer, got 'many'"),
            (["bench", "m.tflite", "--warmup", "-1"], "option '--warmup' must be in 0...1000000, got -1"),
        ]
        for (args, message) in cases {
            let r = try MoteCLI.run(args)
            XCTAssertEqual(r.status, 1, "mote \(args.joined(separator: " ")): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "mote \(args.joined(separator: " ")): expected '\(message)' in:\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains("usage: mote \(args[0])"), r.stderr)
        }
    }
}
