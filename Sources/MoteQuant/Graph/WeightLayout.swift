import MoteCore
import MoteModel

/// Where the output channels of a conv-like operator's weights are, and its bias.
struct WeightLayout {
    /// The operator index.
    var op: Int
    /// The weight tensor (CONV_2D [out, kh, kw, in], DEPTHWISE_CONV_2D [1, kh, kw, out],
    /// FULLY_CONNECTED [out, in]).
    var weights: Int
    /// The bias tensor, or -1 when omitted.
    var bias: Int
    /// The weight dimension that runs along output channels (0, or 3 for depthwise).
    var channelAxis: Int
    /// The number of output channels.
    var channels: Int

    /// The layout of operator `i` when it is CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED with
    /// constant float weights, else nil.
    init?(_ model: TFLiteModel, op i: Int) {
        let g = model.subgraphs[0]
        let o = g.operators[i]
        let code = model.builtin(o)
        guard code == BuiltinOperator.conv2D || code == BuiltinOperator.depthwiseConv2D || code == BuiltinOperator.fullyConnected,
              o.inputs.count >= 2, o.inputs[1] >= 0, model.floats(o.inputs[1]) != nil else { return nil }
        op = i
        weights = o.inputs[1]
        bias = o.inputs.count > 2 ? o.inputs[2] : -1
        let shape = g.tensors[weights].shape
        channelAxis = code == BuiltinOperator.depthwiseConv2D ? 3 : 0
        guard channelAxis < shape.count else { return nil }
        channels = shape[channelAxis]
    }

    /// The weights' per-channel stride: elements between consecutive channels along `channelAxis`
    /// are `inner` apart, and channel c of element i is `(i / inner) % channels`.
    func channel(ofElement i: Int, shape: [Int]) -> Int {
        let inner = shape[(channelAxis + 1)...].reduce(1, *)
        return (i / inner) % channels
    }

    /// The bias values (zeros when the bias is omitted).
    func biasValues(_ model: TFLiteModel) -> [Float] {
        bias >= 0 ? (model.floats(bias) ?? [Float](repeating: 0, count: channels)) : [Float](repeating: 0, count: channels)
    }

    /// Makes sure the operator has its own float bias tensor (TF's converter also gives a conv
    /// without bias an all-zero one) and returns its index.
    mutating func ensureBias(_ model: inout TFLiteModel) -> Int {
        if bias >= 0, model.floats(bias) != nil { return bias }
        let name = model.subgraphs[0].tensors[weights].name + "/bias"
        bias = model.appendFloatConstant([Float](repeating: 0, count: channels), shape: [channels], name: name)
        var o = model.subgraphs[0].operators[op]
        while o.inputs.count < 3 { o.inputs.append(-1) }
        o.inputs[2] = bias
        model.subgraphs[0].operators[op] = o
        return bias
    }
}
