/// A failure of the harness: a model it cannot run, inputs that do not fit a model, a firmware
/// target that is missing or misbehaves. `message` names the problem in one line.
public struct SimError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for people.
    public var message: String
    /// True when the failure is a missing tool (QEMU, the firmware driver), not a wrong result:
    /// callers may report it as "not run" instead of a failure.
    public var isUnavailable: Bool

    /// A failure with `message`; `unavailable` for a missing tool.
    public init(_ message: String, unavailable: Bool = false) {
        self.message = message
        isUnavailable = unavailable
    }

    /// The message.
    public var description: String { message }
}
