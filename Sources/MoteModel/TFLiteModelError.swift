import Foundation
import MoteCore

/// Why a model could not be read or written.
public enum TFLiteModelError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// MoteCore's `ModelVerifier` rejected the flatbuffer: the error kind, its reason and the
    /// byte offset where it was found.
    case verification(kind: String, reason: String, offset: Int)
    /// The reader found a structural problem that the core's verifier does not check
    /// (a table the core never reads, such as sparsity or signature definitions).
    case malformed(String)
    /// The model uses something the IR cannot represent (e.g. an unknown tensor type).
    case unsupported(String)
    /// Reading or writing the file failed.
    case io(String)

    /// Wraps an error of MoteCore's verifier.
    public init(_ error: MoteError) {
        self = .verification(kind: "\(error.kind)", reason: String(describing: error.message), offset: error.value)
    }

    /// A one-line message for people.
    public var description: String {
        switch self {
        case let .verification(kind, reason, offset): return "invalid TFLite model (\(kind)): \(reason) at byte \(offset)"
        case let .malformed(reason): return "invalid TFLite model: \(reason)"
        case let .unsupported(reason): return "unsupported TFLite model: \(reason)"
        case let .io(reason): return reason
        }
    }

    /// Same as `description`.
    public var errorDescription: String? { description }
}
