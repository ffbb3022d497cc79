/// An operator of one model that has no counterpart in the other.
public struct UnmatchedLayer: Codable, Equatable, Sendable {
    /// `int8` or `float`.
    public var model: String
    /// The operator's index in that model's execution order.
    public var operatorIndex: Int
    /// Its schema name.
    public var opName: String
    /// Why it was not compared.
    public var reason: String
}
