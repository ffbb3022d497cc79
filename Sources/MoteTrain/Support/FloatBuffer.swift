/// A fixed-size, zero-initialised buffer of `Float`s that owns its memory (freed on deinit).
///
/// The trainer keeps weights, gradients, optimizer moments and activations in these so the hot
/// loops work on raw pointers without array copy-on-write checks or per-step allocation.
public final class FloatBuffer: @unchecked Sendable {
    /// The number of elements.
    public let count: Int
    /// The first element (valid for `count` elements while the buffer is alive).
    public let pointer: UnsafeMutablePointer<Float>

    /// A buffer of `count` zeros.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer: negative count")
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    /// The elements as an array (a copy).
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Overwrites the elements with `values` (which must have `count` elements).
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "FloatBuffer.assign: \(values.count) values for \(count) elements")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// Element access (no bounds check beyond the debug precondition).
    public subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}
