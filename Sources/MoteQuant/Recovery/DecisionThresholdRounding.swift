import MoteCore
import MoteModel

/// Threshold-aware rounding of the logits of a sigmoid output (recipe `threshold_rounding`).
///
/// The int8 LOGISTIC output has the spec's fixed parameters (1/256, −128), so the logit code
/// equal to the zero point maps to exactly 0.5, and with round-to-nearest every logit in
/// [−s/2, s/2] (s the logit scale) lands on it: the float decision `p > 0.5` of the logits in
/// (0, s/2] is lost. Adding half a logit step to the int32 bias of the CONV_2D/FULLY_CONNECTED
/// that writes the logits turns its rounding into a ceiling, so that a logit code above the zero
/// point means exactly a positive accumulator (x > 0 ⇔ p > 0.5). The cost is a bias of half a
/// logit step (at most s/8 in probability) on every output.
///
/// Applies to each LOGISTIC whose output is a graph output and whose input is written by a
/// conv/FC and read by nothing else.
public enum DecisionThresholdRounding {
    /// One adjusted layer.
    public struct Change: Equatable, Sendable {
        /// The operator index in the int8 model.
        public var op: Int
        /// The logits tensor's name.
        public var output: String
        /// The bias codes added (the largest over channels).
        public var biasDelta: Int
    }

    static func apply(_ model: TFLiteModel) -> (TFLiteModel, [Change]) {
        var m = model
        var changes: [Change] = []
        let g = m.subgraphs[0]
        let consumers = m.consumers()
        let producers = m.producers()
        for op in g.operators where m.builtin(op) == BuiltinOperator.logistic {
            guard let out = op.outputs.first, g.outputs.contains(out), let logits = op.inputs.first,
                  consumers[logits].count == 1, !g.outputs.contains(logits), let k = producers[logits] else { continue }
            let writer = g.operators[k]
            let code = m.builtin(writer)
            guard code == BuiltinOperator.conv2D || code == BuiltinOperator.fullyConnected || code == BuiltinOperator.depthwiseConv2D,
                  writer.inputs.count > 2, writer.inputs[2] >= 0,
                  let s = g.tensors[logits].quantization?.scale.first else { continue }
            let bias = g.tensors[writer.inputs[2]]
            guard bias.type == .int32, let bq = bias.quantization, !bq.scale.isEmpty else { continue }
            var codes = m.buffers[bias.buffer].data.withUnsafeBytes { raw in
                (0..<(raw.count / 4)).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
            }
            var largest = 0
            for c in codes.indices {
                let bs = Double(bq.scale.count == 1 ? bq.scale[0] : bq.scale[c])
                let delta = Int(FixedPoint.roundedInt32(0.5 * Double(s) / bs))
                largest = max(largest, delta)
                codes[c] = Int32(clamping: Int64(codes[c]) + Int64(delta))
            }
            m.buffers[bias.buffer] = Buffer(data: Bytes.of(codes))
            changes.append(Change(op: k, output: g.tensors[logits].name, biasDelta: largest))
        }
        return (m, changes)
    }
}
