import MoteModel

/// A float model and its int8 model as two `ModelRunner`s that compare them layer by layer
/// while `Evaluator` judges their predictions, so every image is decoded and run once.
///
/// `Evaluator.evaluate` gives each image to its runners in order: pass `[pair.float, pair.int8]`.
/// The float runner keeps the matched layer outputs of the image (`FloatLayerRecorder`); the int8
/// runner then runs the same input through MoteCore, accumulating `comparison`, and returns the
/// dequantized output. An int8 call without a float call for the same image is an error.
public final class LayerComparingRunners {
    /// The float model with its recorded layer outputs.
    public let recorder: FloatLayerRecorder
    /// The int8 model on MoteCore.
    public let host: HostInt8Model
    /// The comparison so far.
    public fileprivate(set) var comparison: LayerComparison
    fileprivate var pending = false

    /// The float side: MoteFloat, recording layer outputs.
    public private(set) lazy var float: ModelRunner = FloatSide(self)
    /// The int8 side: MoteCore, comparing each layer with the float side's.
    public private(set) lazy var int8: ModelRunner = Int8Side(self)

    /// Pairs `floatModel` with `host` (its int8 model) by `LayerMatcher`'s rule.
    public init(floatModel: TFLiteModel, host: HostInt8Model) throws {
        self.host = host
        comparison = LayerComparison(matcher: LayerMatcher(int8: host.ir, float: floatModel), int8: host)
        recorder = try FloatLayerRecorder(model: floatModel, keys: comparison.floatKeys)
    }
}

private final class FloatSide: ModelRunner {
    unowned let pair: LayerComparingRunners
    let inputShape: [Int]
    var isInt8: Bool { false }

    init(_ pair: LayerComparingRunners) {
        self.pair = pair
        var shape = pair.recorder.executor.inputShapes.first ?? []
        if shape.first == -1 { shape[0] = 1 }
        inputShape = shape
    }

    func scores(_ input: [Float]) throws -> [Float] {
        let out = try pair.recorder.run(input)
        pair.pending = true
        return out
    }
}

private final class Int8Side: ModelRunner {
    unowned let pair: LayerComparingRunners
    let inputShape: [Int]
    var isInt8: Bool { true }

    init(_ pair: LayerComparingRunners) {
        self.pair = pair
        let it = pair.host.interpreter
        inputShape = pair.host.tensor(it.inputTensorIndex(0))?.shape ?? []
    }

    func scores(_ input: [Float]) throws -> [Float] {
        guard pair.pending else { throw SimError("the int8 side ran without the float side on the same image (give the runners in order float, int8)") }
        pair.pending = false
        try pair.comparison.add(floatOutputs: pair.recorder.layers, int8: pair.host, input: input)
        return pair.host.output(0)
    }
}
