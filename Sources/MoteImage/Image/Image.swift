/// An 8-bit image in memory: `height` rows of `width` pixels of `channels` interleaved samples
/// (HWC, row-major), 1 channel for grayscale or 3 for RGB.
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 (grayscale) or 3 (RGB).
    public var channels: Int
    /// `height * width * channels` samples; pixel (x, y) channel c is at `(y * width + x) * channels + c`.
    public var pixels: [UInt8]

    /// An image over existing samples; traps when `pixels.count != width * height * channels`
    /// or the sizes are negative (a programming error, not bad input).
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && (channels == 1 || channels == 3), "Image: bad geometry \(width)x\(height)x\(channels)")
        precondition(pixels.count == width * height * channels, "Image: \(pixels.count) samples for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A black image of the given size.
    public init(width: Int, height: Int, channels: Int) {
        self.init(width: width, height: height, channels: channels, pixels: [UInt8](repeating: 0, count: width * height * channels))
    }

    /// The sample of pixel (x, y), channel c (no bounds check beyond the array's).
    @inlinable public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }
}
