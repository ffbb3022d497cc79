/// A float layer output identified by operator index and output position in the float model.
public struct FloatLayerKey: Hashable, Sendable {
    /// The float operator's index in execution order.
    public var operatorIndex: Int
    /// Which of its outputs (0 for single-output operators).
    public var outputPosition: Int

    /// Memberwise.
    public init(operatorIndex: Int, outputPosition: Int) {
        self.operatorIndex = operatorIndex
        self.outputPosition = outputPosition
    }
}
