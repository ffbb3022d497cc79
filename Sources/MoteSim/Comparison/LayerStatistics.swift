/// The comparison of one matched layer over every image of a run.
public struct LayerStatistics: Codable, Equatable, Sendable {
    /// Which int8 and float outputs were compared.
    public var match: LayerMatch
    /// The int8 tensor's quantization.
    public var scale: Double
    public var zeroPoint: Int
    /// Error statistics over all elements of all images (see `ErrorStatistics`).
    public var error: ErrorStatistics
    /// Distribution of the float reference values and of the dequantized int8 values, over the
    /// int8 tensor's representable range (`LayerStatistics.histogramRange`), 64 bins of 4 int8 steps.
    public var floatHistogram: Histogram
    public var int8Histogram: Histogram
    /// Images accumulated.
    public var images: Int

    /// Empty statistics for `match` with the int8 tensor's `scale` and `zeroPoint`.
    public init(match: LayerMatch, scale: Double, zeroPoint: Int) {
        self.match = match
        self.scale = scale
        self.zeroPoint = zeroPoint
        error = ErrorStatistics()
        let (lo, hi) = LayerStatistics.histogramRange(scale: scale, zeroPoint: zeroPoint)
        floatHistogram = Histogram(lower: lo, upper: hi, bins: LayerStatistics.histogramBins)
        int8Histogram = Histogram(lower: lo, upper: hi, bins: LayerStatistics.histogramBins)
        images = 0
    }

    /// Bins of the layer histograms.
    public static let histogramBins = 64

    /// [(-128.5 - zp)·s, (127.5 - zp)·s): every int8 level sits inside one bin, 4 levels per bin.
    public static func histogramRange(scale: Double, zeroPoint: Int) -> (Double, Double) {
        (Double(-128 - zeroPoint) * scale - scale / 2, Double(127 - zeroPoint) * scale + scale / 2)
    }
}
