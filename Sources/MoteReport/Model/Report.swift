import MoteSim

/// An accuracy-drop report: what quantization cost, image by image and layer by layer, and
/// whether the int8 model fits its memory budget. `report.json` is this value encoded;
/// `report.md` and `report.html` are renderings of it (`MarkdownRenderer`, `HTMLRenderer`).
public struct Report: Codable, Equatable, Sendable {
    /// The one-line verdict the renderings open with (`Report.verdictLine`).
    public var verdict: String
    /// The two models.
    public var floatModel: ModelInfo
    public var int8Model: ModelInfo
    /// The labeled folder and how its images were prepared.
    public var data: DataInfo
    /// Accuracy of both models and how many predictions changed.
    public var accuracy: AccuracySummary
    /// Confusion matrices, `[true class][predicted class]`.
    public var floatConfusion: [[Int]]
    public var int8Confusion: [[Int]]
    /// Every image's label and both models' predictions and probabilities.
    public var predictions: [ImagePrediction]
    /// Per-layer comparison, int8 execution order.
    public var layers: [LayerReport]
    /// Images the per-layer statistics were accumulated over.
    public var layerImages: Int
    /// Operators that were not compared, with the reason.
    public var unmatched: [UnmatchedLayer]
    /// The layer with the lowest SQNR, with its activation histograms.
    public var worstLayer: WorstLayer?
    /// Memory against the budget.
    public var memory: MemoryVerdict
    /// The accuracy gate (`--max-drop`), when given.
    public var gate: DropGate?
    /// The int8 model run as firmware (`--target`), when it was: then `memory` holds the
    /// firmware's linker figures.
    public var firmware: FirmwareCheck?

    /// Memberwise; an empty `verdict` is derived (`verdictLine`).
    public init(verdict: String = "", floatModel: ModelInfo, int8Model: ModelInfo, data: DataInfo, accuracy: AccuracySummary,
                floatConfusion: [[Int]], int8Confusion: [[Int]], predictions: [ImagePrediction], layers: [LayerReport],
                layerImages: Int, unmatched: [UnmatchedLayer], worstLayer: WorstLayer?, memory: MemoryVerdict, gate: DropGate?) {
        self.verdict = verdict
        self.floatModel = floatModel
        self.int8Model = int8Model
        self.data = data
        self.accuracy = accuracy
        self.floatConfusion = floatConfusion
        self.int8Confusion = int8Confusion
        self.predictions = predictions
        self.layers = layers
        self.layerImages = layerImages
        self.unmatched = unmatched
        self.worstLayer = worstLayer
        self.memory = memory
        self.gate = gate
        if verdict.isEmpty { self.verdict = verdictLine }
    }

    /// `int8 95.10% vs float 95.30%: drop 0.20 pp, 12 of 2000 predictions changed, worst layer
    /// conv2d_2 at 21.0 dB`. Accuracies with two decimals (one image of 3,888 is 0.026 pp), the
    /// drop = float − int8 accuracy in percentage points (negative when int8 is better), the
    /// worst layer by SQNR with one decimal (`exact` when no layer has any error, `no layers
    /// compared` without layers).
    public var verdictLine: String {
        let a = accuracy
        var line = "int8 \(Report.percent(a.int8Accuracy)) vs float \(Report.percent(a.floatAccuracy)): drop \(Report.fixed(a.dropPP, 2)) pp, "
        line += "\(a.changedPredictions) of \(a.images) predictions changed, "
        if let w = worstLayer {
            line += "worst layer \(w.name) at " + (w.sqnrDB.map { "\(Report.fixed($0, 1)) dB" } ?? "exact (no error)")
        } else {
            line += "no layers compared"
        }
        return line
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        let s = String(format: "%.\(digits)f", x)
        return s == "-" + String(format: "%.\(digits)f", 0.0) ? String(format: "%.\(digits)f", 0.0) : s
    }

    static func percent(_ fraction: Double) -> String { fixed(fraction * 100, 2) + "%" }
}
