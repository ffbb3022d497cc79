import Foundation
import XCTest

/// The shared TFLite fixtures (`../shared/fixtures/tflite` beside the package root) with
/// their float models. Tests skip when they are absent, except under CI (`CI=true`), where
/// their absence is a failure.
enum FloatFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tfliteRoot = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tflite")

    /// The fixture folders that have a `model_float.tflite`, sorted by name.
    static func models() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: tfliteRoot.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI=true but the fixtures are missing at \(tfliteRoot.path)")
            }
            throw XCTSkip("fixtures not found at ../shared/fixtures/tflite: skipping (they are required when CI=true)")
        }
        return try FileManager.default.contentsOfDirectory(at: tfliteRoot, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model_float.tflite").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// The sample names (`000` ...) of a fixture's `inputs/` folder.
    static func samples(_ model: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: model.appendingPathComponent("inputs").path)
            .filter { $0.hasSuffix(".bin") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// Sample `name`'s int8 input dequantized with the int8 model's input scale and zero
    /// point from meta.json: `(q − zero_point) · scale`, as the fixtures fed the float model.
    static func floatInput(_ model: URL, sample name: String) throws -> [Float] {
        let meta = try json(model.appendingPathComponent("meta.json"))
        let input = meta["input"] as! [String: Any]
        XCTAssertEqual(input["dtype"] as? String, "int8")
        let scale = (input["scale"] as! NSNumber).floatValue, zeroPoint = (input["zero_point"] as! NSNumber).intValue
        return try bytes(model.appendingPathComponent("inputs/\(name).bin")).map { Float(Int(Int8(bitPattern: $0)) - zeroPoint) * scale }
    }

    /// Sample `name`'s saved TFLite float output (`float_out/NNN.f32`, little-endian float32).
    static func floatOutput(_ model: URL, sample name: String) throws -> [Float] {
        let raw = try bytes(model.appendingPathComponent("float_out/\(name).f32"))
        return stride(from: 0, to: raw.count, by: 4).map {
            Float(bitPattern: UInt32(raw[$0]) | UInt32(raw[$0 + 1]) << 8 | UInt32(raw[$0 + 2]) << 16 | UInt32(raw[$0 + 3]) << 24)
        }
    }
}
