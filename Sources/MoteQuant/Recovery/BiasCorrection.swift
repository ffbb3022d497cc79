import MoteCore
import MoteModel

/// Empirical bias correction (Nagel et al., 2019, section 4.2, the empirical variant): for each
/// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED in execution order, the int8 model is run on
/// the calibration inputs, the mean of each output channel (dequantized) is compared with the
/// float model's mean of the same channel, the float values clamped to the range the int8
/// codes represent (clipping is the range's job, not the bias's: a logit clipped where LOGISTIC
/// saturates must not pull the bias), and the difference is subtracted from the int32 bias
/// (`Δb[c] = −round(meanError[c] / biasScale[c])`, saturated). Layers are corrected one after
/// the other, each measured with the corrections before it in place.
public enum BiasCorrection {
    /// The change made to one layer.
    public struct Change: Equatable, Sendable {
        /// The operator index in the int8 model.
        public var op: Int
        /// Its output tensor's name.
        public var output: String
        /// The largest |mean error| over channels before the correction, in output units.
        public var maxMeanError: Double
        /// The mean |mean error| over channels before the correction.
        public var meanAbsError: Double
        /// The largest |Δb[c]| applied, in bias codes.
        public var maxBiasDelta: Int
    }

    /// `floatMeans(t, lo, hi)`: per-channel (last axis) means over the calibration inputs of the
    /// float model's values of tensor `t` (an int8 model index) clamped to `[lo, hi]`, or nil
    /// when the float model has no such tensor; `inputs`: the calibration inputs as int8 codes.
    static func apply(_ model: TFLiteModel, floatMeans: (Int, Float, Float) throws -> [Double]?, inputs: [[Int8]],
                      progress: (Int, Int) -> Void) throws -> (TFLiteModel, [Change]) {
        var m = model
        var changes: [Change] = []
        let layers = m.subgraphs[0].operators.indices.filter { i in
            let c = m.builtin(m.subgraphs[0].operators[i])
            return c == BuiltinOperator.conv2D || c == BuiltinOperator.depthwiseConv2D || c == BuiltinOperator.fullyConnected
        }
        for (n, k) in layers.enumerated() {
            progress(n, layers.count)
            let op = m.subgraphs[0].operators[k]
            guard op.inputs.count > 2, op.inputs[2] >= 0, let out = op.outputs.first else { continue }
            let outTensor = m.subgraphs[0].tensors[out]
            guard let q = outTensor.quantization, q.scale.count == 1, let zp0 = q.zeroPoint.first else { continue }
            let lo = Float(-128 - Int(zp0)) * q.scale[0], hi = Float(127 - Int(zp0)) * q.scale[0]
            guard let target = try floatMeans(out, lo, hi) else { continue }
            let channels = target.count
            var sums = [Double](repeating: 0, count: channels)
            var count = 0.0
            let runner = try MoteCoreRunner(m)
            for input in inputs {
                _ = try runner.run(input) { i, it in
                    guard i == k else { return }
                    let codes = it.tensorBytes(out).bindMemory(to: Int8.self)
                    guard codes.count % channels == 0 else { return }
                    for (e, v) in codes.enumerated() { sums[e % channels] += Double(v) }
                    count += Double(codes.count / channels)
                }
            }
            guard count > 0 else { continue }
            let scale = Double(q.scale[0]), zp = Double(q.zeroPoint.first ?? 0)
            let error = (0..<channels).map { c in (sums[c] / count - zp) * scale - target[c] }
            let biasTensor = m.subgraphs[0].tensors[op.inputs[2]]
            guard let bq = biasTensor.quantization else { continue }
            var codes = m.buffers[biasTensor.buffer].data.withUnsafeBytes { raw in
                (0..<channels).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
            }
            var maxDelta = 0
            for c in 0..<channels {
                let bs = Double(bq.scale.count == 1 ? bq.scale[0] : bq.scale[c])
                let delta = Int64(FixedPoint.roundedInt32(-error[c] / bs))
                maxDelta = max(maxDelta, Int(abs(delta)))
                codes[c] = Int32(clamping: Int64(codes[c]) + delta)
            }
            m.buffers[biasTensor.buffer] = Buffer(data: Bytes.of(codes))
            changes.append(Change(op: k, output: outTensor.name, maxMeanError: error.map { abs($0) }.max() ?? 0,
                                  meanAbsError: error.map { abs($0) }.reduce(0, +) / Double(max(channels, 1)),
                                  maxBiasDelta: maxDelta))
        }
        progress(layers.count, layers.count)
        return (m, changes)
    }
}
