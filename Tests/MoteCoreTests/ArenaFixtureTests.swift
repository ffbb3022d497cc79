import XCTest
@testable import MoteCore

/// The planner on the fixture models: the lower bound it computes equals the independently
/// known figures (the issue's: largest total of activation bytes live at once, reshape in
/// place, every other operator output apart); under the compact memory policy the plan stays
/// within 1.10x of it, and the whole arena of the MLPerf Tiny models, whose operators run in
/// place, stays well below TFLite Micro's (PEERS.md).
final class ArenaFixtureTests: XCTestCase {
    static let knownLowerBounds = ["peer_seed_64": 76_880, "mlperf_vww_96": 55_296, "mlperf_kws_ds_cnn": 16_000]
    /// TFLite Micro's whole arena (`print_allocations`, PEERS.md), and the fraction of it that
    /// Mote's whole compact arena must stay under.
    static let tflmArena: [String: (bytes: Int, fraction: Double)] = [
        "mlperf_vww_96": (103_680, 0.60),
        "mlperf_kws_ds_cnn": (24_272, 0.75),
    ]
    /// The compact plan with operators in place, worked out by hand from the layouts. kws: the
    /// 25x5x64 activation (8,000 bytes) stays one buffer through the four depthwise and four
    /// pointwise layers; the most live is at a depthwise layer, with its scratch of one output
    /// row and one saved row (2 x 320): 8,640 (the first layer with its 490-byte input needs
    /// 8,000 + 496). vww: every layer runs in place in one buffer, as large as the biggest
    /// activation (48x48x16 = 36,864, the output of the 8 -> 16 pointwise layer), plus the
    /// one-row scratch (24 x 16 = 384) of the stride-2 depthwise layer that reads it: 37,248.
    static let compactPlanned = ["mlperf_kws_ds_cnn": 8_640, "mlperf_vww_96": 37_248]

    func testPlansAreCloseToTheLowerBound() throws {
        var lines: [String] = []
        for dir in try Fixtures.models() {
            let name = dir.lastPathComponent
            let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
            let compact = try FixtureConformanceTests.withInterpreter(model, memoryPolicy: .compact) { $0.usage }
            let fast = try FixtureConformanceTests.withInterpreter(model, memoryPolicy: .fast) { $0.usage }
            lines.append("\(name): lower bound \(compact.lowerBound); compact planned \(compact.planned) + persistent \(compact.persistent) = \(compact.planned + compact.persistent); fast planned \(fast.planned) + persistent \(fast.persistent) = \(fast.planned + fast.persistent)")
            if let known = Self.knownLowerBounds[name] {
                XCTAssertEqual(compact.lowerBound, known, name)
            }
            XCTAssertEqual(fast.lowerBound, compact.lowerBound, name)
            XCTAssertLessThanOrEqual(Double(compact.planned), 1.10 * Double(compact.lowerBound), name)
            XCTAssertGreaterThanOrEqual(compact.planned + compact.inPlaceSaving, compact.lowerBound, "\(name): only in place goes below the bound")
            XCTAssertEqual(fast.inPlaceSaving, 0, "\(name): the fast policy runs nothing in place")
            if let planned = Self.compactPlanned[name] {
                XCTAssertEqual(compact.planned, planned, name)
            }
            if let tflm = Self.tflmArena[name] {
                XCTAssertLessThan(Double(compact.planned + compact.persistent), tflm.fraction * Double(tflm.bytes),
                                  "\(name): whole compact arena vs TFLite Micro's \(tflm.bytes)")
            }
        }
        print(lines.joined(separator: "\n"))
    }

    func testArenaOfExactlyRequiredBytesWorksAndOneLessFails() throws {
        for dir in try Fixtures.models() {
            for policy in [Interpreter.MemoryPolicy.compact, .fast] {
                let model = try Fixtures.bytes(dir.appendingPathComponent("model_int8.tflite"))
                let required = try FixtureConformanceTests.withInterpreter(model, memoryPolicy: policy) { $0.usage.required }
                try model.withUnsafeBytes { bytes in
                    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: required, alignment: 16)
                    defer { arena.deallocate() }
                    XCTAssertNoThrow(try Interpreter(model: bytes, arena: arena, memoryPolicy: policy))
                    do {
                        _ = try Interpreter(model: bytes, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<(required - 1)]), memoryPolicy: policy)
                        XCTFail("\(dir.lastPathComponent): an arena one byte short was accepted")
                    } catch let error as MoteError {
                        XCTAssertEqual(error.kind, .arenaTooSmall)
                        XCTAssertEqual(error.value, required)
                    }
                }
            }
        }
    }
}
