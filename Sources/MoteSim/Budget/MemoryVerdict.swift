/// A footprint judged against a budget.
public struct MemoryVerdict: Codable, Equatable, Sendable {
    /// What was measured.
    public var footprint: MemoryFootprint
    /// RAM against its limit.
    public var ram: BudgetCheck
    /// Flash against its limit.
    public var flash: BudgetCheck

    /// True when both resources fit (resources without a limit always do).
    public var fits: Bool { ram.fits && flash.fits }

    /// True when at least one limit was given.
    public var hasBudget: Bool { ram.limit != nil || flash.limit != nil }

    /// One line: `fits the budget: RAM ... ; flash ...`, `does NOT fit the budget: ...`, or
    /// `no budget given: RAM ...; flash ...`.
    public var line: String {
        let head = !hasBudget ? "no budget given" : fits ? "fits the budget" : "does NOT fit the budget"
        return "\(head): \(ram.summary); \(flash.summary)"
    }
}
