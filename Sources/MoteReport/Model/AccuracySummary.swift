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
