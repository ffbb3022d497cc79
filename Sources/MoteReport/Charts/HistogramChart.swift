import Foundation
import MoteSim

/// Two histograms over the same bins drawn as step outlines: the float reference (filled,
/// blue) and the dequantized int8 values (orange line). Heights are log10(1 + count) so that
/// a dominant bin (exact zeros after a ReLU) does not flatten the rest; values outside the
/// range are noted below the axis.
enum HistogramChart {
    static func svg(float f: Histogram, int8 q: Histogram, title: String) -> String {
        let width = 640.0, plotHeight = 180.0, left = 50.0, top = 30.0, plotWidth = width - left - 20
        var svg = SVG(width: width, height: top + plotHeight + 62)
        svg.text(title, x: left, y: 16, size: 12, bold: true)
        let bins = max(f.counts.count, 1)
        let peak = log10(1 + Double(max(f.counts.max() ?? 0, q.counts.max() ?? 0, 1)))
        func points(_ h: Histogram) -> [(Double, Double)] {
            var p: [(Double, Double)] = [(left, top + plotHeight)]
            for (i, c) in h.counts.enumerated() {
                let y = top + plotHeight - log10(1 + Double(c)) / peak * plotHeight
                p.append((left + Double(i) * plotWidth / Double(bins), y))
                p.append((left + Double(i + 1) * plotWidth / Double(bins), y))
            }
            p.append((left + plotWidth, top + plotHeight))
            return p
        }
        svg.polyline(points(f), stroke: "#337ab7", width: 1, fill: "#337ab7", opacity: 0.35)
        svg.polyline(points(q), stroke: "#e8731a", width: 1.5)
        svg.line(x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight, stroke: "#888")
        svg.line(x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: "#888")
        for k in 0...4 {
            let x = left + Double(k) * plotWidth / 4
            let v = f.lower + Double(k) * (f.upper - f.lower) / 4
            svg.line(x1: x, y1: top + plotHeight, x2: x, y2: top + plotHeight + 4, stroke: "#888")
            svg.text(String(format: "%.3g", v), x: x, y: top + plotHeight + 16, anchor: "middle", size: 10, fill: "#555")
        }
        svg.text("count (log)", x: left - 6, y: top + 8, anchor: "end", size: 9, fill: "#555")
        svg.rect(x: left + 4, y: top + plotHeight + 30, width: 12, height: 10, fill: "#337ab7")
        svg.text("float (\(f.total) values; \(f.below) below, \(f.above) above the int8 range)", x: left + 20, y: top + plotHeight + 39, size: 10)
        svg.line(x1: left + 4, y1: top + plotHeight + 51, x2: left + 16, y2: top + plotHeight + 51, stroke: "#e8731a", width: 2)
        svg.text("dequantized int8 (\(q.total) values)", x: left + 20, y: top + plotHeight + 55, size: 10)
        return svg.rendered(title: title)
    }
}
