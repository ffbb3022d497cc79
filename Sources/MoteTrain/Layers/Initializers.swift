/// Keras' default initializers.
public enum Initializers {
    /// The Glorot-uniform bound `sqrt(6 / (fanIn + fanOut))`.
    public static func glorotLimit(fanIn: Int, fanOut: Int) -> Float {
        Float((6.0 / Double(fanIn + fanOut)).squareRoot())
    }

    /// Fills `p` with Glorot-uniform values: uniform in [−limit, limit), limit from `glorotLimit`.
    public static func glorotUniform(_ p: Parameter, fanIn: Int, fanOut: Int, rng: inout SeededGenerator) {
        let limit = glorotLimit(fanIn: fanIn, fanOut: fanOut)
        for i in 0..<p.count { p.value[i] = rng.uniform(-limit, limit) }
    }
}

/// Per-thread scratch buffers of a layer, created once at build.
final class ThreadScratch {
    let buffers: [FloatBuffer]
    init(threads: Int, count: Int) { buffers = (0..<threads).map { _ in FloatBuffer(count: count) } }
    subscript(t: Int) -> FloatBuffer { buffers[t] }

    /// Writes the chunk-ordered sum of the partial buffers into `target` (fixed order, so the
    /// result does not depend on which thread finished first).
    func sum(into target: FloatBuffer, count: Int) {
        let out = target.pointer
        out.update(from: buffers[0].pointer, count: count)
        for t in 1..<buffers.count {
            let p = buffers[t].pointer
            for i in 0..<count { out[i] += p[i] }
        }
    }
}
