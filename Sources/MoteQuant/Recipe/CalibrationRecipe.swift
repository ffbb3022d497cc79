import Foundation

/// How to calibrate and quantize: which observer chooses activation ranges, how many images,
/// and which accuracy-recovery passes run. Read from JSON with `init(json:)`, strictly: an
/// unknown field, a value of the wrong type or out of range is an error naming the field.
/// Every field is optional and defaults to the value below; `calibration/README.md` documents
/// each one and `calibration/default.json` spells the defaults out.
public struct CalibrationRecipe: Equatable, Sendable {
    /// The activation range observer.
    public enum ObserverKind: String, CaseIterable, Sendable {
        /// Exact minimum and maximum (`MinMaxObserver`).
        case minmax
        /// Moving average of per-sample minima and maxima (`MovingAverageMinMaxObserver`).
        case movingAverageMinMax = "moving_average_minmax"
        /// Both tails clipped at a percentile (`PercentileObserver`).
        case percentile
        /// The range minimizing the quantization MSE (`MSEObserver`).
        case mse
        /// TensorRT-style entropy calibration (`KLDivergenceObserver`).
        case kl
    }

    /// Where the model input's range comes from.
    public enum InputRange: String, CaseIterable, Sendable {
        /// From the preprocessing when known: pixels 0...255 map to `[offset, 255·scale + offset]`,
        /// so the input codes are the pixels themselves (no input rounding at all).
        case preprocessing
        /// From the observer, like every other tensor.
        case observed
    }

    /// Free text describing the recipe (ignored by the quantizer).
    public var description: String = ""
    /// `observer`: the activation observer (default `minmax`).
    public var observer: ObserverKind = .minmax
    /// `percentile`: for the percentile observer, in [50, 100] (default 99.999).
    public var percentile: Double = 99.999
    /// `averaging_constant`: for the moving-average observer, in (0, 1] (default 0.01).
    public var averagingConstant: Double = 0.01
    /// `histogram_bins`: bins per side of 0 of the histogram observers, 64...65536 (default 2048).
    public var histogramBins: Int = 2048
    /// `samples`: calibration images, 1...100000 (default 500).
    public var samples: Int = 500
    /// `seed`: seeds the class-balanced draw of calibration images, 0...2^53 (default 0).
    public var seed: UInt64 = 0
    /// `per_channel`: per-output-channel weight scales (default true); false: one per tensor.
    public var perChannel: Bool = true
    /// `fold_batch_norm`: fold a constant MUL/ADD after a conv or FC into it (default true).
    public var foldBatchNorm: Bool = true
    /// `cross_layer_equalization`: equalize depthwise → 1×1 conv pairs (default false).
    public var crossLayerEqualization: Bool = false
    /// `bias_correction`: fold the mean per-channel output error of the int8 model on the
    /// calibration data into conv/FC biases (default true).
    public var biasCorrection: Bool = true
    /// `saturation_clipping`: clip LOGISTIC/TANH input ranges to where their int8 output can
    /// still change (default true).
    public var saturationClipping: Bool = true
    /// `threshold_rounding`: round the logits of a sigmoid graph output up instead of to nearest,
    /// so that `p > 0.5` of the int8 model matches the float decision (default true; see
    /// `DecisionThresholdRounding`).
    public var thresholdRounding: Bool = true
    /// `input_range`: `preprocessing` or `observed` (default `preprocessing`).
    public var inputRange: InputRange = .preprocessing

    /// The defaults (the same as `calibration/default.json`).
    public init() {}

    static let fields: Set<String> = ["description", "observer", "percentile", "averaging_constant", "histogram_bins",
                                      "samples", "seed", "per_channel", "fold_batch_norm", "cross_layer_equalization",
                                      "bias_correction", "saturation_clipping", "threshold_rounding", "input_range"]

    /// Parses a recipe. Throws `QuantError.recipe(field:message:)` for malformed JSON (field
    /// `(file)`), a top level that is not an object, an unknown field, a wrong type, or a value
    /// out of range.
    public init(json: [UInt8]) throws(QuantError) {
        do {
            self = try JSONDecoder().decode(StrictRecipe.self, from: Data(json)).recipe
        } catch let error as QuantError {
            throw error
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = context.codingPath.first?.stringValue ?? "(file)"
            throw .recipe(field: field, message: field == "(file)" ? "the top level must be a JSON object" : "has the wrong type (\(Self.expectedType(field)))")
        } catch {
            throw .recipe(field: "(file)", message: "not valid JSON")
        }
    }

    private static func expectedType(_ field: String) -> String {
        switch field {
        case "description", "observer", "input_range": return "must be a string"
        case "percentile", "averaging_constant": return "must be a number"
        case "histogram_bins", "samples", "seed": return "must be an integer"
        default: return "must be true or false"
        }
    }

