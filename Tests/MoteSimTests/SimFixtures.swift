import Foundation
import XCTest

/// `../shared` beside the package root: fixtures and data. Tests that need it skip when it is
/// absent, except under CI (`CI=true`), where its absence is a failure.
enum SimFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let seed64 = shared.appendingPathComponent("fixtures/tflite/peer_seed_64")
    static let facesVal = shared.appendingPathComponent("data/faces/val")

    /// `url` when it exists; otherwise skips (or fails under CI).
    static func require(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        guard FileManager.default.fileExists(atPath: url.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI=true but \(url.path) is missing", file: file, line: line)
            }
            throw XCTSkip("\(url.path) not found: skipping (../shared is required when CI=true)")
        }
        return url
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }
}
