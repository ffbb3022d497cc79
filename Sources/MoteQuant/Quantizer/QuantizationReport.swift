/// One activation tensor of the int8 model: the range calibration saw, the parameters chosen,
/// and how much of the calibration data the chosen range clips.
public struct TensorReport: Equatable, Sendable {
    /// The tensor index in the int8 model.
    public var tensor: Int
    /// The tensor's name.
    public var name: String
    /// The operator that writes it (`CONV_2D#0`), or `input`.
    public var producer: String
    /// The exact range seen on the calibration data (nil when the tensor was not observed).
    public var observedMin: Float?
    /// See `observedMin`.
    public var observedMax: Float?
    /// The chosen scale.
    public var scale: Float
    /// The chosen zero point.
    public var zeroPoint: Int32
    /// The real range the int8 codes represent.
    public var representableMin: Float
    /// See `representableMin`.
    public var representableMax: Float
    /// The fraction of observed values outside the representable range.
    public var clippedFraction: Double
    /// How the range was chosen.
    public var reason: String
}

/// Everything the quantizer did, for the summary table, `--json` and the model's metadata.
public struct QuantizationReport: Sendable {
    /// The recipe used (after command-line overrides).
    public var recipe: CalibrationRecipe
    /// Calibration samples used.
    public var samples: Int
    /// Every int8 activation tensor, by index.
    public var tensors: [TensorReport]
    /// Every conv/FC operator's constants.
    public var weights: [WeightReport]
    /// What BatchNorm folding removed.
    public var batchNormFolds: [BatchNormFolding.Fold]
    /// The equalized depthwise-separable pairs.
    public var equalization: [CrossLayerEqualization.Change]
    /// The bias-corrected layers, with their errors before correction.
    public var biasCorrection: [BiasCorrection.Change]
    /// The layers whose logits round up.
    public var thresholdRounding: [DecisionThresholdRounding.Change]
    /// QUANTIZE operators inserted before concatenation inputs with fixed parameters.
    public var requantizeInserted: Int
}
