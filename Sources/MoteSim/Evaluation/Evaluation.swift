import Foundation

/// One image's result: which class the model chose and the scores it chose from.
public struct Prediction: Codable, Sendable, Equatable {
    /// The file, relative to the evaluated folder (`CLASS/NAME.jpg`).
    public var file: String
    /// The true class index (sorted class-name order).
    public var label: Int
    /// The predicted class index: for one output score `s`, `s > 0.5 ? 1 : 0` (a sigmoid, as
    /// Keras' binary accuracy and TFLite's tools decide; exactly 0.5 is class 0); otherwise the
    /// first index of the largest score.
    public var predicted: Int
    /// The model's output scores (int8 outputs dequantized).
    public var scores: [Float]

    public init(file: String, label: Int, predicted: Int, scores: [Float]) {
        self.file = file
        self.label = label
        self.predicted = predicted
        self.scores = scores
    }

    /// The class chosen from `scores` (see `predicted`).
    public static func decide(_ scores: [Float]) -> Int {
        if scores.count == 1 { return scores[0] > 0.5 ? 1 : 0 }
        var best = 0
        for i in scores.indices where scores[i] > scores[best] { best = i }
        return best
    }
}

/// A model's accuracy on a labeled folder, with every per-image prediction.
public struct Evaluation: Codable, Sendable {
    public var model: String
    public var classes: [String]
    public var predictions: [Prediction]
    /// Files that could not be read or decoded (path and reason); they are not counted.
    public var skipped: [SkippedFile]

    public struct SkippedFile: Codable, Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    public init(model: String, classes: [String], predictions: [Prediction], skipped: [SkippedFile]) {
        self.model = model
        self.classes = classes
        self.predictions = predictions
        self.skipped = skipped
    }

    public var correct: Int { predictions.reduce(0) { $0 + ($1.predicted == $1.label ? 1 : 0) } }
    /// Fraction of images whose prediction equals the label (0 when there are none).
    public var accuracy: Double { predictions.isEmpty ? 0 : Double(correct) / Double(predictions.count) }

    /// `confusion[label][predicted]` counts.
    public var confusion: [[Int]] {
        var m = Array(repeating: Array(repeating: 0, count: classes.count), count: classes.count)
        for p in predictions where p.label < classes.count && p.predicted < classes.count {
            m[p.label][p.predicted] += 1
        }
        return m
    }

    /// Accuracy within each true class, in class order.
    public var perClassAccuracy: [Double] {
        confusion.enumerated().map { i, row in
            let n = row.reduce(0, +)
            return n == 0 ? 0 : Double(row[i]) / Double(n)
        }
    }

    /// How many images `other` (evaluated on the same files) predicts differently.
    public func predictionsChanged(versus other: Evaluation) -> Int {
        let theirs = Dictionary(other.predictions.map { ($0.file, $0.predicted) }, uniquingKeysWith: { a, _ in a })
        return predictions.reduce(0) { n, p in
            guard let q = theirs[p.file] else { return n }
            return n + (q != p.predicted ? 1 : 0)
        }
    }
}
