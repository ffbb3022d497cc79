/// Limits on RAM and flash, in bytes (`--ram 256K --flash 1M`; the command line parses the
/// sizes with K = 1024, M = 1024²). A nil limit is not checked.
public struct MemoryBudget: Codable, Equatable, Sendable {
    /// Bytes of RAM allowed, nil for no limit.
    public var ram: Int?
    /// Bytes of flash allowed, nil for no limit.
    public var flash: Int?

    /// Limits in bytes; nil leaves a resource unchecked.
    public init(ram: Int? = nil, flash: Int? = nil) {
        self.ram = ram
        self.flash = flash
    }

    /// No limits at all.
    public var isEmpty: Bool { ram == nil && flash == nil }

    /// `footprint` judged against these limits.
    public func check(_ footprint: MemoryFootprint) -> MemoryVerdict {
        MemoryVerdict(footprint: footprint,
                      ram: BudgetCheck(resource: "RAM", used: footprint.ram, limit: ram),
                      flash: BudgetCheck(resource: "flash", used: footprint.flash, limit: flash))
    }
}
