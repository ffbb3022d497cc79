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

/// A model file.
public struct ModelInfo: Codable, Equatable, Sendable {
    /// The path as given.
    public var path: String
    /// File size.
    public var bytes: Int
    /// Operators of subgraph 0.
    public var operators: Int
    /// Total multiply-accumulates per inference (ModelSummary's count).
    public var macs: Int

    /// Memberwise.
    public init(path: String, bytes: Int, operators: Int, macs: Int) {
        self.path = path
        self.bytes = bytes
        self.operators = operators
        self.macs = macs
    }
}

/// The labeled folder and the preprocessing.
public struct DataInfo: Codable, Equatable, Sendable {
    public var directory: String
    /// Class names; class index = position.
    public var classes: [String]
    /// Images evaluated.
    public var images: Int
    /// How images were prepared, in words (`64x64 RGB, bilinear, x*0.00392157+0`).
    public var preprocessing: String

    /// Memberwise.
    public init(directory: String, classes: [String], images: Int, preprocessing: String) {
        self.directory = directory
        self.classes = classes
        self.images = images
        self.preprocessing = preprocessing
    }
}

/// One image's outcome under both models.
public struct ImagePrediction: Codable, Equatable, Sendable {
    /// The file, relative to the data folder.
    public var file: String
    /// The true class index.
    public var label: Int
    public var floatPrediction: Int
    public var int8Prediction: Int
    /// The models' outputs (dequantized for int8).
    public var floatOutput: [Double]
    public var int8Output: [Double]

    /// Memberwise.
    public init(file: String, label: Int, floatPrediction: Int, int8Prediction: Int, floatOutput: [Double], int8Output: [Double]) {
        self.file = file
        self.label = label
        self.floatPrediction = floatPrediction
        self.int8Prediction = int8Prediction
        self.floatOutput = floatOutput
        self.int8Output = int8Output
    }
}

/// Accuracy of both models over the same images.
public struct AccuracySummary: Codable, Equatable, Sendable {
    /// Images judged.
    public var images: Int
    /// Images each model classified right.
    public var floatCorrect: Int
    public var int8Correct: Int
    /// Images whose int8 prediction differs from the float one.
    public var changedPredictions: Int
    /// Of the changed predictions, those of a one-output (sigmoid) model whose int8 output is
    /// exactly 0.5, the decision threshold (0.5 is class 0): ties that the output's fixed
    /// quantization (scale 1/256, zero point -128 for LOGISTIC) makes possible.
    public var changedAtThreshold: Int
    /// Largest |int8 output − float output| over all images and output values.
    public var maxOutputError: Double

    /// Memberwise.
    public init(images: Int, floatCorrect: Int, int8Correct: Int, changedPredictions: Int, changedAtThreshold: Int = 0, maxOutputError: Double) {
        self.images = images
        self.floatCorrect = floatCorrect
        self.int8Correct = int8Correct
        self.changedPredictions = changedPredictions
        self.changedAtThreshold = changedAtThreshold
        self.maxOutputError = maxOutputError
    }

    /// floatCorrect / images (0 without images).
    public var floatAccuracy: Double { images > 0 ? Double(floatCorrect) / Double(images) : 0 }
    /// int8Correct / images (0 without images).
    public var int8Accuracy: Double { images > 0 ? Double(int8Correct) / Double(images) : 0 }
    /// (floatCorrect − int8Correct) / images × 100: percentage points lost (negative: gained).
    public var dropPP: Double { images > 0 ? Double(floatCorrect - int8Correct) / Double(images) * 100 : 0 }

