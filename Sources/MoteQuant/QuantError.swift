/// Why quantization could not proceed. Every case names the thing at fault (the recipe field,
/// the operator and its index, the folder), so that a message can be shown as it is.
public enum QuantError: Error, Equatable, CustomStringConvertible {
    /// The float model has an operator the quantizer cannot handle.
    case unsupportedOperator(name: String, index: Int, reason: String)
    /// The float model is not a graph the quantizer can read (no subgraph, non-float tensors, ...).
    case invalidModel(String)
    /// A calibration recipe field is unknown, of the wrong type or out of range.
    case recipe(field: String, message: String)
    /// The calibration data is missing, empty or does not fit the model.
    case calibration(String)

    public var description: String {
        switch self {
        case let .unsupportedOperator(name, index, reason):
            return "unsupported operator \(name) at index \(index): \(reason)"
        case let .invalidModel(message):
            return "invalid float model: \(message)"
        case let .recipe(field, message):
            return "recipe field '\(field)': \(message)"
        case let .calibration(message):
            return "calibration: \(message)"
        }
    }
}
