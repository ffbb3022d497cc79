import Foundation

/// The batches of one epoch, produced ahead on a background thread; a single-pass sequence.
public final class EpochBatches: Sequence, IteratorProtocol, @unchecked Sendable {
    private let total: Int
    private var consumed: Int
    private let state: ProducerState

    init(stream: BatchStream, epoch: Int, start: Int, depth: Int) {
        total = stream.batchesPerEpoch
        consumed = Swift.min(start, total)
        let state = ProducerState(depth: depth)
        self.state = state
        let first = consumed, total = self.total
        // The thread holds the state, not the iterator, so dropping the iterator cancels it.
        let thread = Thread {
            let order = stream.order(epoch: epoch)
            for b in first..<total {
                state.free.wait()
                if state.isCancelled { break }
                state.push(stream.makeBatch(epoch: epoch, batch: b, order: order))
            }
            state.finished.signal()
        }
        thread.name = "mote.batches"
        thread.start()
    }

    /// The next batch, waiting for the producer if needed; nil after the last one.
    public func next() -> Batch? {
        guard consumed < total else { return nil }
        consumed += 1
        return state.pop()
    }

    deinit {
        state.cancel()
        state.finished.wait()
    }
}

/// The queue between the producer thread and the consumer.
final class ProducerState: @unchecked Sendable {
    let free: DispatchSemaphore
    let ready = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var queue: [Batch] = []
    private var cancelled = false

    init(depth: Int) {
        // Created at 0 and raised: libdispatch traps when a semaphore is freed below its initial value.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<depth { free.signal() }
    }

    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }

    func cancel() { lock.lock(); cancelled = true; lock.unlock(); free.signal() }

    func push(_ batch: Batch) { lock.lock(); queue.append(batch); lock.unlock(); ready.signal() }

    func pop() -> Batch {
        ready.wait()
        lock.lock(); let batch = queue.removeFirst(); lock.unlock()
        free.signal()
        return batch
    }
}
