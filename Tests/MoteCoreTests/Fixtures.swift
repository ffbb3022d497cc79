import Foundation
import XCTest

/// The shared conformance fixtures (`../shared/fixtures/tflite` beside the package root).
/// Tests that need them skip when they are absent, except under CI (`CI=true`), where the
/// fixtures must be present and their absence is a failure.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sharedRoot = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let tfliteRoot = sharedRoot.appendingPathComponent("fixtures/tflite")

    /// The fixture model folders, sorted; skips (or fails under CI) when they are absent.
    static func models() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: tfliteRoot.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI=true but the fixtures are missing at \(tfliteRoot.path)")
            }
            throw XCTSkip("fixtures not found at ../shared/fixtures/tflite: skipping (they are required when CI=true)")
        }
        return try FileManager.default.contentsOfDirectory(at: tfliteRoot, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model_int8.tflite").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// The sample files (`000.bin` ...) of a fixture's `inputs/` folder.
    static func samples(_ model: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: model.appendingPathComponent("inputs").path)
            .filter { $0.hasSuffix(".bin") }.sorted()
    }
}
