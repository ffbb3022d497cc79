/// One image's augmentation: Keras' `transform_parameters` (`theta` and `shear` in degrees,
/// `tx` rows and `ty` columns in pixels).
public struct AugmentationParameters: Sendable, Equatable {
    public var theta: Double = 0
    public var tx: Double = 0
    public var ty: Double = 0
    public var shear: Double = 0
    public var zx: Double = 1
    public var zy: Double = 1
    public var flipHorizontal = false
    public var flipVertical = false
    public var brightness: Double? = nil

    public init() {}
}
