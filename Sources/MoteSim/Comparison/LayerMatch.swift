/// One int8 operator output paired with the float operator output it approximates.
public struct LayerMatch: Codable, Equatable, Sendable {
    /// The int8 model's operator index (execution order) and output position.
    public var int8Operator: Int
    public var int8Output: Int
    /// The int8 output tensor's index in the int8 file.
    public var int8Tensor: Int
    /// The float model's operator index and output position.
    public var floatOperator: Int
    public var floatOutput: Int
    /// The float output tensor's index in the float file.
    public var floatTensor: Int
    /// The schema name of the operator (the same in both models).
    public var opName: String
    /// A short layer name derived from the int8 tensor's name (see `LayerMatcher.shortName`).
    public var name: String
    /// The full names of both tensors.
    public var int8TensorName: String
    public var floatTensorName: String
    /// True when both tensors' short names agree: the cross-check of the order-based match.
    public var namesAgree: Bool
    /// The output shape (of the int8 tensor; the float one has the same element count).
    public var shape: [Int]
    /// Multiply-accumulates of the int8 operator (ModelSummary's count).
    public var macs: Int
}
