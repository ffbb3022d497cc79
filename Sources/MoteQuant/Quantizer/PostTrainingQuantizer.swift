import Foundation
import MoteCore
import MoteModel

/// Post-training int8 quantization of a float `.tflite` graph (subgraph 0, one input):
/// validate → fold BatchNorm → cross-layer equalization → calibrate (the float model run on
/// every calibration input, each activation watched by the recipe's observer) → choose int8
/// parameters (`ParameterAssignment`) → write the int8 model (`Int8ModelBuilder`) → bias
/// correction → `mote` metadata with a `calibration` summary.
///
/// The result runs in MoteCore and in TFLite: int8 input and output tensors, per-channel
/// symmetric weights, int32 biases, the spec's fixed output parameters, TF's operator versions.
public struct PostTrainingQuantizer {
    /// How to calibrate and quantize.
    public var recipe: CalibrationRecipe
    /// The model input's real range when the preprocessing is known (pixels 0...255 →
    /// `[offset, 255·scale + offset]`); used when `recipe.inputRange == .preprocessing`.
    public var inputRange: (min: Float, max: Float)?
    /// Called with a stage name (`calibrating`, `bias correction`) and progress.
    public var progress: ((String, Int, Int) -> Void)?

    /// A quantizer with `recipe`; `inputRange` is the preprocessing's input range, if known.
    public init(recipe: CalibrationRecipe = CalibrationRecipe(), inputRange: (min: Float, max: Float)? = nil) {
        self.recipe = recipe
        self.inputRange = inputRange
    }

    /// The input range of preprocessing `x = pixel × scale + offset` over pixels 0...255.
    public static func pixelRange(scale: Float, offset: Float) -> (min: Float, max: Float) {
        let a = offset, b = 255 * scale + offset
        return (min(a, b), max(a, b))
    }

    /// Throws `QuantError.unsupportedOperator` (name and index) for the first operator the
    /// quantizer cannot handle, `.invalidModel` for a graph it cannot read.
    public static func validate(_ model: TFLiteModel) throws(QuantError) {
        guard let g = model.subgraphs.first else { throw .invalidModel("the model has no subgraph") }
        guard g.inputs.count == 1 else { throw .invalidModel("the quantizer handles models with one input (this one has \(g.inputs.count))") }
        guard g.inputs[0] >= 0, g.inputs[0] < g.tensors.count, g.tensors[g.inputs[0]].type == .float32 else {
            throw .invalidModel("the input tensor is not float32 (is the model already quantized?)")
        }
        for (i, t) in g.tensors.enumerated() where t.type != .float32 && t.type != .int32 {
            throw .invalidModel("tensor \(i) ('\(t.name)') is \(t.type), expected float32 or int32 (is the model already quantized?)")
        }
        for (i, op) in g.operators.enumerated() {
            let code = model.builtin(op)
            guard OperatorRule.of(code) != nil else {
                throw .unsupportedOperator(name: model.opName(op), index: i, reason: "the quantizer and MoteCore have no int8 form of it")
            }
            for t in op.inputs + op.outputs where t >= g.tensors.count { throw .invalidModel("operator \(i) refers to tensor \(t) of \(g.tensors.count)") }
        }
    }

