/// What one firmware run reported.
public struct FirmwareRun: Codable, Equatable, Sendable {
    /// The target name (`cortex-m4`, `aarch64-linux`).
    public var target: String
    /// The raw bytes of each model output, read back from the output files.
    public var outputs: [[UInt8]]
    /// Guest instructions per inference (QEMU plugin), when the driver counted them.
    public var instructions: Int?
    /// Firmware flash (text + rodata) and RAM (data + bss + arena + stack) from the linker.
    public var flash: Int?
    public var ram: Int?
    /// The arena inside `ram`, when the driver reports it.
    public var arena: Int?
    /// The driver's own verdicts against `--flash`/`--ram` (from the linker), nil without a budget.
    public var flashFits: Bool?
    public var ramFits: Bool?
    /// Instructions per operator (inference 0, each count includes about 10 marker
    /// instructions), when asked for with `perOperator`.
    public var perOperator: [OperatorInstructions]
    /// The driver's JSON document as printed.
    public var rawJSON: String
}
