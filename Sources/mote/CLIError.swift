import Foundation
import MoteCore
import MoteModel

/// What the tool knows when it describes an error of the core: the model (to name the
/// operator and tensor an error points at) and the arena size it used.
struct ErrorContext {
    var modelPath: String
    var facts: ModelFacts? = nil
    var arenaBytes: Int? = nil
    /// The arena size came from `--arena` (so the message may suggest another).
    var arenaGiven = false
}

/// A failure of a command that is not a usage error; all exit with code 2.
enum CLIError: Error {
    /// Bad input that the tool itself found (unreadable file, wrong byte count): the message says it all.
    case input(String)
    /// An error from the core, described with its context.
    case core(MoteError, ErrorContext)

    static let exitCode: Int32 = 2

    /// One line for people, e.g. `arena too small: arena too small for the planned tensors:
    /// needs 123,456 bytes (the arena has 4,096 bytes)`.
    var message: String {
        switch self {
        case .input(let text): return text
        case .core(let e, let context): return CLIError.describe(e, context)
        }
    }

    /// The same facts for `--json`.
    var json: JSONValue {
        switch self {
        case .input(let text):
            return .object([("kind", .string("input")), ("message", .string(text))])
        case .core(let e, let context):
            let op = CLIError.operatorFacts(e, context)
            return .object([
                ("kind", .string(String(describing: e.kind))),
                ("code", .int(Int(e.kind.rawValue))),
                ("message", .string(e.message.description)),
                ("operator", e.operatorIndex >= 0 ? .int(Int(e.operatorIndex)) : .null),
                ("op_name", JSONValue.optional(op?.name) { .string($0) }),
                ("tensor", e.tensorIndex >= 0 ? .int(Int(e.tensorIndex)) : .null),
                ("value", .int(e.value)),
                ("arena_bytes", JSONValue.optional(context.arenaBytes) { .int($0) }),
                ("model", .string(context.modelPath)),
                ("description", .string(CLIError.describe(e, context))),
            ])
        }
    }

    /// The kind in words.
    static func phrase(_ kind: MoteError.Kind) -> String {
        switch kind {
        case .malformedModel: return "malformed model"
        case .unsupportedOperator: return "unsupported operator"
        case .typeMismatch: return "type mismatch"
        case .shapeMismatch: return "shape mismatch"
        case .invalidQuantization: return "invalid quantization"
        case .invalidOptions: return "invalid operator options"
        case .invalidBuffer: return "invalid buffer"
        case .indexOutOfRange: return "index out of range"
        case .overflow: return "size overflow"
        case .arenaTooSmall: return "arena too small"
        case .invalidArgument: return "invalid argument"
        }
    }

    static func operatorFacts(_ e: MoteError, _ context: ErrorContext) -> OperatorFacts? {
        guard let facts = context.facts, e.operatorIndex >= 0, Int(e.operatorIndex) < facts.operators.count else { return nil }
        return facts.operators[Int(e.operatorIndex)]
    }

    /// `kind: message: value; at operator 3 (CONV_2D v3), tensor 12 (int8 1x30x30x8)`.
    static func describe(_ e: MoteError, _ context: ErrorContext) -> String {
        let message = e.message.description
        // "arena too small: arena too small for ..." says it twice.
        var text = message.hasPrefix(phrase(e.kind)) ? message : "\(phrase(e.kind)): \(message)"
        switch e.kind {
        case .arenaTooSmall:
            text += ": needs \(Format.bytes(e.value))"
            if let size = context.arenaBytes {
                text += " (the arena has \(Format.bytes(size))" + (context.arenaGiven ? "; give --arena \(e.value) or leave --arena out)" : ")")
            }
        case .malformedModel:
            if e.value > 0 { text += " (at byte offset \(Format.grouped(e.value)))" }
        case .unsupportedOperator:
            if message.contains("version") {
                text += " (version \(e.value))"
            } else if e.value > 0 {
                text += " (builtin code \(e.value), \(BuiltinOperatorNames.name(of: Int32(truncatingIfNeeded: e.value))))"
            }
        default:
            if e.value != 0 { text += " (value \(Format.grouped(e.value)))" }
        }
        var place: [String] = []
        if e.operatorIndex >= 0 {
            if let op = operatorFacts(e, context) {
                place.append("operator \(e.operatorIndex) (\(op.name) v\(op.version))")
            } else {
                place.append("operator \(e.operatorIndex)")
            }
        }
        if e.tensorIndex >= 0 {
            if let t = context.facts?.tensor(Int(e.tensorIndex)) {
                place.append("tensor \(e.tensorIndex) (\(t.typeAndShape)\(t.isConstant ? ", constant" : ""))")
            } else {
                place.append("tensor \(e.tensorIndex)")
            }
        }
        if !place.isEmpty { text += "; at " + place.joined(separator: ", ") }
        return text
    }

    /// The reason of a Foundation file error in a few words (`no such file`).
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError), posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return String(cString: strerror(ENOENT))
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return String(cString: strerror(EACCES))
            default: break
            }
        }
        return ns.localizedDescription
    }
}
