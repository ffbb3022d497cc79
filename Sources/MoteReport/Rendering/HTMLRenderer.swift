/// `report.html`: one self-contained page (inline CSS and SVG, no scripts, no external
/// resources), well-formed XML as well as HTML, opening with the verdict line.
public enum HTMLRenderer {
    public static func render(_ r: Report) -> String {
        var body = "<h1>Accuracy-drop report</h1>\n"
        let failed = (r.gate.map { !$0.passed } ?? false) || !r.memory.fits
        body += "<p class=\"verdict\(failed ? " fail" : "")\">\(e(r.verdict))</p>\n"
        body += ReportText.summaryLines(r).map { "<p>\(e($0))</p>" }.joined(separator: "\n") + "\n"
        body += "<p class=\"small\">Data: <code>\(e(r.data.directory))</code>, \(r.data.images) images, classes \(e(r.data.classes.joined(separator: ", "))); \(e(r.data.preprocessing)).</p>\n"
        body += "<h2>Models</h2>\n" + table(ReportText.modelColumns, ReportText.modelRows(r))
        body += "<p>Predictions changed float → int8: \(e(ReportText.changedSummary(r))).</p>\n"
        body += "<div class=\"row\">" + ConfusionMatrixChart.svg(r.floatConfusion, classes: r.data.classes, title: "float confusion matrix")
        body += ConfusionMatrixChart.svg(r.int8Confusion, classes: r.data.classes, title: "int8 confusion matrix") + "</div>\n"
        if r.accuracy.changedPredictions > 0 {
            body += "<h3>Changed predictions\(e(ReportText.changedNote(r)))</h3>\n" + table(ReportText.changedColumns, ReportText.changedRows(r))
        }
        body += "<h2>Layers</h2>\n<p class=\"small\">Dequantized int8 vs float over \(r.layerImages) images; SQNR = 10 log10(Σf² / Σ(q − f)²) over all elements of all images.</p>\n"
        body += SQNRBarChart.svg(r.layers) + "\n"
        body += table(ReportText.layerColumns, r.layers.map(ReportText.layerRow))
        if !r.unmatched.isEmpty {
            body += "<h3>Not compared</h3>\n" + table(ReportText.unmatchedColumns, r.unmatched.map(ReportText.unmatchedRow))
        }
        if let w = r.worstLayer {
            body += "<h2>Worst layer: #\(w.int8Operator) \(e(w.opName)) \(e(w.name))</h2>\n"
            body += HistogramChart.svg(float: w.floatHistogram, int8: w.int8Histogram,
                                       title: "activations of \(w.name), SQNR " + (w.sqnrDB.map { Report.fixed($0, 1) + " dB" } ?? "exact")) + "\n"
        }
        body += "<h2>Memory</h2>\n" + MemoryChart.svg(r.memory) + "\n" + table(ReportText.memoryColumns, ReportText.memoryRows(r.memory))
        if let a = ReportText.arenaLine(r.memory.footprint) { body += "<p class=\"small\">\(e(a))</p>\n" }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>\(e(r.verdict))</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1100px; }
            .verdict { font-size: 1.25em; font-weight: bold; padding: 10px 14px; background: #e8f4e8; border-left: 6px solid #5cb85c; }
            .verdict.fail { background: #fbeaea; border-left-color: #d9534f; }
            table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9em; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
            th { background: #f4f4f4; }
            td.t { text-align: left; }
            .small { font-size: 0.85em; color: #555; }
            .row svg { margin-right: 24px; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var out = "<table><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
        // Numbers align right, words left.
        func numeric(_ s: String) -> Bool { s.first.map { $0.isNumber || ($0 == "-" && s.count > 1) } ?? false }
        for r in rows { out += "<tr>" + r.map { numeric($0) ? "<td>\(e($0))</td>" : "<td class=\"t\">\(e($0))</td>" }.joined() + "</tr>\n" }
        return out + "</table>\n"
    }

    static func e(_ s: String) -> String { SVG.escape(s) }
}