    /// Reads and parses the recipe file at `path`.
    public init(contentsOf path: String) throws(QuantError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .recipe(field: "(file)", message: "cannot read recipe '\(path)'")
        }
        try self.init(json: [UInt8](data))
    }

    /// A fresh observer of the recipe's kind.
    public func makeObserver() -> any RangeObserver {
        switch observer {
        case .minmax: return MinMaxObserver()
        case .movingAverageMinMax: return MovingAverageMinMaxObserver(averagingConstant: Float(averagingConstant))
        case .percentile: return PercentileObserver(percentile: percentile, binsPerSide: histogramBins)
        case .mse: return MSEObserver(binsPerSide: histogramBins)
        case .kl: return KLDivergenceObserver(binsPerSide: histogramBins)
        }
    }

    /// The recipe as the JSON object it was read from (all fields, defaults included).
    public var jsonObject: [String: Any] {
        ["description": description, "observer": observer.rawValue, "percentile": percentile,
         "averaging_constant": averagingConstant, "histogram_bins": histogramBins, "samples": samples,
         "seed": seed, "per_channel": perChannel, "fold_batch_norm": foldBatchNorm,
         "cross_layer_equalization": crossLayerEqualization, "bias_correction": biasCorrection,
         "saturation_clipping": saturationClipping, "threshold_rounding": thresholdRounding, "input_range": inputRange.rawValue]
    }
}

/// Decodes a recipe field by field so that every error names its field.
private struct StrictRecipe: Decodable {
    var recipe = CalibrationRecipe()

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for key in c.allKeys.map(\.stringValue).sorted() where !CalibrationRecipe.fields.contains(key) {
            throw QuantError.recipe(field: key, message: "unknown field (known: \(CalibrationRecipe.fields.sorted().joined(separator: ", ")))")
        }
        func has(_ k: String) -> Bool { c.contains(Key(stringValue: k)) }
        func string(_ k: String) throws -> String { try c.decode(String.self, forKey: Key(stringValue: k)) }
        func flag(_ k: String, _ v: inout Bool) throws { if has(k) { v = try c.decode(Bool.self, forKey: Key(stringValue: k)) } }
        func number(_ k: String, _ v: inout Double, _ ok: (Double) -> Bool, _ range: String) throws {
            guard has(k) else { return }
            let x = try c.decode(Double.self, forKey: Key(stringValue: k))
            guard x.isFinite, ok(x) else { throw QuantError.recipe(field: k, message: "\(x) is out of range: must be \(range)") }
            v = x
        }
        func integer(_ k: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard has(k) else { return nil }
            let x = try c.decode(Double.self, forKey: Key(stringValue: k))
            guard x.isFinite, x == x.rounded(.towardZero) else { throw QuantError.recipe(field: k, message: "\(x) is not an integer") }
            guard x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
                throw QuantError.recipe(field: k, message: "\(Int(x)) is out of range: must be in \(range.lowerBound)...\(range.upperBound)")
            }
            return Int(x)
        }
        if has("description") { recipe.description = try string("description") }
        if has("observer") {
            let s = try string("observer")
            guard let k = CalibrationRecipe.ObserverKind(rawValue: s) else {
                throw QuantError.recipe(field: "observer", message: "'\(s)' is not one of \(CalibrationRecipe.ObserverKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            recipe.observer = k
        }
        if has("input_range") {
            let s = try string("input_range")
            guard let k = CalibrationRecipe.InputRange(rawValue: s) else {
                throw QuantError.recipe(field: "input_range", message: "'\(s)' is not one of \(CalibrationRecipe.InputRange.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            recipe.inputRange = k
        }
        try number("percentile", &recipe.percentile, { $0 >= 50 && $0 <= 100 }, "in [50, 100]")
        try number("averaging_constant", &recipe.averagingConstant, { $0 > 0 && $0 <= 1 }, "in (0, 1]")
        if let v = try integer("histogram_bins", 64...65536) { recipe.histogramBins = v }
        if let v = try integer("samples", 1...100_000) { recipe.samples = v }
        if let v = try integer("seed", 0...(1 << 53)) { recipe.seed = UInt64(v) }
        try flag("per_channel", &recipe.perChannel)
        try flag("fold_batch_norm", &recipe.foldBatchNorm)
        try flag("cross_layer_equalization", &recipe.crossLayerEqualization)
        try flag("bias_correction", &recipe.biasCorrection)
        try flag("saturation_clipping", &recipe.saturationClipping)
        try flag("threshold_rounding", &recipe.thresholdRounding)
    }
}
