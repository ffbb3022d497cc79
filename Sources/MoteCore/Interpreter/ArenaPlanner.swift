/// Offsets for the arena's planned part: every non-constant tensor (and every operator's
/// scratch buffer) gets a 16-byte aligned offset such that no two buffers whose lifetimes
/// overlap share bytes.
///
/// Greedy first fit: buffers are placed one by one, each at the lowest offset where it overlaps
/// no already placed buffer that is live at the same time. Two placement orders are tried and
/// the smaller plan kept: largest first (ties: earlier first use), as TFLite Micro's
/// `GreedyMemoryPlanner` does, and execution order (earlier first use first; ties: larger
/// first), which is optimal for chains such as MobileNet's where largest-first strands a
/// buffer above a gap. Lifetimes are inclusive operator ranges `[firstUse, lastUse]`; a RESHAPE
/// output shares its input's buffer, and so do the tensors of an operator that runs in place
/// (see `Interpreter`): such a buffer may be several rectangles (`PlanItems.hasParts`), each
/// tensor at its own offset inside it for its own lifetime. Needs no memory beyond the tensor and
/// operator records; O(n²) per placement order in the number of buffers.
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

    /// One rectangle of a buffer made of several (`PlanItems.hasParts`): `size` bytes at
    /// `offset` from the buffer's start, live over `[first, last]`.
    struct Part {
        var offset: Int
        var size: Int
        var first: Int32
        var last: Int32
    }

    /// The order in which buffers are placed.
    enum Order {
        case largestFirst, executionOrder

        /// True when `a` is placed before `b`.
        func precedes(_ a: Item, _ b: Item) -> Bool {
            switch self {
            case .largestFirst: return a.size > b.size || (a.size == b.size && a.first < b.first)
            case .executionOrder: return a.first < b.first || (a.first == b.first && a.size > b.size)
            }
        }
    }

    /// Places every buffer that `items` describes with the better of the placement orders and
    /// returns the planned bytes (the end of the highest buffer).
    static func plan<S: PlanItems>(_ items: inout S) -> Int {
        let largestFirst = plan(&items, order: .largestFirst)
        let executionOrder = plan(&items, order: .executionOrder)
        return executionOrder <= largestFirst ? executionOrder : plan(&items, order: .largestFirst)
    }

    /// Places every buffer in `order` (clearing earlier placements first) and returns the
    /// planned bytes.
    static func plan<S: PlanItems>(_ items: inout S, order: Order) -> Int {
        let n = items.count
        for i in 0..<n {
            if var it = items.get(i) { it.offset = -1; items.set(i, it) }
        }
        var high = 0
        while true {
            // The next unplaced buffer in `order`.
            var best = -1
            var bestItem = Item(size: -1, first: 0, last: 0, offset: -1)
            for i in 0..<n {
                guard let it = items.get(i), it.offset < 0 else { continue }
                if best < 0 || order.precedes(it, bestItem) {
                    best = i
                    bestItem = it
                }
            }
            if best < 0 { break }
            let size = align(bestItem.size)
            let bestHasParts = items.hasParts(best)
            var offset = 0
            var moved = true
            while moved {
                moved = false
                for j in 0..<n {
                    guard j != best, let other = items.get(j), other.offset >= 0,
                          other.first <= bestItem.last, bestItem.first <= other.last else { continue }
                    if bestHasParts || items.hasParts(j) {
                        // Only rectangles live at the same time conflict; moving up past one
                        // keeps the start 16-byte aligned.
                        items.forEachPart(best) { mine in
                            items.forEachPart(j) { theirs in
                                guard theirs.first <= mine.last, mine.first <= theirs.last else { return }
                                let lo = other.offset + theirs.offset, hi = lo + theirs.size, start = offset + mine.offset
                                if start < hi && lo < start + mine.size {
                                    offset = align(hi - mine.offset)
                                    moved = true
                                }
                            }
                        }
                        continue
                    }
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

    /// The largest total of (aligned) bytes of buffers `0..<itemCount` live at once: with
    /// every buffer counted, no plan can be smaller.
    static func lowerBound<S: PlanItems>(_ items: S, steps: Int, itemCount: Int? = nil) -> Int {
        var best = 0
        for t in 0..<max(steps, 1) {
            var live = 0
            for i in 0..<min(itemCount ?? items.count, items.count) {
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
    /// For a buffer with parts: its whole extent and the union of its parts' lifetimes.
    func get(_ i: Int) -> ArenaPlanner.Item?
    mutating func set(_ i: Int, _ item: ArenaPlanner.Item)
    /// True when buffer `i` is several rectangles (tensors of different sizes and lifetimes
    /// sharing it, see `Interpreter`): it then conflicts only where a part does.
    func hasParts(_ i: Int) -> Bool
    /// Calls `body` with every part of buffer `i` (with parts only).
    func forEachPart(_ i: Int, _ body: (ArenaPlanner.Part) -> Void)
}

extension PlanItems {
    func hasParts(_ i: Int) -> Bool { false }
    func forEachPart(_ i: Int, _ body: (ArenaPlanner.Part) -> Void) {
        if let it = get(i) { body(ArenaPlanner.Part(offset: 0, size: it.size, first: it.first, last: it.last)) }
    }
}
