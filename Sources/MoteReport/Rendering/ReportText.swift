import MoteSim

/// Pieces of text shared by the Markdown and HTML renderings, so both say the same thing.
enum ReportText {
    /// The lines under the verdict: memory, and the gate when there is one.
    static func summaryLines(_ r: Report) -> [String] {
        var lines = ["Memory: " + r.memory.line + "."]
        if let f = firmwareLine(r) { lines.append(f) }
        if let g = r.gate {
            lines.append("Accuracy gate: drop \(Report.fixed(r.accuracy.dropPP, 2)) pp " + (g.passed ? "is within" : "EXCEEDS") + " --max-drop \(Report.fixed(g.maxDropPP, 2)) pp.")
        }
        if r.layerImages < r.accuracy.images {
            lines.append("Per-layer statistics over \(r.layerImages) of the \(r.accuracy.images) images.")
        }
        return lines
    }

    /// `cortex-m4 firmware: 103,994,709 instructions per inference; outputs equal the host's.`
    static func firmwareLine(_ r: Report) -> String? {
        guard let f = r.firmware else { return nil }
        let count = f.instructions.map { "\(ByteFormat.grouped($0)) instructions per inference" } ?? "instructions not counted"
        return "\(f.target) firmware: \(count); outputs " + (f.outputsMatchHost ? "equal the host's byte for byte." : "DIFFER from the host's.")
    }

    static let layerColumns = ["#", "operator", "layer", "shape", "MACs", "SQNR dB", "cosine", "max abs err", "at -128", "at 127", "clipped"]

    /// One row of the layer table.
    static func layerRow(_ l: LayerReport) -> [String] {
        [String(l.int8Operator) + (l.int8Output > 0 ? ".\(l.int8Output)" : ""), l.opName,
         l.name + (l.namesAgree ? "" : " (float name differs)"),
         l.shape.map(String.init).joined(separator: "x"), ByteFormat.grouped(l.macs),
         l.sqnrDB.map { Report.fixed($0, 1) } ?? "exact", Report.fixed(l.cosine, 5), String(format: "%.4g", l.maxAbsError),
         ByteFormat.grouped(l.atMinimum), ByteFormat.grouped(l.atMaximum), ByteFormat.grouped(l.clipped)]
    }

    static let modelColumns = ["model", "file", "bytes", "operators", "MACs", "accuracy", "correct"]

    static func modelRows(_ r: Report) -> [[String]] {
        [["float", r.floatModel.path, ByteFormat.grouped(r.floatModel.bytes), String(r.floatModel.operators), ByteFormat.grouped(r.floatModel.macs),
          Report.percent(r.accuracy.floatAccuracy), "\(r.accuracy.floatCorrect) of \(r.accuracy.images)"],
         ["int8", r.int8Model.path, ByteFormat.grouped(r.int8Model.bytes), String(r.int8Model.operators), ByteFormat.grouped(r.int8Model.macs),
          Report.percent(r.accuracy.int8Accuracy), "\(r.accuracy.int8Correct) of \(r.accuracy.images)"]]
    }

    static let memoryColumns = ["resource", "used (bytes)", "budget (bytes)", "use", "verdict"]

    static func memoryRows(_ v: MemoryVerdict) -> [[String]] {
        [v.ram, v.flash].map { c in
            [c.resource, ByteFormat.grouped(c.used), c.limit.map(ByteFormat.grouped) ?? "none",
             c.fraction.map { $0.isFinite ? ByteFormat.percent($0) : "-" } ?? "-", c.limit == nil ? "not checked" : c.fits ? "fits" : "over"]
        }
    }

    /// `arena 120,400 bytes = planned 100,000 + persistent 20,400 (host, compact kernels)`.
    static func arenaLine(_ f: MemoryFootprint) -> String? {
        guard let p = f.arenaPlanned, let s = f.arenaPersistent else {
            return f.target == "host" ? nil : "RAM on \(f.target) = data + bss + arena + stack, flash = text + rodata (code and the linked-in model) + data load, from the linked firmware."
        }
        return "RAM on \(f.target) is the core's arena: \(ByteFormat.grouped(f.ram)) bytes = planned \(ByteFormat.grouped(p)) (activations, scratch) + persistent \(ByteFormat.grouped(s)) (records, per-channel data) + alignment; flash is the model file."
    }

    static let changedColumns = ["image", "true class", "float", "int8"]
    /// Changed predictions listed in the renderings (all of them are in report.json).
    static let changedLimit = 25

    /// The images whose int8 prediction differs from the float one, first `changedLimit`.
    static func changedRows(_ r: Report) -> [[String]] {
        func name(_ c: Int) -> String { c >= 0 && c < r.data.classes.count ? r.data.classes[c] : "class \(c)" }
        func outputs(_ v: [Double]) -> String { v.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: " ") + (v.count > 4 ? " ..." : "") }
        return r.predictions.filter { $0.floatPrediction != $0.int8Prediction }.prefix(changedLimit).map { p in
            [p.file, name(p.label), "\(name(p.floatPrediction)) (\(outputs(p.floatOutput)))", "\(name(p.int8Prediction)) (\(outputs(p.int8Output)))"]
        }
    }

    /// `43 of 3888; 41 of them with the int8 output exactly at the 0.5 threshold`.
    static func changedSummary(_ r: Report) -> String {
        let a = r.accuracy
        var s = "\(a.changedPredictions) of \(a.images)"
        if a.changedAtThreshold > 0 { s += "; \(a.changedAtThreshold) of them with the int8 output exactly at the 0.5 threshold (a tie, class 0)" }
        return s
    }

    /// `(first 25 of 120)` when the list is cut, else empty.
    static func changedNote(_ r: Report) -> String {
        r.accuracy.changedPredictions > changedLimit ? " (first \(changedLimit) of \(r.accuracy.changedPredictions); all in report.json)" : ""
    }

    static let unmatchedColumns = ["model", "#", "operator", "why not compared"]

    static func unmatchedRow(_ u: UnmatchedLayer) -> [String] { [u.model, String(u.operatorIndex), u.opName, u.reason] }

    /// The confusion matrix as rows, with the class names as the first column.
    static func confusionRows(_ m: [[Int]], classes: [String]) -> [[String]] {
        m.enumerated().map { r, row in [r < classes.count ? classes[r] : "class \(r)"] + row.map(String.init) }
    }
}

extension Report {
    /// `cortex-m4 firmware: N instructions per inference; outputs equal the host's byte for
    /// byte.`, nil when no firmware ran.
    public var firmwareLine: String? { ReportText.firmwareLine(self) }
}
