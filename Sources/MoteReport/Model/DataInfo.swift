/// The labeled folder and the preprocessing.
public struct DataInfo: Codable, Equatable, Sendable {
    public var directory: String
    /// Class names; class index = position.
    public var classes: [String]
    /// Images evaluated.
    public var images: Int
    /// How images were prepared, in words (`64x64 RGB, bilinear, x*0.00392157+0`).
    public var preprocessing: String

    /// Memberwise.
    public init(directory: String, classes: [String], images: Int, preprocessing: String) {
        self.directory = directory
        self.classes = classes
        self.images = images
        self.preprocessing = preprocessing
    }
}
