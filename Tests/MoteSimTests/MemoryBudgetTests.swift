import XCTest
import MoteSim

final class MemoryBudgetTests: XCTestCase {
    func testVerdicts() {
        let footprint = MemoryFootprint(target: "host", arenaPlanned: 76_880, arenaPersistent: 5_504, ram: 82_384, flash: 1_225_640)
        let v = MemoryBudget(ram: 256 * 1024, flash: 1024 * 1024).check(footprint)
        XCTAssertTrue(v.ram.fits)
        XCTAssertFalse(v.flash.fits)
        XCTAssertFalse(v.fits)
        XCTAssertEqual(v.flash.headroom, 1_048_576 - 1_225_640)
        XCTAssertEqual(v.line, "does NOT fit the budget: RAM 82,384 of 262,144 bytes (31.4%): fits; flash 1,225,640 of 1,048,576 bytes (116.9%): over by 177,064 bytes")

        let exact = MemoryBudget(ram: 82_384, flash: nil).check(footprint)
        XCTAssertTrue(exact.fits, "exactly at the limit fits; no flash limit is not checked")
        XCTAssertEqual(exact.line, "fits the budget: RAM 82,384 of 82,384 bytes (100.0%): fits; flash 1,225,640 bytes (no budget)")

        let none = MemoryBudget().check(footprint)
        XCTAssertTrue(none.fits)
        XCTAssertFalse(none.hasBudget)
        XCTAssertTrue(none.line.hasPrefix("no budget given: "))
    }
}
