extension Image {
    /// The image resized to `width×height` exactly as Pillow's `Image.resize` with the matching
    /// filter (see `ResizeMethod`); the same size returns the image unchanged. Traps on
    /// non-positive sizes (use `ResizePlan` to get an error instead).
    public func resized(width: Int, height: Int, method: ResizeMethod) -> Image {
        if width == self.width && height == self.height { return self }
        let plan = try! ResizePlan(inWidth: self.width, inHeight: self.height, outWidth: width, outHeight: height, method: method)
        var out = [UInt8](repeating: 0, count: width * height * channels)
        out.withUnsafeMutableBufferPointer { resize(with: plan, into: $0) }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }

    /// Resizes into a caller buffer of `plan.outWidth · plan.outHeight · channels` samples, with a
    /// plan prepared for this image's size (reuse it across images of the same size).
    public func resize(with plan: ResizePlan, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(plan.inWidth == width && plan.inHeight == height, "resize plan is for \(plan.inWidth)x\(plan.inHeight), image is \(width)x\(height)")
        pixels.withUnsafeBufferPointer { plan.apply($0, channels: channels, into: output) }
    }
}
