/// Operators that write their output over their input (compact policy, see
/// `PrepareContext.allowInPlace`): which offers the planner grants, and how the tensors of a
/// granted one share a buffer.
///
/// A shared buffer is rooted at its largest tensor (`alias` -1, flag `sharedRoot`); every
/// other tensor in it has `alias` = the root and `offset` = its position inside the buffer,
/// and the tensors that joined in place carry the flag `inPlace`: the planner places the
/// buffer as the rectangles of the root and of those tensors, each for its own lifetime, so
/// a buffer grown by an operator with a larger output is large only from that operator on.
extension Interpreter {
    /// Grants the offers in execution order and returns the planned bytes (`planned` is the
    /// plan's size before any is granted). Operator `i`'s output joins its input's buffer when
    /// that buffer (every tensor in it) is an activation that no model output uses, that no
    /// operator after `i` reads and that is no other input of `i`. An output no larger than
    /// its input starts where the input starts; a larger output either starts there (its
    /// kernel then goes backward) or ends where the input ends (forward): the planner tries
    /// both and keeps the smaller plan, declining when neither beats running apart. A granted
    /// operator's scratch becomes the larger of its two requests; a declined offer is
    /// cleared to -1.
    static func grantInPlace(_ items: inout InterpreterPlanItems, planned: Int, buffer: FlatBuffer) -> Int {
        let ops = items.ops
        var current = planned, stale = false, granted = false
        for i in 0..<items.opCount where ops[i].inPlaceScratch >= 0 {
            let extra = ops[i].inPlaceScratch
            ops[i].inPlaceScratch = -1
            guard let (a, o) = inPlaceCandidate(i, items, buffer) else { continue }
            let t = items.tensors
            let root = t[a].alias >= 0 ? Int(t[a].alias) : a
            let inputAt = t[a].alias >= 0 ? max(Int(t[a].offset), 0) : 0
            let inBytes = Int(t[a].byteCount), outBytes = Int(t[o].byteCount)
            let ownScratch = ops[i].scratchBytes
            var at: Int? = nil
            if outBytes <= inBytes {
                at = inputAt
            } else {
                if stale { current = ArenaPlanner.plan(&items) }
                stale = false
                ops[i].scratchBytes = max(ownScratch, extra)
                var best = current
                // Forward first: on a tie it is kept.
                for k in 0..<2 {
                    let candidate = k == 0 ? inputAt - (outBytes - inBytes) : inputAt
                    guard merge(items, root: root, output: o, at: candidate) else { continue }
                    let p = ArenaPlanner.plan(&items)
                    unmerge(items, root: root, output: o, at: candidate)
                    if p < best || (p == best && at == nil) {
                        best = p
                        at = candidate
                    }
                }
                if at != nil { current = best }
            }
            guard let at, merge(items, root: root, output: o, at: at) else {
                ops[i].scratchBytes = ownScratch
                continue
            }
            commit(items)
            ops[i].scratchBytes = max(ownScratch, extra)
            ops[i].inPlaceScratch = extra
            if outBytes <= inBytes { stale = true }
            granted = true
        }
        return granted ? ArenaPlanner.plan(&items) : planned
    }

    /// Input 0 and output 0 of operator `i` when its offer may be granted (see `grantInPlace`).
    static func inPlaceCandidate(_ i: Int, _ items: InterpreterPlanItems, _ buffer: FlatBuffer) -> (Int, Int)? {
        let t = items.tensors, n = items.tensorCount
        let inputs = items.ops[i].inputs(buffer), outputs = items.ops[i].outputs(buffer)
        guard inputs.count >= 1, outputs.count >= 1 else { return nil }
        let a = Int(inputs.i32(0)), o = Int(outputs.i32(0))
        guard a >= 0, a < n, o >= 0, o < n, a != o, t[a].flags & TensorSlot.constant == 0, t[o].alias < 0,
              t[o].flags & TensorSlot.sharedRoot == 0, t[a].byteCount > 0, t[o].byteCount > 0 else { return nil }
        let root = Int32(truncatingIfNeeded: t[a].alias >= 0 ? Int(t[a].alias) : a)
        let step = Int32(truncatingIfNeeded: i)
        for u in 0..<n where Int32(truncatingIfNeeded: u) == root || t[u].alias == root {
            if t[u].lastUse > step || t[u].flags & TensorSlot.graphOutput != 0 { return nil }
        }
        for k in 1..<max(inputs.count, 1) {
            let u = Int(inputs.i32(k))
            guard u >= 0, u < n, t[u].flags & TensorSlot.constant == 0 else { continue }
            if u == Int(root) || t[u].alias == root { return nil }
        }
        return (a, o)
    }

