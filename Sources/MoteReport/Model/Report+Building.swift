import MoteSim

extension Report {
    /// Assembles a report from per-image predictions (the accuracy, confusion matrices and
    /// changed predictions are counted from them), the per-layer comparison, the memory verdict
    /// and the optional `--max-drop` gate; the verdict line is derived last.
    public static func build(floatModel: ModelInfo, int8Model: ModelInfo, data: DataInfo, predictions: [ImagePrediction],
                             comparison: LayerComparison, memory: MemoryVerdict, maxDropPP: Double?) -> Report {
        let accuracy = AccuracySummary(predictions)
        let classes = max(data.classes.count, (predictions.map { max($0.label, $0.floatPrediction, $0.int8Prediction) }.max() ?? -1) + 1)
        let labels = predictions.map(\.label)
        return Report(floatModel: floatModel, int8Model: int8Model, data: data, accuracy: accuracy,
                      floatConfusion: ConfusionMatrix.counts(labels: labels, predictions: predictions.map(\.floatPrediction), classCount: classes),
                      int8Confusion: ConfusionMatrix.counts(labels: labels, predictions: predictions.map(\.int8Prediction), classCount: classes),
                      predictions: predictions, layers: comparison.layers.map(LayerReport.init), layerImages: comparison.images,
                      unmatched: comparison.matcher.unmatched + comparison.skipped, worstLayer: comparison.worstLayer.map(WorstLayer.init),
                      memory: memory, gate: maxDropPP.map { DropGate(maxDropPP: $0, dropPP: accuracy.dropPP) })
    }
}
