import MoteCore
import MoteModel

/// Folds a BatchNorm left as separate ops into the conv or FC before it: a MUL by a constant
/// (scalar or one value per output channel) and/or an ADD of a constant directly after a
/// CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED without fused activation, whose output feeds
/// only that MUL/ADD and is no graph output. `W[c] ← W[c]·m[c]`, `b[c] ← b[c]·m[c]` for MUL;
/// `b[c] ← b[c] + a[c]` for ADD; the MUL/ADD's fused activation moves to the conv and the op
/// disappears. Repeats until nothing more folds.
public enum BatchNormFolding {
    /// One folded operator.
    public struct Fold: Equatable, Sendable {
        /// The conv/FC that absorbed it (index in the folded graph's original numbering).
        public var into: String
        /// `MUL` or `ADD`.
        public var op: String
    }

    /// Returns the folded model and what was folded.
    public static func apply(_ input: TFLiteModel) -> (TFLiteModel, [Fold]) {
        var model = input
        var folds: [Fold] = []
        while let fold = foldOne(&model) { folds.append(fold) }
        return (model, folds)
    }

    static func foldOne(_ model: inout TFLiteModel) -> Fold? {
        let consumers = model.consumers()
        let g = model.subgraphs[0]
        for i in g.operators.indices {
            guard var layout = WeightLayout(model, op: i), g.operators[i].builtinOptions.fusedActivation == .none,
                  g.operators[i].outputs.count == 1 else { continue }
            let out = g.operators[i].outputs[0]
            guard consumers[out].count == 1, !g.outputs.contains(out), consumers[layout.weights].count == 1,
                  layout.bias < 0 || consumers[layout.bias].count == 1 else { continue }
            let next = consumers[out][0]
            let n = g.operators[next]
            let code = model.builtin(n)
            guard code == BuiltinOperator.mul || code == BuiltinOperator.add, n.inputs.count == 2, n.outputs.count == 1 else { continue }
            let other = n.inputs[0] == out ? n.inputs[1] : n.inputs[0]
            guard other >= 0, other != out, let constant = model.floats(other),
                  constant.count == 1 || (constant.count == layout.channels && model.subgraphs[0].tensors[other].shape.last == layout.channels)
            else { continue }
            let perChannel = { (c: Int) -> Float in constant.count == 1 ? constant[0] : constant[c] }
            let biasIndex = layout.ensureBias(&model)
            var bias = model.floats(biasIndex)!
            if code == BuiltinOperator.mul {
                var w = model.floats(layout.weights)!
                let shape = model.subgraphs[0].tensors[layout.weights].shape
                for e in w.indices { w[e] *= perChannel(layout.channel(ofElement: e, shape: shape)) }
                model.setFloats(layout.weights, w)
                for c in bias.indices { bias[c] *= perChannel(c) }
            } else {
                for c in bias.indices { bias[c] += perChannel(c) }
            }
            model.setFloats(biasIndex, bias)
            var producer = model.subgraphs[0].operators[i]
            producer.builtinOptions = producer.builtinOptions.withFusedActivation(n.builtinOptions.fusedActivation)
            producer.outputs = n.outputs
            model.subgraphs[0].operators[i] = producer
            model.subgraphs[0].operators.remove(at: next)
            return Fold(into: model.subgraphs[0].tensors[n.outputs[0]].name, op: code == BuiltinOperator.mul ? "MUL" : "ADD")
        }
        return nil
    }
}
