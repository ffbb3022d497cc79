/// Why a float model could not be prepared or run.
public enum FloatExecutorError: Error, Equatable, CustomStringConvertible {
    /// The model's structure is broken (a tensor index out of range, constant data of the
    /// wrong size, inconsistent shapes).
    case invalidModel(String)
    /// Operator `index` (`opName`, `version`) uses something the executor does not implement:
    /// an operator, version, option, tensor type or shape.
    case unsupportedOperator(index: Int, opName: String, version: Int, reason: String)
    /// Operator `index` has inputs whose shapes do not fit together.
    case invalidOperator(index: Int, opName: String, reason: String)
    /// The requested batch size cannot be used with this model.
    case invalidBatch(String)
    /// `run` got a different number of inputs than the graph has.
    case inputCount(expected: Int, got: Int)
    /// Input `input` of `run` has the wrong number of values.
    case inputSize(input: Int, expected: Int, got: Int)

    /// A one-line message for people.
    public var description: String {
        switch self {
        case let .invalidModel(reason): return "invalid float model: \(reason)"
        case let .unsupportedOperator(index, opName, version, reason):
            return "operator \(index) (\(opName) v\(version)) is not supported by the float executor: \(reason)"
        case let .invalidOperator(index, opName, reason): return "operator \(index) (\(opName)): \(reason)"
        case let .invalidBatch(reason): return "invalid batch: \(reason)"
        case let .inputCount(expected, got): return "the model has \(expected) input(s), got \(got)"
        case let .inputSize(input, expected, got): return "input \(input) needs \(expected) float values, got \(got)"
        }
    }
}
