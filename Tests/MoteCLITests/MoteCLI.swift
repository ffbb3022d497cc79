import Foundation
import XCTest

/// Runs the built `mote` executable as a child process, as a user would.
enum MoteCLI {
    /// What one invocation produced.
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        let stdoutData: Data

        /// Standard output parsed as a JSON object (fails the test when it is not one).
        func json(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
            guard let object = try? JSONSerialization.jsonObject(with: stdoutData) as? [String: Any] else {
                XCTFail("stdout is not a JSON object:\n\(stdout.prefix(2000))\nstderr:\n\(stderr)", file: file, line: line)
                throw XCTSkip("no JSON")
            }
            return object
        }
    }

    /// The `mote` binary: SwiftPM puts it in the build products directory beside the test bundle
    /// (on Linux the bundle URL is that directory itself, on macOS the `.xctest` inside it).
    static let executable: URL? = {
        let bundle = Bundle(for: BundleMarker.self).bundleURL
        let candidates = [bundle.appendingPathComponent("mote"), bundle.deletingLastPathComponent().appendingPathComponent("mote")]
            + (Bundle.main.executableURL.map { [$0.deletingLastPathComponent().appendingPathComponent("mote")] } ?? [])
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    private final class BundleMarker {}

    /// Runs `mote` with `arguments`; standard output and error go through files so that large
    /// outputs (a big model's inspect JSON) cannot fill a pipe and block.
    static func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        guard let executable else {
            XCTFail("the mote executable was not found beside the test bundle (\(Bundle(for: BundleMarker.self).bundleURL.path)); build it with 'swift build'", file: file, line: line)
            throw XCTSkip("mote not built")
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outData = try Data(contentsOf: outURL)
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self), stdoutData: outData)
    }

    /// A fresh empty directory under the system's temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mote-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The shared conformance fixtures (`../shared/fixtures/tflite` beside the package root).
/// Tests that need them skip when they are absent, except under CI (`CI=true`), where their
/// absence is a failure.
enum CLIFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tflite")

    /// The fixture model folders, sorted by name.
    static func models(file: StaticString = #filePath, line: UInt = #line) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: root.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI=true but the fixtures are missing at \(root.path)", file: file, line: line)
            }
            throw XCTSkip("fixtures not found at ../shared/fixtures/tflite: skipping (they are required when CI=true)")
        }
        return try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model_int8.tflite").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// One fixture model folder by name (skips like `models()` when the fixtures are absent).
    static func model(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let all = try models(file: file, line: line)
        guard let dir = all.first(where: { $0.lastPathComponent == name }) else {
            XCTFail("fixture \(name) missing from \(root.path)", file: file, line: line)
            throw XCTSkip("fixture missing")
        }
        return dir
    }

    static func meta(_ dir: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("meta.json"))) as! [String: Any]
    }

    /// The sample names (`000.bin` ...) of a fixture's inputs.
    static func samples(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("inputs").path).filter { $0.hasSuffix(".bin") }.sorted()
    }
}
