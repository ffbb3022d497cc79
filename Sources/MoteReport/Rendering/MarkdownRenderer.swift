/// `report.md`: the report as GitHub-flavoured Markdown, opening with the verdict line.
public enum MarkdownRenderer {
    public static func render(_ r: Report) -> String {
        var out = "# Accuracy-drop report\n\n**\(cell(r.verdict))**\n\n"
        out += ReportText.summaryLines(r).joined(separator: "\n") + "\n\n"
        out += "Data: `\(r.data.directory)`, \(r.data.images) images, classes \(r.data.classes.joined(separator: ", ")); \(r.data.preprocessing).\n\n"
        out += "## Models\n\n" + table(ReportText.modelColumns, ReportText.modelRows(r))
        out += "\nPredictions changed float -> int8: \(ReportText.changedSummary(r)); largest output difference \(String(format: "%.4g", r.accuracy.maxOutputError)).\n"
        if r.accuracy.changedPredictions > 0 {
            out += "\n### Changed predictions\(ReportText.changedNote(r))\n\n" + table(ReportText.changedColumns, ReportText.changedRows(r))
        }
        let header = ["true \\ predicted"] + r.data.classes
        out += "\n### Float confusion matrix\n\n" + table(header, ReportText.confusionRows(r.floatConfusion, classes: r.data.classes))
        out += "\n### Int8 confusion matrix\n\n" + table(header, ReportText.confusionRows(r.int8Confusion, classes: r.data.classes))
        out += "\n## Layers (int8 vs float, \(r.layerImages) images)\n\n"
        out += "SQNR = 10 log10(sum f^2 / sum (q - f)^2) over all elements of all images; q = dequantized int8, f = float.\n\n"
        out += table(ReportText.layerColumns, r.layers.map(ReportText.layerRow))
        if !r.unmatched.isEmpty {
            out += "\n### Not compared\n\n" + table(ReportText.unmatchedColumns, r.unmatched.map(ReportText.unmatchedRow))
        }
        if let w = r.worstLayer {
            out += "\n## Worst layer: #\(w.int8Operator) \(w.opName) \(w.name)\n\n"
            out += "SQNR " + (w.sqnrDB.map { Report.fixed($0, 1) + " dB" } ?? "exact") + ". "
            out += "Float values below / above the int8 range: \(w.floatHistogram.below) / \(w.floatHistogram.above) of \(w.floatHistogram.total). "
            out += "Histograms (64 bins over \(String(format: "%.4g", w.floatHistogram.lower)) .. \(String(format: "%.4g", w.floatHistogram.upper))) are in report.json and report.html.\n"
        }
        out += "\n## Memory\n\n" + table(ReportText.memoryColumns, ReportText.memoryRows(r.memory))
        if let a = ReportText.arenaLine(r.memory.footprint) { out += "\n" + a + "\n" }
        return out
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var out = "| " + header.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for r in rows { out += "| " + r.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }

    /// Escapes the characters that would break a table cell or start markup.
    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
