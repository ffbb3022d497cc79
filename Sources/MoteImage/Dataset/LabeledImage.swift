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

/// A file that a dataset listing passed over, and why (not an image extension, a malformed
/// UTKFace name, a file outside the class folders). Reported to the user, never fatal.
public struct IgnoredFile: Sendable, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
