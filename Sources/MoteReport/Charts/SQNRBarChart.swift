/// Per-layer SQNR as horizontal bars, one row per compared layer in execution order.
/// Bar length is proportional to SQNR over 0 … max(40 dB, the largest SQNR); layers without
/// error get a full bar labeled `exact`, negative SQNR no bar. Colour: below 10 dB red, below
/// 20 dB amber, otherwise green.
enum SQNRBarChart {
    static func svg(_ layers: [LayerReport]) -> String {
        let rowHeight = 22.0, labelWidth = 250.0, barWidth = 380.0, top = 24.0
        let height = top + Double(max(layers.count, 1)) * rowHeight + 28
        var svg = SVG(width: labelWidth + barWidth + 80, height: height)
        let top40 = max(40, layers.compactMap(\.sqnrDB).max() ?? 40)
        let scale = barWidth / top40
        svg.text("SQNR (dB), dequantized int8 vs float", x: labelWidth, y: 14, size: 12, bold: true)
        for (i, l) in layers.enumerated() {
            let y = top + Double(i) * rowHeight
            svg.text("#\(l.int8Operator) \(l.opName) \(l.name)", x: labelWidth - 8, y: y + 15, anchor: "end", size: 11)
            let value = l.sqnrDB
            let length = value.map { max(0, min($0, top40)) * scale } ?? barWidth
            let colour = value.map { $0 < 10 ? "#d9534f" : $0 < 20 ? "#f0ad4e" : "#5cb85c" } ?? "#5cb85c"
            let label = value.map { Report.fixed($0, 1) + " dB" } ?? "exact"
            svg.rect(x: labelWidth, y: y + 3, width: length, height: rowHeight - 6, fill: colour,
                     title: "\(l.name): \(label), cosine \(Report.fixed(l.cosine, 5)), max abs error \(Report.fixed(l.maxAbsError, 4))")
            svg.text(label, x: labelWidth + length + 5, y: y + 15, size: 11)
        }
        // Axis with ticks every 10 dB.
        let axisY = top + Double(layers.count) * rowHeight + 4
        svg.line(x1: labelWidth, y1: axisY, x2: labelWidth + barWidth, y2: axisY, stroke: "#888")
        var tick = 0.0
        while tick <= top40 + 1e-9 {
            let x = labelWidth + tick * scale
            svg.line(x1: x, y1: axisY, x2: x, y2: axisY + 4, stroke: "#888")
            svg.text(Report.fixed(tick, 0), x: x, y: axisY + 16, anchor: "middle", size: 10, fill: "#555")
            tick += 10
        }
        return svg.rendered(title: "per-layer SQNR bars")
    }
}
