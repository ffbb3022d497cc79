import Foundation
import XCTest

/// `../shared/fixtures/tflite` beside the package root: tests that need it skip when it is
/// absent, and fail instead under CI (`CI=true`).
enum SharedFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tfliteRoot = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tflite")

    /// The folder of fixture `name`, or a skip (a failure under CI) when the fixtures are absent.
    static func model(_ name: String) throws -> URL {
        let url = tfliteRoot.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model_float.tflite").path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI=true but the fixture \(name) is missing at \(url.path)")
            }
            throw XCTSkip("fixture \(name) not found under ../shared/fixtures/tflite: skipping (required when CI=true)")
        }
        return url
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// The int8 sample inputs `inputs/NNN.bin` of a fixture, sorted by name.
    static func inputs(_ model: URL) throws -> [[Int8]] {
        let dir = model.appendingPathComponent("inputs")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".bin") }.sorted()
            .map { try bytes(dir.appendingPathComponent($0)).map { Int8(bitPattern: $0) } }
    }
}