    /// Quantizes `float`. `makeRunner` builds the float executor for the (folded, equalized)
    /// float graph; `data` gives at least one calibration input of the model's input size.
    public func quantize(_ float: TFLiteModel, calibration data: CalibrationData,
                         makeRunner: (TFLiteModel) throws -> FloatGraphRunner) throws -> (model: TFLiteModel, report: QuantizationReport) {
        try Self.validate(float)
        guard data.count > 0 else { throw QuantError.calibration("no calibration samples") }
        var prepared = float
        var folds: [BatchNormFolding.Fold] = []
        var equalization: [CrossLayerEqualization.Change] = []
        if recipe.foldBatchNorm { (prepared, folds) = BatchNormFolding.apply(prepared) }
        if recipe.crossLayerEqualization { (prepared, equalization) = CrossLayerEqualization.apply(prepared) }
        // Every conv/FC gets a bias tensor (int8 kernels and bias correction want one).
        for i in prepared.subgraphs[0].operators.indices {
            if var layout = WeightLayout(prepared, op: i) { _ = layout.ensureBias(&prepared) }
        }
        let g = prepared.subgraphs[0]
        let inputIndex = g.inputs[0]
        let inputCount = g.tensors[inputIndex].elementCount

        // Calibration.
        let activations = ParameterAssignment.activationTensors(prepared)
        var stats: [Int: TensorStatistics] = [:]
        for t in activations {
            stats[t] = TensorStatistics(observer: recipe.makeObserver(),
                                        histogramBins: recipe.histogramBins)
        }
        let runner = try makeRunner(prepared)
        var int8Inputs: [[Float]] = []
        for s in 0..<data.count {
            progress?("calibrating", s, data.count)
            let x = try data.input(s)
            guard x.count == inputCount else {
                throw QuantError.calibration("sample \(s) has \(x.count) values, the model input \(g.tensors[inputIndex].shape) needs \(inputCount)")
            }
            x.withUnsafeBufferPointer { stats[inputIndex]?.observe($0) }
            try runner.run(x) { t, values in stats[t]?.observe(values) }
            if recipe.biasCorrection { int8Inputs.append(x) }
        }
        progress?("calibrating", data.count, data.count)

        let assignment = ParameterAssignment(model: prepared, statistics: stats, recipe: recipe, inputRange: inputRange)
        var builder = Int8ModelBuilder()
        var (model, map) = try builder.build(prepared, assignment, perChannel: recipe.perChannel)

        var corrections: [BiasCorrection.Change] = []
        if recipe.biasCorrection, let p = assignment.parameters[inputIndex] {
            var floatIndex: [Int: Int] = [:]
            for (t, i) in map.enumerated() where i >= 0 { floatIndex[i] = t }
            let samples = int8Inputs
            let means = { (t: Int, lo: Float, hi: Float) throws -> [Double]? in
                guard let f = floatIndex[t] else { return nil }
                let channels = max(g.tensors[f].shape.last ?? 1, 1)
                var sums = [Double](repeating: 0, count: channels), count = 0.0
                for x in samples {
                    try runner.run(x) { u, values in
                        guard u == f, values.count % channels == 0 else { return }
                        for (e, v) in values.enumerated() { sums[e % channels] += Double(min(max(v, lo), hi)) }
                        count += Double(values.count / channels)
                    }
                }
                return count > 0 ? sums.map { $0 / count } : nil
            }
            let codes = int8Inputs.map { $0.map { Int8(QuantizationMath.quantize($0, scale: p.scale, zeroPoint: p.zeroPoint)) } }
            (model, corrections) = try BiasCorrection.apply(model, floatMeans: means, inputs: codes) { progress?("bias correction", $0, $1) }
        }

        var thresholdChanges: [DecisionThresholdRounding.Change] = []
        if recipe.thresholdRounding { (model, thresholdChanges) = DecisionThresholdRounding.apply(model) }

        // Report and metadata.
        let producers = prepared.producers()
        var tensors: [TensorReport] = []
        for t in activations.sorted() where map[t] >= 0 {
            guard let p = assignment.parameters[t] else { continue }
            let rep = p.representable
            let st = stats[t]
            let producer = producers[t].map { "\(prepared.opName(g.operators[$0]))#\($0)" } ?? "input"
            tensors.append(TensorReport(tensor: map[t], name: g.tensors[t].name, producer: producer,
                                        observedMin: st?.observedRange?.min, observedMax: st?.observedRange?.max,
                                        scale: p.scale, zeroPoint: p.zeroPoint, representableMin: rep.min, representableMax: rep.max,
                                        clippedFraction: st?.histogram.fractionOutside(lo: rep.min, hi: rep.max) ?? 0,
                                        reason: p.reason))
        }
        let weights = builder.weightReports
        let report = QuantizationReport(recipe: recipe, samples: data.count, tensors: tensors.sorted { $0.tensor < $1.tensor },
                                        weights: weights, batchNormFolds: folds, equalization: equalization,
                                        biasCorrection: corrections, thresholdRounding: thresholdChanges,
                                        requantizeInserted: assignment.requantized.count)
        try CalibrationMetadata.attach(report, to: &model)
        return (model, report)
    }
}
