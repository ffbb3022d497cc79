import Dispatch

/// Runs the trainer's data-parallel work on a fixed number of threads.
///
/// Work over a batch of `n` samples is split into `threads` contiguous chunks whose bounds depend
/// only on `n` and `threads` (`chunk(t, of: n)`), and partial results (gradients) are always
/// combined in chunk order, so a seeded run gives the same numbers whichever thread finishes first.
public struct Workers: Sendable {
    /// The number of threads (≥ 1).
    public let threads: Int

    /// Workers with `threads` threads (clamped to at least 1).
    public init(threads: Int) { self.threads = max(1, threads) }

    /// The sample range of chunk `t` of a batch of `n`: chunks of ⌈n / threads⌉ (the last ones
    /// may be shorter or empty).
    @inlinable
    public func chunk(_ t: Int, of n: Int) -> Range<Int> {
        let size = (n + threads - 1) / threads
        let lo = min(n, t * size)
        return lo..<min(n, lo + size)
    }

    /// Calls `body(t)` for every `t` in `0..<threads`, concurrently, and returns when all are done.
    @inlinable
    public func run(_ body: (Int) -> Void) {
        if threads == 1 { body(0); return }
        DispatchQueue.concurrentPerform(iterations: threads) { body($0) }
    }

    /// Calls `body(t, range)` for the chunks of a batch of `n` (empty chunks are skipped).
    @inlinable
    public func forChunks(of n: Int, _ body: (Int, Range<Int>) -> Void) {
        run { t in
            let r = chunk(t, of: n)
            if !r.isEmpty { body(t, r) }
        }
    }
}
