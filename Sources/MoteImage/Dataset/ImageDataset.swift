/// A list of labeled image files with their class names. Listing a dataset reads only names
/// (no pixels); `DecodedImages.decode` or `Preprocessing.load` read the images.
public struct ImageDataset: Sendable, Equatable {
    /// Class names; a label is an index into this array.
    public var classes: [String]
    public var items: [LabeledImage]
    /// Files the listing passed over, with the reason (for reports; never fatal).
    public var ignored: [IgnoredFile]

    public init(classes: [String], items: [LabeledImage], ignored: [IgnoredFile] = []) {
        self.classes = classes
        self.items = items
        self.ignored = ignored
    }

    public var count: Int { items.count }

    /// Number of items per class, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for item in items where item.label >= 0 && item.label < counts.count { counts[item.label] += 1 }
        return counts
    }

    /// The same dataset with `items` replaced (classes kept, ignored files kept).
    public func with(items: [LabeledImage]) -> ImageDataset {
        ImageDataset(classes: classes, items: items, ignored: ignored)
    }
}
