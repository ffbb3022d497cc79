import Foundation

/// Random image augmentation with the parameter semantics of Keras' `ImageDataGenerator`
/// (`get_random_transform` + `apply_transform`): rotation by θ ~ U(−rotationRange, rotationRange)
/// degrees, a shift of U(−heightShiftRange, heightShiftRange)·H rows and
/// U(−widthShiftRange, widthShiftRange)·W columns, a shear of U(−shearRange, shearRange)
/// **degrees** (so Keras' tutorial value 0.2 is ±0.2°), zoom factors zx, zy drawn independently
/// from U(zoom.lowerBound, zoom.upperBound) (Keras' `zoom_range = z` is `1−z ... 1+z`; a factor
/// above 1 shows a smaller image), then horizontal / vertical flips each with probability ½, then a
/// brightness factor b ~ U(brightness) applied as Pillow's `ImageEnhance.Brightness`
/// (`min(255, trunc(b · trunc(v)))`, the 8-bit round trip Keras makes). Geometry and flips compose
/// into one affine map per image (`AffineMap.keras`), sampled with Keras' default order-1
/// (bilinear) interpolation and fill mode `nearest` (edge pixels repeat), as
/// `scipy.ndimage.affine_transform(order=1, mode="nearest")` does.
public struct Augmentation: Sendable, Equatable {
    public var rotationRange: Double
    public var widthShiftRange: Double
    public var heightShiftRange: Double
    public var shearRange: Double
    public var zoom: ClosedRange<Double>
    public var horizontalFlip: Bool
    public var verticalFlip: Bool
    public var brightness: ClosedRange<Double>?
    public var interpolation: Interpolation

    /// How the warped image is sampled: Keras' `interpolation_order` 1 (default) or 0.
    public enum Interpolation: String, Sendable, Equatable, CaseIterable {
        case bilinear
        case nearest
    }

    public init(rotationRange: Double = 0, widthShiftRange: Double = 0, heightShiftRange: Double = 0, shearRange: Double = 0,
                zoomRange: Double = 0, horizontalFlip: Bool = false, verticalFlip: Bool = false,
                brightness: ClosedRange<Double>? = nil, interpolation: Interpolation = .bilinear) {
        self.rotationRange = rotationRange
        self.widthShiftRange = widthShiftRange
        self.heightShiftRange = heightShiftRange
        self.shearRange = shearRange
        self.zoom = (1 - zoomRange)...(1 + zoomRange)
        self.horizontalFlip = horizontalFlip
        self.verticalFlip = verticalFlip
        self.brightness = brightness
        self.interpolation = interpolation
    }

    /// No augmentation: every image passes through unchanged.
    public static let none = Augmentation()

    /// The Keras tutorial's generator: rotation 40°, shifts 0.2, shear 0.2 (degrees), zoom 0.2,
    /// horizontal flip, fill `nearest` (../shared/docs/PEERS.md).
    public static let kerasTutorial = Augmentation(rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 0.2, shearRange: 0.2,
                                                   zoomRange: 0.2, horizontalFlip: true)

    /// True when no parameter can change an image.
    public var isNone: Bool {
        rotationRange == 0 && widthShiftRange == 0 && heightShiftRange == 0 && shearRange == 0 && zoom == 1...1
            && !horizontalFlip && !verticalFlip && brightness == nil
    }

    /// Throws naming the first parameter out of range (negative ranges, non-positive zoom, NaN).
    public func validate() throws {
        for (name, v) in [("rotationRange", rotationRange), ("widthShiftRange", widthShiftRange),
                          ("heightShiftRange", heightShiftRange), ("shearRange", shearRange)] where !(v >= 0 && v.isFinite) {
            throw ImageError(.invalidArgument, "augmentation: \(name) must be a finite number ≥ 0, not \(v)")
        }
        guard zoom.lowerBound > 0, zoom.upperBound.isFinite else {
            throw ImageError(.invalidArgument, "augmentation: zoom factors must be positive, not \(zoom)")
        }
        if let b = brightness, !(b.lowerBound >= 0 && b.upperBound.isFinite) {
            throw ImageError(.invalidArgument, "augmentation: brightness factors must be ≥ 0, not \(b)")
        }
    }

    /// Draws one image's parameters in Keras' order (θ, row shift, column shift, shear, zx, zy,
    /// horizontal flip, vertical flip, brightness); a parameter whose range is zero takes no draw.
    public func parameters(height: Int, width: Int, using rng: inout SplitMix64) -> AugmentationParameters {
        var p = AugmentationParameters()
        if rotationRange != 0 { p.theta = rng.uniform(-rotationRange, rotationRange) }
        if heightShiftRange != 0 { p.tx = rng.uniform(-heightShiftRange, heightShiftRange) * (heightShiftRange < 1 ? Double(height) : 1) }
        if widthShiftRange != 0 { p.ty = rng.uniform(-widthShiftRange, widthShiftRange) * (widthShiftRange < 1 ? Double(width) : 1) }
        if shearRange != 0 { p.shear = rng.uniform(-shearRange, shearRange) }
        if zoom != 1...1 {
            p.zx = rng.uniform(zoom.lowerBound, zoom.upperBound)
            p.zy = rng.uniform(zoom.lowerBound, zoom.upperBound)
        }
        if horizontalFlip { p.flipHorizontal = rng.nextUnit() < 0.5 }
        if verticalFlip { p.flipVertical = rng.nextUnit() < 0.5 }
        if let b = brightness { p.brightness = rng.uniform(b.lowerBound, b.upperBound) }
        return p
    }

    /// The parameters of image `index` in `epoch`: a `SplitMix64(seed:keys: epoch, index)` stream,
    /// so they do not depend on batch order or thread scheduling.
    public func parameters(height: Int, width: Int, seed: UInt64, epoch: Int, index: Int) -> AugmentationParameters {
        var rng = SplitMix64(seed: seed, keys: UInt64(truncatingIfNeeded: epoch), UInt64(truncatingIfNeeded: index))
        return parameters(height: height, width: width, using: &rng)
    }
}
