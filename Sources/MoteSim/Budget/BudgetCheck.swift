/// One resource against its limit.
public struct BudgetCheck: Codable, Equatable, Sendable {
    /// `RAM` or `flash`.
    public var resource: String
    /// Bytes used.
    public var used: Int
    /// The limit, nil when none was given.
    public var limit: Int?

    /// `used` bytes of `resource` against `limit` (nil: none).
    public init(resource: String, used: Int, limit: Int?) {
        self.resource = resource
        self.used = used
        self.limit = limit
    }

    /// True when there is no limit or `used` ≤ `limit` (exactly at the limit fits).
    public var fits: Bool { limit.map { used <= $0 } ?? true }

    /// used / limit, nil without a limit (a limit of 0 gives infinity unless nothing is used).
    public var fraction: Double? {
        guard let limit else { return nil }
        if limit == 0 { return used == 0 ? 0 : .infinity }
        return Double(used) / Double(limit)
    }

    /// Bytes left (negative: over by that much), nil without a limit.
    public var headroom: Int? { limit.map { $0 - used } }

    /// `RAM 120,400 of 262,144 bytes (45.9%): fits`, `flash 4,820,952 of 1,048,576 bytes
    /// (459.8%): over by 3,772,376 bytes`, or `RAM 120,400 bytes (no budget)`.
    public var summary: String {
        guard let limit, let fraction, let headroom else { return "\(resource) \(ByteFormat.grouped(used)) bytes (no budget)" }
        let percent = fraction.isFinite ? " (" + ByteFormat.percent(fraction) + ")" : ""
        let tail = fits ? "fits" : "over by \(ByteFormat.grouped(-headroom)) bytes"
        return "\(resource) \(ByteFormat.grouped(used)) of \(ByteFormat.grouped(limit)) bytes\(percent): \(tail)"
    }
}