    /// Puts `output` (with the RESHAPE outputs sharing its buffer) into `root`'s buffer at
    /// position `at`: as a part when it fits inside, as the new root when it covers the whole
    /// buffer (everything in it moves by `-at`); false (nothing changed) otherwise. Moved
    /// records are flagged `pending` until `commit` or `unmerge`.
    static func merge(_ items: InterpreterPlanItems, root: Int, output: Int, at: Int) -> Bool {
        let t = items.tensors, n = items.tensorCount
        let extent = Int(t[root].byteCount), bytes = Int(t[output].byteCount)
        let r = Int32(truncatingIfNeeded: root), o = Int32(truncatingIfNeeded: output)
        if at >= 0 && at + bytes <= extent {
            for u in 0..<n where u == output || t[u].alias == o {
                t[u].alias = r
                t[u].offset = Int32(truncatingIfNeeded: at)
                t[u].flags |= TensorSlot.pending
            }
            t[output].flags |= TensorSlot.inPlace
            t[root].flags |= TensorSlot.sharedRoot
            return true
        }
        guard at <= 0 && at + bytes >= extent else { return false }
        for u in 0..<n where u == root || t[u].alias == r {
            t[u].offset = Int32(truncatingIfNeeded: (u == root ? 0 : max(Int(t[u].offset), 0)) - at)
            t[u].alias = o
            t[u].flags |= TensorSlot.pending
        }
        t[root].flags = (t[root].flags & ~TensorSlot.sharedRoot) | TensorSlot.inPlace
        t[output].flags |= TensorSlot.sharedRoot
        return true
    }

    /// Undoes `merge(items, root:, output:, at:)` (which returned true).
    static func unmerge(_ items: InterpreterPlanItems, root: Int, output: Int, at: Int) {
        let t = items.tensors, n = items.tensorCount
        let extent = Int(t[root].byteCount), bytes = Int(t[output].byteCount)
        let asPart = at >= 0 && at + bytes <= extent
        for u in 0..<n where t[u].flags & TensorSlot.pending != 0 {
            t[u].flags &= ~TensorSlot.pending
            if asPart {
                t[u].alias = u == output ? -1 : Int32(truncatingIfNeeded: output)
                t[u].offset = -1
            } else {
                t[u].alias = u == root ? -1 : Int32(truncatingIfNeeded: root)
                t[u].offset = u == root ? -1 : Int32(truncatingIfNeeded: Int(t[u].offset) + at)
            }
        }
        t[output].flags &= ~(asPart ? TensorSlot.inPlace : TensorSlot.sharedRoot)
        if !asPart { t[root].flags &= ~TensorSlot.inPlace }
        // The root's buffer has parts again exactly when some tensor still joined it in place.
        t[root].flags &= ~TensorSlot.sharedRoot
        let r = Int32(truncatingIfNeeded: root)
        for u in 0..<n where t[u].alias == r && t[u].flags & TensorSlot.inPlace != 0 {
            t[root].flags |= TensorSlot.sharedRoot
            break
        }
    }

    /// Makes the last `merge` final.
    static func commit(_ items: InterpreterPlanItems) {
        for u in 0..<items.tensorCount { items.tensors[u].flags &= ~TensorSlot.pending }
    }
}
