import Foundation

/// A small SVG writer: elements as text, every attribute and text escaped, numbers with at
/// most two decimals. The output is well-formed XML, meant to be inlined in HTML.
struct SVG {
    private(set) var body = ""
    let width: Double
    let height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// `<svg ...>body</svg>` with a title for screen readers.
    func rendered(title: String) -> String {
        "<svg viewBox=\"0 0 \(SVG.n(width)) \(SVG.n(height))\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\" role=\"img\" aria-label=\"\(SVG.escape(title))\"><title>\(SVG.escape(title))</title>\(body)</svg>"
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, title: String? = nil, stroke: String? = nil) {
        let s = stroke.map { " stroke=\"\($0)\"" } ?? ""
        if let title {
            body += "<rect x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" width=\"\(SVG.n(max(width, 0)))\" height=\"\(SVG.n(max(height, 0)))\" fill=\"\(fill)\"\(s)><title>\(SVG.escape(title))</title></rect>"
        } else {
            body += "<rect x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" width=\"\(SVG.n(max(width, 0)))\" height=\"\(SVG.n(max(height, 0)))\" fill=\"\(fill)\"\(s)/>"
        }
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body += "<line x1=\"\(SVG.n(x1))\" y1=\"\(SVG.n(y1))\" x2=\"\(SVG.n(x2))\" y2=\"\(SVG.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(SVG.n(width))\"\(d)/>"
    }

    /// A polyline through `points`.
    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, fill: String = "none", opacity: Double = 1) {
        let p = points.map { "\(SVG.n($0.0)),\(SVG.n($0.1))" }.joined(separator: " ")
        body += "<polyline points=\"\(p)\" fill=\"\(fill)\" fill-opacity=\"\(SVG.n(opacity))\" stroke=\"\(stroke)\" stroke-width=\"\(SVG.n(width))\"/>"
    }

    /// Text anchored at `anchor` (`start`, `middle`, `end`).
    mutating func text(_ s: String, x: Double, y: Double, anchor: String = "start", size: Double = 11, fill: String = "#222", bold: Bool = false) {
        body += "<text x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(SVG.n(size))\" fill=\"\(fill)\"\(bold ? " font-weight=\"bold\"" : "")>\(SVG.escape(s))</text>"
    }

    /// A number for an attribute: two decimals at most, no trailing zeros.
    static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        var s = String(format: "%.2f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