    /// Counts everything from per-image predictions.
    public init(_ predictions: [ImagePrediction]) {
        var maxError = 0.0
        for p in predictions {
            for (a, b) in zip(p.floatOutput, p.int8Output) { maxError = max(maxError, abs(a - b)) }
        }
        self.init(images: predictions.count,
                  floatCorrect: predictions.filter { $0.floatPrediction == $0.label }.count,
                  int8Correct: predictions.filter { $0.int8Prediction == $0.label }.count,
                  changedPredictions: predictions.filter { $0.floatPrediction != $0.int8Prediction }.count,
                  changedAtThreshold: predictions.filter { $0.floatPrediction != $0.int8Prediction && $0.int8Output == [0.5] }.count,
                  maxOutputError: maxError)
    }
}

/// One compared layer, flattened for the renderings.
public struct LayerReport: Codable, Equatable, Sendable {
    /// The int8 operator index and output position; the float operator index.
    public var int8Operator: Int
    public var int8Output: Int
    public var floatOperator: Int
    public var opName: String
    public var name: String
    public var namesAgree: Bool
    public var shape: [Int]
    public var macs: Int
    /// SQNR in dB; nil when the int8 tensor had no error at all.
    public var sqnrDB: Double?
    public var cosine: Double
    public var maxAbsError: Double
    public var rmsError: Double
    /// Raw int8 values at -128 and 127, and float values the int8 range cannot represent.
    public var atMinimum: Int
    public var atMaximum: Int
    public var clipped: Int
    /// Elements compared (all images).
    public var elements: Int
    /// The int8 tensor's quantization.
    public var scale: Double
    public var zeroPoint: Int
    /// The sums behind the figures (see `ErrorStatistics`).
    public var signalEnergy: Double
    public var errorEnergy: Double

    public init(_ s: LayerStatistics) {
        let m = s.match, e = s.error
        int8Operator = m.int8Operator
        int8Output = m.int8Output
        floatOperator = m.floatOperator
        opName = m.opName
        name = m.name
        namesAgree = m.namesAgree
        shape = m.shape
        macs = m.macs
        sqnrDB = e.sqnrDB
        cosine = e.cosine
        maxAbsError = e.maxAbsError
        rmsError = e.rmsError
        atMinimum = e.atMinimum
        atMaximum = e.atMaximum
        clipped = e.clipped
        elements = e.count
        scale = s.scale
        zeroPoint = s.zeroPoint
        signalEnergy = e.signalEnergy
        errorEnergy = e.errorEnergy
    }
}

/// The lowest-SQNR layer and its value distributions.
public struct WorstLayer: Codable, Equatable, Sendable {
    public var int8Operator: Int
    public var name: String
    public var opName: String
    public var sqnrDB: Double?
    public var floatHistogram: Histogram
    public var int8Histogram: Histogram

    public init(_ s: LayerStatistics) {
        int8Operator = s.match.int8Operator
        name = s.match.name
        opName = s.match.opName
        sqnrDB = s.error.sqnrDB
        floatHistogram = s.floatHistogram
        int8Histogram = s.int8Histogram
    }
}

/// One inference of the int8 model on a firmware target, checked against the host.
public struct FirmwareCheck: Codable, Equatable, Sendable {
    /// `cortex-m4` or `aarch64-linux`.
    public var target: String
    /// Guest instructions per inference, when counted.
    public var instructions: Int?
    /// True when every output byte equals the host's for the same input.
    public var outputsMatchHost: Bool

    /// Memberwise.
    public init(target: String, instructions: Int?, outputsMatchHost: Bool) {
        self.target = target
        self.instructions = instructions
        self.outputsMatchHost = outputsMatchHost
    }
}

/// `--max-drop PP`: the largest accuracy drop accepted.
public struct DropGate: Codable, Equatable, Sendable {
    public var maxDropPP: Double
    /// True when the measured drop is at most `maxDropPP`.
    public var passed: Bool

    public init(maxDropPP: Double, dropPP: Double) {
        self.maxDropPP = maxDropPP
        // One ulp of slack so that `--max-drop 0.05` accepts a drop printed as 0.05.
        passed = dropPP <= maxDropPP + 1e-9
    }
}
