/// One float output tensor of one operator, as `FloatExecutor.run(_:observe:)` reports it
/// right after the operator ran. Only float32 outputs are reported: int32 shape tensors are
/// computed once at init and never appear; the graph's inputs are not operator outputs.
/// RESHAPE, SQUEEZE and EXPAND_DIMS outputs share their input's memory (same values).
public struct OperatorOutput {
    /// The operator's position in execution order.
    public let operatorIndex: Int
    /// Which of the operator's outputs this is (0 for single-output operators).
    public let outputPosition: Int
    /// The tensor's index in subgraph 0.
    public let tensorIndex: Int
    /// The tensor's name.
    public let name: String
    /// The operator's schema name (`CONV_2D`, ...).
    public let opName: String
    /// The tensor's shape at the executor's batch size.
    public let shape: [Int]
    /// The values, row-major. Valid only during the callback: the executor reuses the memory.
    public let values: UnsafeBufferPointer<Float>
}
