/// One image file of a dataset and its class index (the position of its class name in
/// `ImageDataset.classes`).
public struct LabeledImage: Sendable, Equatable, Hashable {
    public var path: String
    public var label: Int

    public init(path: String, label: Int) {
        self.path = path
        self.label = label
    }
}
