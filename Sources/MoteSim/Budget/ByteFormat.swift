import Foundation

/// Number formatting shared by the harness's and the reports' one-line summaries.
public enum ByteFormat {
    /// `1234567` as `1,234,567`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// A fraction as a percentage with one decimal: 0.4592 → `45.9%`.
    public static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }
}
