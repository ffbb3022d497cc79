/// One operator's guest instruction count on a firmware target.
public struct OperatorInstructions: Codable, Equatable, Sendable {
    /// Operator index in execution order.
    public var index: Int
    /// Schema name.
    public var opName: String
    /// Guest instructions of that operator in inference 0.
    public var instructions: Int
}
