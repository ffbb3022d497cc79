/// The calibration inputs: `count` float input tensors for the model's (single) input, each
/// already preprocessed (e.g. `MoteImage`'s `Preprocessing.load`), NHWC row-major, batch 1.
public protocol CalibrationData {
    /// The number of samples.
    var count: Int { get }
    /// Sample `i` (0 ..< count).
    func input(_ i: Int) throws -> [Float]
}

/// Calibration samples held in memory.
public struct InMemoryCalibrationData: CalibrationData {
    /// The preprocessed inputs, one array per sample.
    public var samples: [[Float]]
    /// Calibration data holding `samples`.
    public init(_ samples: [[Float]]) { self.samples = samples }
    public var count: Int { samples.count }
    public func input(_ i: Int) throws -> [Float] { samples[i] }
}

/// Runs a float model and reports every activation it computes: the quantizer's view of a float
/// executor (MoteFloat's `FloatExecutor` through `FloatExecutorRunner`, or a test double).
public protocol FloatGraphRunner {
    /// Runs the model on one input and calls `observe(tensorIndex, values)` for every operator
    /// output of subgraph 0 (float32 tensors), in execution order.
    func run(_ input: [Float], observe: (Int, UnsafeBufferPointer<Float>) -> Void) throws
}
