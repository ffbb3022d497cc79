import MoteSim

/// One compared layer, flattened for the renderings.
public struct LayerReport: Codable, Equatable, Sendable {
    /// The int8 operator index and output position; the float operator index.
    public var int8Operator: Int
    public var int8Output: Int
    public var floatOperator: Int
    public var opName: String
    public var name: String
    public var namesAgree: Bool
    public var shape: [Int]
    public var macs: Int
    /// SQNR in dB; nil when the int8 tensor had no error at all.
    public var sqnrDB: Double?
    public var cosine: Double
    public var maxAbsError: Double
    public var rmsError: Double
    /// Raw int8 values at -128 and 127, and float values the int8 range cannot represent.
    public var atMinimum: Int
    public var atMaximum: Int
    public var clipped: Int
    /// Elements compared (all images).
    public var elements: Int
    /// The int8 tensor's quantization.
    public var scale: Double
    public var zeroPoint: Int
    /// The sums behind the figures (see `ErrorStatistics`).
    public var signalEnergy: Double
    public var errorEnergy: Double

    public init(_ s: LayerStatistics) {
        let m = s.match, e = s.error
        int8Operator = m.int8Operator
        int8Output = m.int8Output
        floatOperator = m.floatOperator
        opName = m.opName
        name = m.name
        namesAgree = m.namesAgree
        shape = m.shape
        macs = m.macs
        sqnrDB = e.sqnrDB
        cosine = e.cosine
        maxAbsError = e.maxAbsError
        rmsError = e.rmsError
        atMinimum = e.atMinimum
        atMaximum = e.atMaximum
        clipped = e.clipped
        elements = e.count
        scale = s.scale
        zeroPoint = s.zeroPoint
        signalEnergy = e.signalEnergy
        errorEnergy = e.errorEnergy
    }
}
