import MoteImage

/// Calibration images: a seeded, class-balanced sample of a labeled folder (`DIR/CLASS/*.jpg`),
/// each decoded and preprocessed as the model expects.
public struct ImageCalibrationData: CalibrationData {
    /// The drawn images (at most `samples`, class-balanced).
    public let dataset: ImageDataset
    /// How each image becomes the model input.
    public let preprocessing: Preprocessing

    /// Draws `samples` images from the labeled folder `dir` with `balancedSample(count:seed:)`.
    /// Throws `QuantError.calibration` when the folder cannot be read or holds no images.
    public init(folder dir: String, samples: Int, seed: UInt64, preprocessing: Preprocessing) throws(QuantError) {
        let all: ImageDataset
        do {
            all = try ImageDataset.labeledFolder(dir)
        } catch {
            throw .calibration("cannot read calibration folder '\(dir)': \(error)")
        }
        guard all.count > 0 else {
            throw .calibration("calibration folder '\(dir)' holds no images (expected DIR/CLASS/*.jpg)")
        }
        dataset = all.balancedSample(count: min(samples, all.count), seed: seed)
        self.preprocessing = preprocessing
    }

    public var count: Int { dataset.count }

    public func input(_ i: Int) throws -> [Float] {
        do {
            return try preprocessing.load(path: dataset.items[i].path)
        } catch {
            throw QuantError.calibration("cannot load calibration image '\(dataset.items[i].path)': \(error)")
        }
    }
}
