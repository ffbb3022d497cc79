/// A model file.
public struct ModelInfo: Codable, Equatable, Sendable {
    /// The path as given.
    public var path: String
    /// File size.
    public var bytes: Int
    /// Operators of subgraph 0.
    public var operators: Int
    /// Total multiply-accumulates per inference (ModelSummary's count).
    public var macs: Int

    /// Memberwise.
    public init(path: String, bytes: Int, operators: Int, macs: Int) {
        self.path = path
        self.bytes = bytes
        self.operators = operators
        self.macs = macs
    }
}
