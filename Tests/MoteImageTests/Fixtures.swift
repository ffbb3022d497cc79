import Foundation
import XCTest

/// Reference arrays produced once by Pillow (`Fixtures/manifest.json` says which version) and the
/// shared data beside the package (`../shared`), which tests skip without, except under CI=true.
enum Fixtures {
    static let testsRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let root = testsRoot.appendingPathComponent("Fixtures")
    static let packageRoot = testsRoot.deletingLastPathComponent().deletingLastPathComponent()
    static let sharedRoot = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    static func manifest() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("manifest.json"))) as! [String: Any]
    }

    /// `../shared/data/faces`, or a skip (a failure when CI=true) when it is absent.
    static func faces() throws -> URL {
        let url = sharedRoot.appendingPathComponent("data/faces")
        guard FileManager.default.fileExists(atPath: url.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI=true but ../shared/data/faces is missing at \(url.path)")
            }
            throw XCTSkip("../shared/data/faces not found: skipping (required when CI=true)")
        }
        return url
    }

    /// FNV-1a 64-bit, the hash the fixture script stored for whole decoded images.
    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h ^= UInt64(b); h = h &* 0x100_0000_01b3 }
        return String(format: "%016llx", h)
    }

    /// A fresh temporary folder, removed by the test's teardown block.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mote-image-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// Largest absolute difference between two sample arrays of equal length.
func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    precondition(a.count == b.count)
    var m = 0
    for i in 0..<a.count { m = max(m, abs(Int(a[i]) - Int(b[i]))) }
    return m
}
