/// A graph (`table SubGraph`): tensors, operators in execution order, and which tensors are
/// the graph's inputs and outputs.
public struct Subgraph: Equatable, Sendable {
    /// Every tensor of the graph; operators and `inputs`/`outputs` index this array.
    public var tensors: [Tensor]
    /// The tensors fed by the caller (non-constant graph inputs).
    public var inputs: [Int]
    /// The tensors the caller reads after running the graph.
    public var outputs: [Int]
    /// The operators, in execution order.
    public var operators: [Operator]
    /// The graph's name (TF's converter writes `main`), if present.
    public var name: String?

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(tensors: [Tensor] = [], inputs: [Int] = [], outputs: [Int] = [], operators: [Operator] = [], name: String? = nil) {
        self.tensors = tensors
        self.inputs = inputs
        self.outputs = outputs
        self.operators = operators
        self.name = name
    }
}
