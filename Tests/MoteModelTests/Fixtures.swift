import Foundation
import XCTest

/// The shared conformance fixtures (`../shared/fixtures/tflite` beside the package root,
/// located from this file's path). Tests that need them skip when they are absent, except
/// under CI (`CI=true`), where their absence is a failure.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sharedRoot = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let tfliteRoot = sharedRoot.appendingPathComponent("fixtures/tflite")

    /// The fixture model folders (those with a `model_int8.tflite`), sorted by name.
    static func models() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: tfliteRoot.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI=true but the fixtures are missing at \(tfliteRoot.path)")
            }
            throw XCTSkip("fixtures not found at ../shared/fixtures/tflite: skipping (they are required when CI=true)")
        }
        let folders = try FileManager.default.contentsOfDirectory(at: tfliteRoot, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model_int8.tflite").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        if folders.isEmpty, ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("CI=true but \(tfliteRoot.path) holds no fixture model")
        }
        return folders
    }

    /// Every fixture model file: each folder's `model_int8.tflite` and `model_float.tflite`.
    static func modelFiles() throws -> [URL] {
        try models().flatMap { dir in
            ["model_int8.tflite", "model_float.tflite"].map { dir.appendingPathComponent($0) }
                .filter { FileManager.default.fileExists(atPath: $0.path) }
        }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// A short name for messages: `folder/file`.
    static func label(_ url: URL) -> String {
        "\(url.deletingLastPathComponent().lastPathComponent)/\(url.lastPathComponent)"
    }
}
