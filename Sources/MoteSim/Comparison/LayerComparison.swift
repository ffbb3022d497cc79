/// Per-layer comparison of an int8 model against its float model, image by image.
///
/// For each image the caller runs the float model and hands over the float outputs of the
/// operators in `floatKeys` (the matched ones); `add` then runs the int8 model on the same
/// preprocessed input and accumulates, for every matched layer, the dequantized int8 output
/// against the float output (`ErrorStatistics`, histograms). Only one image's tensors are held
/// at a time.
public struct LayerComparison {
    /// The operator pairing (rule in `LayerMatcher`).
    public let matcher: LayerMatcher
    /// One entry per match, in the int8 model's execution order.
    public private(set) var layers: [LayerStatistics]
    /// Images accumulated.
    public private(set) var images = 0
    /// Matches whose int8 tensor lacks usable quantization (reported, not compared).
    public private(set) var skipped: [UnmatchedLayer] = []
    private let byOperator: [Int: [Int]]

    /// Prepares the comparison of `int8` with `matcher`'s pairing.
    public init(matcher: LayerMatcher, int8: HostInt8Model) {
        self.matcher = matcher
        var layers: [LayerStatistics] = []
        var skipped: [UnmatchedLayer] = []
        for m in matcher.matches {
            guard let (scale, zp) = int8.int8Quantization(m.int8Tensor), scale > 0, scale.isFinite else {
                skipped.append(UnmatchedLayer(model: "int8", operatorIndex: m.int8Operator, opName: m.opName, reason: "output \(m.int8Output) has no usable int8 quantization"))
                continue
            }
            layers.append(LayerStatistics(match: m, scale: scale, zeroPoint: zp))
        }
        self.layers = layers
        self.skipped = skipped
        byOperator = Dictionary(grouping: layers.indices, by: { layers[$0].match.int8Operator })
    }

    /// The float outputs `add` needs for each image.
    public var floatKeys: Set<FloatLayerKey> {
        Set(layers.map { FloatLayerKey(operatorIndex: $0.match.floatOperator, outputPosition: $0.match.floatOutput) })
    }

    /// Runs `int8` on `input` (preprocessed float values of its first input, quantized by
    /// `HostInt8Model.setInput`) and accumulates every matched layer against `floatOutputs`.
    /// Throws when a float output is missing or has the wrong element count.
    public mutating func add(floatOutputs: [FloatLayerKey: [Float]], int8: HostInt8Model, input: [Float]) throws {
        try check(floatOutputs)
        try int8.setInput(0, input)
        accumulate(floatOutputs, int8)
    }

    /// As `add(floatOutputs:int8:input:)` with the int8 input's raw bytes (the caller quantized it).
    public mutating func add(floatOutputs: [FloatLayerKey: [Float]], int8: HostInt8Model, rawInput: [UInt8]) throws {
        try check(floatOutputs)
        try int8.setInput(0, raw: rawInput)
        accumulate(floatOutputs, int8)
    }

    private func check(_ floatOutputs: [FloatLayerKey: [Float]]) throws {
        for l in layers {
            let key = FloatLayerKey(operatorIndex: l.match.floatOperator, outputPosition: l.match.floatOutput)
            guard let values = floatOutputs[key] else {
                throw SimError("float output \(l.match.floatOutput) of operator #\(l.match.floatOperator) (\(l.match.opName)) was not recorded")
            }
            let expected = l.match.shape.reduce(1) { $0 * max($1, 0) }
            guard values.count == expected else {
                throw SimError("float output of operator #\(l.match.floatOperator) has \(values.count) values, the int8 tensor \(expected)")
            }
        }
    }

    private mutating func accumulate(_ floatOutputs: [FloatLayerKey: [Float]], _ int8: HostInt8Model) {
        var layers = self.layers
        let byOperator = self.byOperator
        int8.invoke { op in
            guard let indices = byOperator[op] else { return }
            for k in indices {
                let m = layers[k].match
                let raw = int8.interpreter.tensorBytes(m.int8Tensor).bindMemory(to: Int8.self)
                let reference = floatOutputs[FloatLayerKey(operatorIndex: m.floatOperator, outputPosition: m.floatOutput)]!
                reference.withUnsafeBufferPointer { f in
                    layers[k].error.add(reference: f, raw: raw, scale: layers[k].scale, zeroPoint: layers[k].zeroPoint)
                    layers[k].floatHistogram.add(f)
                }
                let (s, zp) = (layers[k].scale, layers[k].zeroPoint)
                for r in raw { layers[k].int8Histogram.add(Double(Int(r) - zp) * s) }
                layers[k].images += 1
            }
        }
        self.layers = layers
        images += 1
    }

    /// The matched layer with the lowest SQNR (layers without error rank last), nil without
    /// layers or before any image.
    public var worstLayer: LayerStatistics? {
        guard images > 0 else { return nil }
        return layers.min { a, b in (a.error.sqnrDB ?? .infinity) < (b.error.sqnrDB ?? .infinity) }
    }
}
