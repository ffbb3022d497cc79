/// A confusion matrix as a grid: rows are true classes, columns predicted classes, each cell
/// its count, shaded by count / largest count.
enum ConfusionMatrixChart {
    static func svg(_ matrix: [[Int]], classes: [String], title: String) -> String {
        let n = matrix.count
        let names = (0..<n).map { $0 < classes.count ? classes[$0] : "class \($0)" }
        let cell = n > 6 ? 36.0 : 64.0, left = 90.0, top = 46.0
        var svg = SVG(width: left + Double(n) * cell + 20, height: top + Double(n) * cell + 34)
        svg.text(title, x: left, y: 14, size: 12, bold: true)
        svg.text("predicted", x: left + Double(n) * cell / 2, y: 30, anchor: "middle", size: 10, fill: "#555")
        let largest = max(matrix.flatMap { $0 }.max() ?? 1, 1)
        for (r, row) in matrix.enumerated() {
            svg.text(names[r], x: left - 6, y: top + Double(r) * cell + cell / 2 + 4, anchor: "end", size: 11)
            for (c, count) in row.enumerated() {
                let t = Double(count) / Double(largest)
                // From near-white to a saturated blue.
                let shade = { (lo: Double, hi: Double) in Int(lo + (hi - lo) * t) }
                let fill = "rgb(\(shade(245, 33)),\(shade(248, 102)),\(shade(252, 172)))"
                svg.rect(x: left + Double(c) * cell, y: top + Double(r) * cell, width: cell - 2, height: cell - 2, fill: fill,
                         title: "true \(names[r]), predicted \(names[c]): \(count)")
                svg.text("\(count)", x: left + Double(c) * cell + cell / 2 - 1, y: top + Double(r) * cell + cell / 2 + 4,
                         anchor: "middle", size: 12, fill: t > 0.5 ? "#fff" : "#222")
            }
        }
        for c in 0..<n {
            svg.text(names[c], x: left + Double(c) * cell + cell / 2, y: top + Double(n) * cell + 14, anchor: "middle", size: 11)
        }
        svg.text("true", x: 12, y: top + Double(n) * cell / 2, size: 10, fill: "#555")
        return svg.rendered(title: title)
    }
}
