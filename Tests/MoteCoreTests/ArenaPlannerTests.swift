import XCTest
@testable import MoteCore

/// The greedy planner against an independent check: no two buffers that are live at the same
/// time share a byte, the plan is never below the lower bound, and a hand-worked case.
final class ArenaPlannerTests: XCTestCase {
    struct Items: PlanItems {
        var items: [ArenaPlanner.Item]
        var count: Int { items.count }
        func get(_ i: Int) -> ArenaPlanner.Item? { items[i].size > 0 ? items[i] : nil }
        mutating func set(_ i: Int, _ item: ArenaPlanner.Item) { items[i] = item }
    }

    func testHandWorkedChain() {
        // A chain a(0..1) -> b(1..2) -> c(2..3): a and c never overlap in time, so c reuses a's bytes.
        var plan = Items(items: [
            .init(size: 1000, first: 0, last: 1, offset: -1),
            .init(size: 500, first: 1, last: 2, offset: -1),
            .init(size: 800, first: 2, last: 3, offset: -1),
        ])
        let high = ArenaPlanner.plan(&plan)
        XCTAssertEqual(plan.items[0].offset, 0)
        XCTAssertEqual(plan.items[1].offset, 1008)  // 1000 aligned to 16
        XCTAssertEqual(plan.items[2].offset, 0)
        XCTAssertEqual(high, 1008 + 512)
        XCTAssertEqual(ArenaPlanner.lowerBound(plan, steps: 4), 1008 + 512)
    }

    func testRandomPlansNeverOverlapLiveBuffers() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        for _ in 0..<200 {
            let n = 1 + next() % 40
            let steps = 1 + next() % 30
            var items: [ArenaPlanner.Item] = []
            for _ in 0..<n {
                let a = next() % steps, b = next() % steps
                items.append(.init(size: 1 + next() % 5000, first: Int32(min(a, b)), last: Int32(max(a, b)), offset: -1))
            }
            var plan = Items(items: items)
            let high = ArenaPlanner.plan(&plan)
            let bound = ArenaPlanner.lowerBound(plan, steps: steps)
            XCTAssertGreaterThanOrEqual(high, bound)
            for i in 0..<n {
                let x = plan.items[i]
                XCTAssertEqual(x.offset % 16, 0)
                XCTAssertLessThanOrEqual(x.offset + x.size, high)
                for j in (i + 1)..<max(n, i + 1) {
                    let y = plan.items[j]
                    let liveTogether = x.first <= y.last && y.first <= x.last
                    let shareBytes = x.offset < y.offset + y.size && y.offset < x.offset + x.size
                    XCTAssertFalse(liveTogether && shareBytes, "buffers \(i) and \(j) overlap")
                }
            }
        }
    }
}
