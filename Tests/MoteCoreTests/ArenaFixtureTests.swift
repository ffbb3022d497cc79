import XCTest
@testable import MoteCore

/// The planner on the fixture models: the lower bound it computes equals the independently
/// known figures (the issue's: largest total of activation bytes live at once, reshape in
/// place), and the plan stays within 1.10x of it.
final class ArenaFixtureTests: XCTestCase {
    static let knownLowerBounds = ["peer_seed_64": 76_880, "mlperf_vww_96": 55_296, "mlperf_kws_ds_cnn": 16_000]

    func testPlansAreCloseToTheLowerBound() throws {
        var lines: [String] = []
        for dir in try Fixtures.models() {
            let name = dir.lastPathComponent
            let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let usage = try FixtureConformanceTests.withInterpreter(model) { $0.usage }
            lines.append("\(name): planned \(usage.planned) lower bound \(usage.lowerBound) persistent \(usage.persistent) total \(usage.planned + usage.persistent)")
            if let known = Self.knownLowerBounds[name] {
                XCTAssertEqual(usage.lowerBound, known, name)
            }
            XCTAssertLessThanOrEqual(Double(usage.planned), 1.10 * Double(usage.lowerBound), name)
        }
        print(lines.joined(separator: "\n"))
    }

    func testArenaOfExactlyRequiredBytesWorksAndOneLessFails() throws {
        for dir in try Fixtures.models() {
            let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let required = try FixtureConformanceTests.withInterpreter(model) { $0.usage.required }
            try model.withUnsafeBytes { bytes in
                let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: required, alignment: 16)
                defer { arena.deallocate() }
                XCTAssertNoThrow(try Interpreter(model: bytes, arena: arena))
                do {
                    _ = try Interpreter(model: bytes, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<(required - 1)]))
                    XCTFail("\(dir.lastPathComponent): an arena one byte short was accepted")
                } catch let error as MoteError {
                    XCTAssertEqual(error.kind, .arenaTooSmall)
                    XCTAssertEqual(error.value, required)
                }
            }
        }
    }
}
