import Foundation
import MoteImage

/// Runs models over a labeled folder: each image decoded once, preprocessed as the model
/// expects (`Preprocessing`), and given to every model, so several models are judged on
/// exactly the same inputs.
public enum Evaluator {
    /// Evaluates `runners` (named by `names`) on `dataset`. Unreadable or corrupt images are
    /// skipped and listed in every result (with `strict` the first one throws instead).
    /// `progress(done, total)` is called after each image.
    public static func evaluate(_ runners: [ModelRunner], names: [String], dataset: ImageDataset, root: String,
                                preprocessing: Preprocessing, strict: Bool = false,
                                progress: ((Int, Int) -> Void)? = nil) throws -> [Evaluation] {
        precondition(runners.count == names.count, "Evaluator: one name per runner")
        let expected = preprocessing.height * preprocessing.width * preprocessing.channels
        for (runner, name) in zip(runners, names) {
            let n = runner.inputShape.dropFirst().reduce(1, *)
            guard n == expected else {
                throw RunnerError("\(name) takes input \(runner.inputShape), but the preprocessing gives "
                    + "\(preprocessing.height)×\(preprocessing.width)×\(preprocessing.channels)")
            }
        }
        var predictions = Array(repeating: [Prediction](), count: runners.count)
        var skipped: [Evaluation.SkippedFile] = []
        let rootPrefix = root.hasSuffix("/") ? root : root + "/"
        for (k, item) in dataset.items.enumerated() {
            let file = item.path.hasPrefix(rootPrefix) ? String(item.path.dropFirst(rootPrefix.count)) : item.path
            let input: [Float]
            do {
                input = try preprocessing.load(path: item.path)
            } catch {
                if strict { throw RunnerError("\(item.path): \(error)") }
                skipped.append(.init(path: item.path, reason: "\(error)"))
                progress?(k + 1, dataset.items.count)
                continue
            }
            for (r, runner) in runners.enumerated() {
                let scores = try runner.scores(input)
                predictions[r].append(Prediction(file: file, label: item.label, predicted: Prediction.decide(scores),
                                                 scores: scores))
            }
            progress?(k + 1, dataset.items.count)
        }
        return zip(names, predictions).map { Evaluation(model: $0, classes: dataset.classes, predictions: $1, skipped: skipped) }
    }
}
