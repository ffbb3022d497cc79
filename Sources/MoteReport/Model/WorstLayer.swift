import MoteSim

/// The lowest-SQNR layer and its value distributions.
public struct WorstLayer: Codable, Equatable, Sendable {
    public var int8Operator: Int
    public var name: String
    public var opName: String
    public var sqnrDB: Double?
    public var floatHistogram: Histogram
    public var int8Histogram: Histogram

    public init(_ s: LayerStatistics) {
        int8Operator = s.match.int8Operator
        name = s.match.name
        opName = s.match.opName
        sqnrDB = s.error.sqnrDB
        floatHistogram = s.floatHistogram
        int8Histogram = s.int8Histogram
    }
}
