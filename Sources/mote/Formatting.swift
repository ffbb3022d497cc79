import Foundation
import MoteSim

/// Number and shape formatting for people (the JSON output always carries the raw numbers).
enum Format {
    /// `1234567` as `1,234,567`.
    static func grouped(_ n: Int) -> String { ByteFormat.grouped(n) }

    /// `n` bytes with the unit spelled out: `1 byte`, `3,072 bytes`.
    static func bytes(_ n: Int) -> String { n == 1 ? "1 byte" : "\(grouped(n)) bytes" }

    /// Bytes with a binary-prefixed approximation for large values: `1,225,640 bytes (1.17 MiB)`.
    static func bytesApprox(_ n: Int) -> String {
        if n < 10 * 1024 { return bytes(n) }
        if n < 1 << 20 { return "\(bytes(n)) (\(String(format: "%.1f", Double(n) / 1024)) KiB)" }
        return "\(bytes(n)) (\(String(format: "%.2f", Double(n) / Double(1 << 20))) MiB)"
    }

    /// A count of multiply-accumulates with a decimal-prefixed approximation: `407,552 (407.6 k)`,
    /// `7,489,664 (7.49 M)`.
    static func macs(_ n: Int) -> String {
        if n < 10_000 { return grouped(n) }
        if n < 1_000_000 { return "\(grouped(n)) (\(String(format: "%.1f", Double(n) / 1e3)) k)" }
        if n < 1_000_000_000 { return "\(grouped(n)) (\(String(format: "%.2f", Double(n) / 1e6)) M)" }
        return "\(grouped(n)) (\(String(format: "%.2f", Double(n) / 1e9)) G)"
    }

    /// A shape as `1x32x32x3`; a scalar is `scalar`.
    static func shape(_ dims: [Int]) -> String {
        dims.isEmpty ? "scalar" : dims.map(String.init).joined(separator: "x")
    }

    /// A quantization scale with 6 significant digits (`0.00392157`).
    static func scale(_ s: Float) -> String { String(format: "%.6g", Double(s)) }

    /// A duration given in milliseconds: three decimals, or microseconds below 0.1 ms.
    static func ms(_ x: Double) -> String {
        x < 0.1 ? String(format: "%.2f µs", x * 1000) : String(format: "%.3f ms", x)
    }

    /// `count` followed by the singular or plural noun: `1 operator`, `11 operators`.
    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(grouped(n)) \(n == 1 ? singular : (plural ?? singular + "s"))"
    }
}

/// A table of aligned columns for the terminal: a header row, then rows, each column padded
/// to its widest cell; numbers right-aligned.
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        let title: String
        let alignment: Alignment
    }

    let columns: [Column]
    private(set) var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        self.columns = columns.map { Column(title: $0.0, alignment: $0.1) }
    }

    /// Appends a row; missing trailing cells are empty.
    mutating func add(_ cells: [String]) {
        precondition(cells.count <= columns.count, "row has more cells than the table has columns")
        rows.append(cells + Array(repeating: "", count: columns.count - cells.count))
    }

    /// The table as lines, each indented by `indent` spaces, columns separated by two spaces,
    /// trailing blanks trimmed; the header row only when `header` is true.
    func render(indent: Int = 2, header: Bool = true) -> String {
        var widths = columns.map { header ? $0.title.count : 0 }
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                parts.append(columns[i].alignment == .right ? pad + cell : cell + pad)
            }
            let text = String(repeating: " ", count: indent) + parts.joined(separator: "  ")
            return String(text.reversed().drop { $0 == " " }.reversed())
        }
        return ((header ? [line(columns.map(\.title))] : []) + rows.map(line)).joined(separator: "\n")
    }
}
