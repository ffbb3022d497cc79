/// What running a model takes, in bytes.
///
/// On the host, `ram` is the arena the core needs (planned + persistent part plus the bytes
/// skipped to align it, `Interpreter.ArenaUsage.required`) and `flash` is the model file (the core
/// reads weights in place). On a firmware target both come from the linker: `flash` = text +
/// rodata (code and the linked-in model), `ram` = data + bss + arena + stack.
public struct MemoryFootprint: Codable, Equatable, Sendable {
    /// Where the figures come from: `host` or a firmware target name.
    public var target: String
    /// The arena's planned part (activations and scratch), when known.
    public var arenaPlanned: Int?
    /// The arena's persistent part (records, operator parameters), when known.
    public var arenaPersistent: Int?
    /// Bytes of RAM the model needs (see the type's notes).
    public var ram: Int
    /// Bytes of flash the model needs (see the type's notes).
    public var flash: Int

    /// Memberwise (arena parts nil when the target does not report them).
    public init(target: String, arenaPlanned: Int? = nil, arenaPersistent: Int? = nil, ram: Int, flash: Int) {
        self.target = target
        self.arenaPlanned = arenaPlanned
        self.arenaPersistent = arenaPersistent
        self.ram = ram
        self.flash = flash
    }
}
