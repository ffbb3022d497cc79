import MoteSim

/// RAM and flash as bars against their budgets: the bar is the bytes used (green when it fits,
/// red when over), a dashed line marks the limit; the scale is the larger of use and limit.
enum MemoryChart {
    static func svg(_ v: MemoryVerdict) -> String {
        let left = 70.0, barWidth = 460.0, rowHeight = 40.0, top = 24.0
        var svg = SVG(width: left + barWidth + 150, height: top + 2 * rowHeight + 10)
        svg.text("memory (\(v.footprint.target)) against the budget", x: left, y: 14, size: 12, bold: true)
        for (i, check) in [v.ram, v.flash].enumerated() {
            let y = top + Double(i) * rowHeight
            let full = Double(max(check.used, check.limit ?? 0, 1))
            let length = Double(check.used) / full * barWidth
            svg.text(check.resource, x: left - 8, y: y + 20, anchor: "end", size: 11)
            svg.rect(x: left, y: y + 6, width: barWidth, height: 20, fill: "#f2f2f2")
            svg.rect(x: left, y: y + 6, width: length, height: 20, fill: check.fits ? "#5cb85c" : "#d9534f", title: check.summary)
            if let limit = check.limit {
                let x = left + Double(limit) / full * barWidth
                svg.line(x1: x, y1: y + 2, x2: x, y2: y + 30, stroke: "#222", width: 1.5, dash: "4 2")
            }
            let label = ByteFormat.grouped(check.used) + (check.limit.map { " / " + ByteFormat.grouped($0) } ?? "") + " B"
            svg.text(label, x: left + barWidth + 6, y: y + 20, size: 10)
        }
        return svg.rendered(title: "memory bars against the budget")
    }
}
