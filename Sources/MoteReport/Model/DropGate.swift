/// `--max-drop PP`: the largest accuracy drop accepted.
public struct DropGate: Codable, Equatable, Sendable {
    public var maxDropPP: Double
    /// True when the measured drop is at most `maxDropPP`.
    public var passed: Bool

    public init(maxDropPP: Double, dropPP: Double) {
        self.maxDropPP = maxDropPP
        // One ulp of slack so that `--max-drop 0.05` accepts a drop printed as 0.05.
        passed = dropPP <= maxDropPP + 1e-9
    }
}
