/// Offsets for the arena's planned part: every non-constant tensor (and every operator's
/// scratch buffer) gets a 16-byte aligned offset such that no two buffers whose lifetimes
/// overlap share bytes.
///
/// Greedy by size, as TFLite Micro's `GreedyMemoryPlanner`: buffers are placed largest first
/// (ties: earlier first use, then lower index), each at the lowest offset where it overlaps no
/// already placed buffer that is live at the same time. Lifetimes are inclusive operator
/// ranges `[firstUse, lastUse]`; a RESHAPE output shares its input's buffer (see `Interpreter`).
/// Needs no memory beyond the tensor and operator records; O(n²) in the number of buffers.
enum ArenaPlanner {
    static let alignment = 16

    @inline(__always)
    static func align(_ n: Int) -> Int { (n + alignment - 1) & ~(alignment - 1) }

    /// A buffer to place: its size and lifetime; `offset` is -1 until placed.
    struct Item {
        var size: Int
        var first: Int32
        var last: Int32
        var offset: Int
    }

    /// Places every buffer that `items` describes and returns the planned bytes (the end of
    /// the highest buffer). `items` exposes the buffers through `count`, `get` and `set`.
    static func plan<S: PlanItems>(_ items: inout S) -> Int {
        let n = items.count
        var high = 0
        while true {
            // The largest unplaced buffer.
            var best = -1
            var bestItem = Item(size: -1, first: 0, last: 0, offset: -1)
            for i in 0..<n {
                guard let it = items.get(i), it.offset < 0 else { continue }
                if it.size > bestItem.size || (it.size == bestItem.size && it.first < bestItem.first) {
                    best = i
                    bestItem = it
                }
            }
            if best < 0 { break }
            let size = align(bestItem.size)
            var offset = 0
            var moved = true
            while moved {
                moved = false
                for j in 0..<n {
                    guard j != best, let other = items.get(j), other.offset >= 0,
                          other.first <= bestItem.last, bestItem.first <= other.last else { continue }
                    let otherEnd = other.offset + align(other.size)
                    if offset < otherEnd && other.offset < offset + size {
                        offset = otherEnd
                        moved = true
                    }
                }
            }
            bestItem.offset = offset
            items.set(best, bestItem)
            high = max(high, offset + size)
        }
        return high
    }

    /// The lower bound of any plan: the largest total of (aligned) buffer bytes live at once.
    static func lowerBound<S: PlanItems>(_ items: S, steps: Int) -> Int {
        var best = 0
        for t in 0..<max(steps, 1) {
            var live = 0
            for i in 0..<items.count {
                guard let it = items.get(i), it.first <= Int32(truncatingIfNeeded: t), Int32(truncatingIfNeeded: t) <= it.last else { continue }
                live += align(it.size)
            }
            best = max(best, live)
        }
        return best
    }
}

/// The buffers a plan places (tensors and scratch buffers in the interpreter's records).
protocol PlanItems {
    var count: Int { get }
    /// Buffer `i`, or nil when `i` needs no planned memory (constants, aliases, unused tensors).
    func get(_ i: Int) -> ArenaPlanner.Item?
    mutating func set(_ i: Int, _ item: ArenaPlanner.Item)
}
