/// One inference of the int8 model on a firmware target, checked against the host.
public struct FirmwareCheck: Codable, Equatable, Sendable {
    /// `cortex-m4` or `aarch64-linux`.
    public var target: String
    /// Guest instructions per inference, when counted.
    public var instructions: Int?
    /// True when every output byte equals the host's for the same input.
    public var outputsMatchHost: Bool

    /// Memberwise.
    public init(target: String, instructions: Int?, outputsMatchHost: Bool) {
        self.target = target
        self.instructions = instructions
        self.outputsMatchHost = outputsMatchHost
    }
}
