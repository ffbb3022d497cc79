import MoteImage
import MoteModel
import MoteSim

/// Runs a float model and its int8 model over a labeled folder and assembles the report:
/// what `mote report` does between reading its options and writing the files, for any caller
/// (`mote demo` included).
public enum ReportGenerator {
    /// The report and the images that could not be used.
    public struct Outcome {
        public var report: Report
        /// Unreadable or undecodable images (left out of every figure).
        public var skipped: [Evaluation.SkippedFile]
    }

    /// Evaluates `floatModel` (MoteFloat) and `host` (its int8 model on MoteCore) on `dataset`
    /// with `preprocessing`, comparing every matched layer in the same pass (`LayerComparingRunners`),
    /// and builds the report with `budget` and the optional `--max-drop` gate. `paths` name the
    /// two files in the report, `dataNote` is appended to the preprocessing description.
    /// `footprint` replaces the host's memory figures (a firmware target's, from the linker),
    /// `firmware` records that run. `progress(done, total)` is called after each image. Throws `SimError` when no image can
    /// be used, or the models cannot run.
    public static func generate(floatModel: TFLiteModel, floatPath: String, floatBytes: Int, host: HostInt8Model, int8Path: String,
                                dataset: ImageDataset, root: String, preprocessing: Preprocessing,
                                budget: MemoryBudget, maxDropPP: Double?, dataNote: String = "",
                                footprint: MemoryFootprint? = nil, firmware: FirmwareCheck? = nil,
                                progress: ((Int, Int) -> Void)? = nil) throws -> Outcome {
        let pair = try LayerComparingRunners(floatModel: floatModel, host: host)
        let results = try Evaluator.evaluate([pair.float, pair.int8], names: [floatPath, int8Path], dataset: dataset, root: root,
                                             preprocessing: preprocessing, progress: progress)
        let skipped = results[0].skipped
        guard !results[0].predictions.isEmpty else {
            throw SimError("none of the \(dataset.count) images of '\(root)' could be used (first: \(skipped.first?.reason ?? "no images"))")
        }
        let predictions = zip(results[0].predictions, results[1].predictions).map { f, q in
            ImagePrediction(file: f.file, label: f.label, floatPrediction: f.predicted, int8Prediction: q.predicted,
                            floatOutput: f.scores.map(Double.init), int8Output: q.scores.map(Double.init))
        }
        let floatSummary = ModelSummary(floatModel)
        let p = preprocessing
        let report = Report.build(
            floatModel: ModelInfo(path: floatPath, bytes: floatBytes, operators: floatSummary.operators.count, macs: floatSummary.totalMACs),
            int8Model: ModelInfo(path: int8Path, bytes: host.modelBytes, operators: host.summary.operators.count, macs: host.summary.totalMACs),
            data: DataInfo(directory: root, classes: dataset.classes, images: predictions.count,
                           preprocessing: "\(p.height)x\(p.width)x\(p.channels), \(p.resize.rawValue) resize, pixel x \(p.scale) + \(p.offset)" + dataNote),
            predictions: predictions, comparison: pair.comparison, memory: budget.check(footprint ?? host.footprint), maxDropPP: maxDropPP)
        var withFirmware = report
        withFirmware.firmware = firmware
        return Outcome(report: withFirmware, skipped: skipped)
    }
}
