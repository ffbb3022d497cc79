import XCTest
@testable import MoteSim

final class FirmwareSimulatorTests: XCTestCase {
    /// Without QEMU on PATH the harness says which program is missing and how to install it,
    /// and marks the failure as "unavailable" (not a wrong result).
    func testMissingQEMUIsSaidPlainly() {
        let env = ["PATH": "/nonexistent-mote-test-dir"]
        XCTAssertNoThrow(try FirmwareSimulator.checkEmulator(.host, environment: env))
        XCTAssertThrowsError(try FirmwareSimulator.checkEmulator(.cortexM4, environment: env)) { error in
            let e = error as! SimError
            XCTAssertTrue(e.isUnavailable)
            XCTAssertEqual(e.message, "QEMU is missing: 'qemu-system-arm' is not on PATH, so the cortex-m4 target cannot run (install it with 'apt-get install qemu-system-arm')")
        }
        XCTAssertThrowsError(try FirmwareSimulator.checkEmulator(.aarch64Linux, environment: env)) { error in
            XCTAssertTrue((error as! SimError).message.contains("'qemu-aarch64' is not on PATH"))
            XCTAssertTrue((error as! SimError).message.contains("apt-get install qemu-user"))
        }
    }

    /// The driver's JSON: numbers, or objects carrying `total` / `bytes` / `per_inference`.
    func testReadsTheDriversFigures() {
        let object: [String: Any] = ["instructions": ["per_inference": 24_101_948, "each": [24_101_948]],
                                     "flash": ["total": 417_900, "model": 333_288], "ram": 103_600, "arena": ["bytes": 100_708]]
        XCTAssertEqual(FirmwareSimulator.integer(object, ["instructions"]), 24_101_948)
        XCTAssertEqual(FirmwareSimulator.integer(object, ["flash"]), 417_900)
        XCTAssertEqual(FirmwareSimulator.integer(object, ["ram"]), 103_600)
        XCTAssertEqual(FirmwareSimulator.integer(object, ["arena"]), 100_708)
        XCTAssertNil(FirmwareSimulator.integer(object, ["missing"]))
    }
}
