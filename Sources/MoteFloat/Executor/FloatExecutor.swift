import MoteCore
import MoteModel

/// Runs a float32 `.tflite` graph (subgraph 0) on the host with MoteFloat's kernels.
///
/// All shapes are resolved and every buffer (tensor storage, the shared im2col scratch,
/// decoded constants) is allocated in `init`; `run` allocates only the arrays it returns.
/// Int32 shape tensors (SHAPE, STRIDED_SLICE and PACK of shapes, RESHAPE and MEAN arguments)
/// depend only on shapes and constants, so they are computed exactly once, in `init`; they are
/// not reported through `observe`, which sees every float32 operator output.
///
/// Matrix multiplies go through `GEMM`, so they use `GEMM.threads` OpenBLAS threads. Set it to
/// 1 for batch-1 inference: these matrices are small, and on a loaded 2-core machine two
/// OpenBLAS threads made `peer_seed_64` 2× slower in median (and far worse at times); to use
/// both cores, run one executor per thread. An
/// executor holds mutable buffers: one instance must not run on two threads at once (create
/// one executor per thread instead).
public final class FloatExecutor {
    /// One operator of the graph, as the executor resolved it.
    public struct OperatorDescription: Equatable, Sendable {
        /// Position in execution order.
        public let index: Int
        /// The schema name (`CONV_2D`, ...).
        public let opName: String
        /// The operator version.
        public let version: Int
        /// Input tensor indices (-1: omitted optional input).
        public let inputs: [Int]
        /// Output tensor indices.
        public let outputs: [Int]
    }

    /// Images per run: the leading dimension of every input.
    public let batch: Int
    /// The graph's input tensors (indices into subgraph 0).
    public let inputTensors: [Int]
    /// The graph's output tensors.
    public let outputTensors: [Int]
    /// The shapes `run` expects, at `batch`.
    public let inputShapes: [[Int]]
    /// The shapes `run` returns, at `batch`.
    public let outputShapes: [[Int]]
    /// The operators in execution order with their resolved names.
    public let operators: [OperatorDescription]
    /// Tensors with constant data in the model (weights, biases, shape constants).
    public let constantTensors: Set<Int>

    let tensorNames: [String]
    let resolvedShapes: [[Int]?]
    let steps: [Step]
    let inputPointers: [UnsafeMutablePointer<Float>]
    let outputPointers: [UnsafePointer<Float>]
    let allocations: Allocations

    /// Prepares `model` for batch 1 (see `init(model:batch:)`).
    public convenience init(model: TFLiteModel) throws {
        try self.init(model: model, batch: 1)
    }

    /// Prepares `model` to run `batch` images at once. A batch above 1 needs every input's
    /// leading dimension to be a batch dimension: `shape_signature[0] == -1`, or a declared
    /// size of 1. Constant RESHAPE targets whose leading dimension is 1 follow the batch.
    ///
    /// Throws `FloatExecutorError` naming the operator index and name for an unsupported
    /// operator, version, option or tensor type (hybrid models with int8 weights and float
    /// activations included), and for shapes that do not fit.
    public init(model: TFLiteModel, batch: Int) throws {
        guard batch >= 1 else { throw FloatExecutorError.invalidBatch("the batch must be at least 1, got \(batch)") }
        var builder = try GraphBuilder(model: model, batch: batch)
        try builder.prepareAll()
        self.batch = batch
        let graph = model.subgraphs[0]
        inputTensors = graph.inputs
        outputTensors = graph.outputs
        inputShapes = graph.inputs.map { builder.shapes[$0]! }
        outputShapes = graph.outputs.map { builder.shapes[$0]! }
        operators = graph.operators.enumerated().map { i, op in
            let code = model.operatorCodes[op.opcodeIndex]
            return OperatorDescription(index: i, opName: code.name, version: Int(code.version), inputs: op.inputs, outputs: op.outputs)
        }
        constantTensors = builder.constantTensors
        tensorNames = graph.tensors.map(\.name)
        resolvedShapes = builder.shapes
        steps = builder.steps
        inputPointers = graph.inputs.map { builder.floats[$0]! }
        outputPointers = graph.outputs.map { UnsafePointer(builder.floats[$0]!) }
        allocations = builder.allocations
    }

