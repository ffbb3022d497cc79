import Foundation
import MoteCore
import MoteModel

/// Cross-layer equalization (Nagel et al., 2019, "Data-Free Quantization") of depthwise-separable
/// pairs: a DEPTHWISE_CONV_2D with fused NONE or RELU (positively homogeneous, so
/// `relu(x / s) = relu(x) / s` for s > 0) whose output feeds only a 1×1 CONV_2D. Output channel
/// i of the depthwise conv is divided by `s_i = sqrt(r1_i / r2_i)` (weights and bias) and input
/// channel i of the 1×1 conv multiplied by it, where r1_i and r2_i are the largest weight
/// magnitudes of those channels; the float function is unchanged and both channels end with
/// the range `sqrt(r1_i·r2_i)`, which evens out per-tensor activation and weight ranges.
/// Pairs with RELU6 are skipped (RELU6 is not homogeneous). A channel whose range on either
/// side is below `deadChannel` times that side's largest is left unscaled.
public enum CrossLayerEqualization {
    /// The relative range below which a channel counts as dead (1e-3).
    public static let deadChannel = 1e-3

    /// One equalized pair, with the spread of its per-channel weight ranges before and after.
    public struct Change: Equatable, Sendable {
        /// The depthwise conv's output tensor name.
        public var depthwise: String
        /// The 1×1 conv's output tensor name.
        public var pointwise: String
        /// max/min of the depthwise channels' weight ranges, before and after.
        public var depthwiseSpreadBefore: Double
        /// max/min of the depthwise channels' weight ranges after equalization.
        public var depthwiseSpreadAfter: Double
        /// The smallest and largest scale factor s_i applied.
        public var minScale: Double
        /// The largest scale factor s_i applied.
        public var maxScale: Double
    }

    /// The equalized model and one `Change` per equalized pair.
    public static func apply(_ input: TFLiteModel) -> (TFLiteModel, [Change]) {
        var model = input
        var changes: [Change] = []
        let consumers = model.consumers()
        let g = model.subgraphs[0]
        for i in g.operators.indices where model.builtin(g.operators[i]) == BuiltinOperator.depthwiseConv2D {
            guard var dw = WeightLayout(model, op: i), g.operators[i].outputs.count == 1 else { continue }
            let act = g.operators[i].builtinOptions.fusedActivation
            guard act == .none || act == .relu else { continue }
            let out = g.operators[i].outputs[0]
            guard consumers[out].count == 1, !g.outputs.contains(out), consumers[dw.weights].count == 1 else { continue }
            let j = consumers[out][0]
            guard model.builtin(g.operators[j]) == BuiltinOperator.conv2D, g.operators[j].inputs.first == out,
                  let pw = WeightLayout(model, op: j), consumers[pw.weights].count == 1 else { continue }
            let pwShape = g.tensors[pw.weights].shape
            guard pwShape.count == 4, pwShape[1] == 1, pwShape[2] == 1, pwShape[3] == dw.channels else { continue }
            guard dw.bias < 0 || consumers[dw.bias].count == 1 else { continue }

            var w1 = model.floats(dw.weights)!
            var w2 = model.floats(pw.weights)!
            let dwShape = g.tensors[dw.weights].shape
            var r1 = [Double](repeating: 0, count: dw.channels)
            for e in w1.indices { let c = dw.channel(ofElement: e, shape: dwShape); r1[c] = max(r1[c], Double(abs(w1[e]))) }
            var r2 = [Double](repeating: 0, count: dw.channels)
            for e in w2.indices { let c = e % dw.channels; r2[c] = max(r2[c], Double(abs(w2[e]))) }
            // A (nearly) dead channel keeps s = 1: dividing its bias by a tiny s would blow up the
            // depthwise output's range for every other channel of the per-tensor activation.
            let floor1 = (r1.max() ?? 0) * Self.deadChannel, floor2 = (r2.max() ?? 0) * Self.deadChannel
            let s = (0..<dw.channels).map { c -> Double in r1[c] > floor1 && r2[c] > floor2 ? (r1[c] / r2[c]).squareRoot() : 1 }
            for e in w1.indices { w1[e] = Float(Double(w1[e]) / s[dw.channel(ofElement: e, shape: dwShape)]) }
            for e in w2.indices { w2[e] = Float(Double(w2[e]) * s[e % dw.channels]) }
            let biasIndex = dw.ensureBias(&model)
            var b1 = model.floats(biasIndex)!
            for c in b1.indices { b1[c] = Float(Double(b1[c]) / s[c]) }
            model.setFloats(dw.weights, w1)
            model.setFloats(pw.weights, w2)
            model.setFloats(biasIndex, b1)
            let after = (0..<dw.channels).map { r1[$0] / s[$0] }
            changes.append(Change(depthwise: g.tensors[out].name, pointwise: g.tensors[g.operators[j].outputs[0]].name,
                                  depthwiseSpreadBefore: spread(r1), depthwiseSpreadAfter: spread(after),
                                  minScale: s.min() ?? 1, maxScale: s.max() ?? 1))
        }
        return (model, changes)
    }

    /// max/min of the channel ranges, dead channels left out.
    static func spread(_ r: [Double]) -> Double {
        let floor = (r.max() ?? 0) * deadChannel
        let positive = r.filter { $0 > floor && $0 > 0 }
        guard let lo = positive.min(), let hi = positive.max() else { return 1 }
        return hi / lo
    }
}
