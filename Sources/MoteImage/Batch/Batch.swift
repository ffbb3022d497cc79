/// One mini-batch: `count` images as floats (`count · H · W · C`, HWC image after image, already
/// augmented and scaled) and their labels.
public struct Batch: Sendable {
    public var x: [Float]
    public var y: [Int]
    /// The index in `DecodedImages` of each image.
    public var indices: [Int]
    public var count: Int { y.count }
}
