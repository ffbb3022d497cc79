/// An error from the core: a kind that C callers receive as a number, a short fixed message
/// naming the specific reason, and where it happened.
///
/// Errors never allocate: the message is a `StaticString` that lives in the binary.
public struct MoteError: Error {
    /// The category of an error. The raw values are the C ABI's status codes (`mote_core.h`).
    public enum Kind: Int32, Sendable {
        /// The flatbuffer is truncated, or an offset, vtable, vector, string or union is invalid.
        case malformedModel = 1
        /// The model uses an operator, or an operator version, that the core does not implement.
        case unsupportedOperator = 2
        /// A tensor has a type that the operator does not accept.
        case typeMismatch = 3
        /// A declared tensor shape disagrees with what the operator computes or requires.
        case shapeMismatch = 4
        /// A quantization parameter is missing, zero, negative, non-finite or inconsistent.
        case invalidQuantization = 5
        /// An operator's options are missing or out of range (strides, axes, activation, ...).
        case invalidOptions = 6
        /// A constant buffer is shorter than its tensor, or a tensor that needs data has none.
        case invalidBuffer = 7
        /// A tensor, buffer or opcode index is out of range.
        case indexOutOfRange = 8
        /// A size computation overflows.
        case overflow = 9
        /// The caller's arena is smaller than `required` bytes.
        case arenaTooSmall = 10
        /// The caller passed a wrong argument: an input index, a byte count, a state.
        case invalidArgument = 11
    }

    /// The category.
    public var kind: Kind
    /// The specific reason, in a few words ("filter channels differ from input channels").
    public var message: StaticString
    /// The operator (execution order) where the error was found, or -1.
    public var operatorIndex: Int32
    /// The tensor concerned, or -1.
    public var tensorIndex: Int32
    /// A number that belongs to the reason: for `.arenaTooSmall` the bytes required, for
    /// `.unsupportedOperator` the builtin code, for `.malformedModel` the byte offset; else 0.
    public var value: Int

    public init(_ kind: Kind, _ message: StaticString, operator op: Int32 = -1, tensor: Int32 = -1, value: Int = 0) {
        self.kind = kind
        self.message = message
        self.operatorIndex = op
        self.tensorIndex = tensor
        self.value = value
    }

    /// `.malformedModel` at a byte offset of the flatbuffer.
    @inline(__always)
    public static func malformed(_ message: StaticString, at offset: Int) -> MoteError {
        MoteError(.malformedModel, message, value: offset)
    }
}