    /// The shape of tensor `index` at this executor's batch, or nil when the index is out of
    /// range or the tensor is not used by the graph.
    public func shape(ofTensor index: Int) -> [Int]? {
        index >= 0 && index < resolvedShapes.count ? resolvedShapes[index] : nil
    }

    /// Runs the graph on `inputs` (one array per graph input, row-major, `inputShapes[i]`
    /// element counts) and returns the outputs (row-major, `outputShapes`).
    public func run(_ inputs: [[Float]]) throws -> [[Float]] {
        try copyIn(inputs)
        invoke()
        return copyOut()
    }

    /// Runs the graph and calls `observe` after every operator, once per float32 output, in
    /// execution order (see `OperatorOutput`; its values are valid only during the call).
    public func run(_ inputs: [[Float]], observe: (OperatorOutput) -> Void) throws -> [[Float]] {
        try copyIn(inputs)
        invoke(observe: observe)
        return copyOut()
    }

    private func copyIn(_ inputs: [[Float]]) throws {
        guard inputs.count == inputPointers.count else {
            throw FloatExecutorError.inputCount(expected: inputPointers.count, got: inputs.count)
        }
        for (i, values) in inputs.enumerated() {
            let expected = inputShapes[i].reduce(1, *)
            guard values.count == expected else { throw FloatExecutorError.inputSize(input: i, expected: expected, got: values.count) }
        }
        for (i, values) in inputs.enumerated() {
            values.withUnsafeBufferPointer { inputPointers[i].update(from: $0.baseAddress!, count: $0.count) }
        }
    }

    private func copyOut() -> [[Float]] {
        outputPointers.indices.map { Array(outputBuffer($0)) }
    }

    /// Input `i`'s storage (`inputShapes[i]` elements): write an input here, then call
    /// `invoke()`, to run without copying through arrays.
    public func inputBuffer(_ i: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: inputPointers[i], count: inputShapes[i].reduce(1, *))
    }

    /// Output `i`'s storage (`outputShapes[i]` elements), valid until the next run.
    public func outputBuffer(_ i: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: outputPointers[i], count: outputShapes[i].reduce(1, *))
    }

    /// Runs the graph on whatever the input buffers hold (no allocation, no checks).
    public func invoke() {
        for step in steps { step.run() }
    }

    /// Runs the graph on the input buffers, calling `observe` as `run(_:observe:)` does.
    public func invoke(observe: (OperatorOutput) -> Void) {
        for step in steps {
            step.run()
            for o in step.observed {
                observe(OperatorOutput(operatorIndex: step.operatorIndex, outputPosition: o.position, tensorIndex: o.tensor,
                                       name: tensorNames[o.tensor], opName: step.opName, shape: o.shape,
                                       values: UnsafeBufferPointer(start: o.values, count: o.count)))
            }
        }
    }
}

/// One prepared operator: its eval closure and the float outputs `observe` reports.
struct Step {
    struct Observed {
        let position: Int
        let tensor: Int
        let shape: [Int]
        let values: UnsafePointer<Float>
        let count: Int
    }
    let operatorIndex: Int
    let opName: String
    let run: () -> Void
    let observed: [Observed]
}

/// Owns the executor's raw memory and frees it with the executor.
final class Allocations {
    var floats: [UnsafeMutablePointer<Float>] = []
    var doubles: [UnsafeMutablePointer<Double>] = []
    var pointerTables: [UnsafeMutableRawPointer] = []

    func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
        floats.append(p)
        return p
    }

    func doubles(_ count: Int) -> UnsafeMutablePointer<Double> {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
        doubles.append(p)
        return p
    }

    deinit {
        for p in floats { p.deallocate() }
        for p in doubles { p.deallocate() }
        for p in pointerTables { p.deallocate() }
    }
}
