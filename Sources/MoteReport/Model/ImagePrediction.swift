/// One image's outcome under both models.
public struct ImagePrediction: Codable, Equatable, Sendable {
    /// The file, relative to the data folder.
    public var file: String
    /// The true class index.
    public var label: Int
    public var floatPrediction: Int
    public var int8Prediction: Int
    /// The models' outputs (dequantized for int8).
    public var floatOutput: [Double]
    public var int8Output: [Double]

    /// Memberwise.
    public init(file: String, label: Int, floatPrediction: Int, int8Prediction: Int, floatOutput: [Double], int8Output: [Double]) {
        self.file = file
        self.label = label
        self.floatPrediction = floatPrediction
        self.int8Prediction = int8Prediction
        self.floatOutput = floatOutput
        self.int8Output = int8Output
    }
}
