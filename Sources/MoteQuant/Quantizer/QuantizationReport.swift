/// One activation tensor of the int8 model: the range calibration saw, the parameters chosen,
/// and how much of the calibration data the chosen range clips.
public struct TensorReport: Equatable, Sendable {
    /// The tensor index in the int8 model.
    public var tensor: Int
    public var name: String
    /// The operator that writes it (`CONV_2D#0`), or `input`.
    public var producer: String
    /// The exact range seen on the calibration data (nil when the tensor was not observed).
    public var observedMin: Float?
    public var observedMax: Float?
    public var scale: Float
    public var zeroPoint: Int32
    /// The real range the int8 codes represent.
    public var representableMin: Float
    public var representableMax: Float
    /// The fraction of observed values outside the representable range.
    public var clippedFraction: Double
    /// How the range was chosen.
    public var reason: String
}

/// Everything the quantizer did, for the summary table, `--json` and the model's metadata.
public struct QuantizationReport: Sendable {
    public var recipe: CalibrationRecipe
    public var samples: Int
    public var tensors: [TensorReport]
    public var weights: [WeightReport]
    public var batchNormFolds: [BatchNormFolding.Fold]
    public var equalization: [CrossLayerEqualization.Change]
    public var biasCorrection: [BiasCorrection.Change]
    public var thresholdRounding: [DecisionThresholdRounding.Change]
    /// QUANTIZE operators inserted before concatenation inputs with fixed parameters.
    public var requantizeInserted: Int
}
