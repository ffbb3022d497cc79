/// A data buffer (`table Buffer`): the bytes of a constant tensor or of a metadata entry.
/// An empty buffer means "no data" (activations use buffer 0, the empty sentinel).
///
/// Data that a >2 GB model stores after the flatbuffer (`offset`/`size`) is read into `data`;
/// the writer always stores data inline, 16-byte aligned (the schema's `force_align: 16`).
public struct Buffer: Equatable, Sendable {
    /// The raw little-endian bytes.
    public var data: [UInt8]

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(data: [UInt8] = []) { self.data = data }
}
