/// Where a convolution's output row finds the input rows of one image: row `iy` at
/// `image + iy * rowBytes`, except rows below `savedBelow`, which come from a ring of
/// `savedRows` saved rows (row `iy` in slot `iy % savedRows`), because an in-place run has
/// overwritten them (see `ConvRowsInPlace`).
public struct ConvInputRows {
    var image: UnsafePointer<Int8>
    var rowBytes: Int
    var saved: UnsafePointer<Int8>? = nil
    var savedRows = 0
    var savedBelow = 0

    @inline(__always)
    func row(_ iy: Int) -> UnsafePointer<Int8> {
        if iy < savedBelow, let saved { return saved + (iy % savedRows) &* rowBytes }
        return image + iy &* rowBytes
    }
}
