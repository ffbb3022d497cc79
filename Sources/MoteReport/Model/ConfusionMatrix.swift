/// Confusion matrices from per-image predictions.
public enum ConfusionMatrix {
    /// `[true class][predicted class]` counts over `classCount` classes; labels or predictions
    /// outside 0..<classCount are left out.
    public static func counts(labels: [Int], predictions: [Int], classCount: Int) -> [[Int]] {
        var m = Array(repeating: Array(repeating: 0, count: max(classCount, 0)), count: max(classCount, 0))
        for (l, p) in zip(labels, predictions) where l >= 0 && l < classCount && p >= 0 && p < classCount {
            m[l][p] += 1
        }
        return m
    }
}
