import MoteCore
import MoteModel

/// What happened to one conv/FC operator's constants.
public struct WeightReport: Equatable, Sendable {
    /// The operator index (in the float graph after folding).
    public var op: Int
    /// `CONV_2D`, `DEPTHWISE_CONV_2D` or `FULLY_CONNECTED`.
    public var opName: String
    /// The name of the operator's output tensor.
    public var output: String
    /// Smallest and largest weight scale.
    public var minScale: Float
    /// Largest weight scale.
    public var maxScale: Float
    /// Channels whose weights are all zero (given the safe scale 1).
    public var zeroChannels: Int
    /// Bias channels that did not fit int32 and were saturated.
    public var saturatedBias: Int
}

/// Writes the int8 model: float activations become int8 with their chosen parameters, conv/FC
/// weights symmetric int8 (per channel along dimension 0, or 3 for depthwise; or per tensor),
/// biases int32 at `inputScale × weightScale[c]`, other float constants asymmetric int8 over
/// their own range (a PADV2 pad value with its input's parameters), QUANTIZE ops inserted where
/// `ParameterAssignment` asked, operator versions set to their int8 forms, unused tensors and
/// buffers dropped. Graph inputs and outputs are int8 (no QUANTIZE/DEQUANTIZE at the edges).
struct Int8ModelBuilder {
    var weightReports: [WeightReport] = []

    /// The int8 model and, for each tensor index of `float`, its index in the int8 model.
    mutating func build(_ float: TFLiteModel, _ a: ParameterAssignment, perChannel: Bool) throws(QuantError) -> (model: TFLiteModel, tensorMap: [Int]) {
        var m = float
        let g = float.subgraphs[0]
        let consumers = float.consumers()
        var quantizedConstants = Set<Int>()

        for (t, p) in a.parameters {
            m.subgraphs[0].tensors[t].type = .int8
            m.subgraphs[0].tensors[t].quantization = Quantization(scale: p.scale, zeroPoint: Int64(p.zeroPoint))
        }

        for (k, op) in g.operators.enumerated() {
            let code = float.builtin(op)
            if OperatorRule.of(code) == .weighted {
                guard let layout = WeightLayout(float, op: k) else {
                    throw .unsupportedOperator(name: float.opName(op), index: k, reason: "its weights are not a float32 constant")
                }
                guard consumers[layout.weights].count == 1, layout.bias < 0 || consumers[layout.bias].count == 1 else {
                    throw .unsupportedOperator(name: float.opName(op), index: k, reason: "its weights or bias are shared with another operator")
                }
                guard let input = a.parameters[op.inputs[0]] else {
                    throw .unsupportedOperator(name: float.opName(op), index: k, reason: "its input is not a float32 activation")
                }
                let wt = g.tensors[layout.weights]
                let (codes, scales) = QuantizationMath.quantizeWeights(float.floats(layout.weights)!, shape: wt.shape,
                                                                       channelAxis: layout.channelAxis, perChannel: perChannel)
                let allScales = scales.count == 1 ? [Float](repeating: scales[0], count: layout.channels) : scales
                setConstant(&m, layout.weights, Bytes.of(codes), type: .int8,
                            Quantization(scale: scales, zeroPoint: [Int64](repeating: 0, count: scales.count),
                                         quantizedDimension: scales.count > 1 ? layout.channelAxis : 0))
                quantizedConstants.insert(layout.weights)
                let zeroChannels = channelMaxAbs(float.floats(layout.weights)!, layout, wt.shape).filter { $0 == 0 }.count
                var saturated = 0
                if layout.bias >= 0 {
                    let bias = layout.biasValues(float)
                    let (bcodes, bscales, sat) = QuantizationMath.quantizeBias(bias, inputScale: input.scale, weightScales: allScales)
                    saturated = sat
                    setConstant(&m, layout.bias, Bytes.of(bcodes), type: .int32,
                                Quantization(scale: bscales, zeroPoint: [Int64](repeating: 0, count: bscales.count), quantizedDimension: 0))
                    quantizedConstants.insert(layout.bias)
                }
                weightReports.append(WeightReport(op: k, opName: float.opName(op), output: g.tensors[op.outputs[0]].name,
                                                  minScale: scales.min() ?? 0, maxScale: scales.max() ?? 0,
                                                  zeroChannels: zeroChannels, saturatedBias: saturated))
            }
        }
        // Remaining float constants read by int8 operators.
        for op in g.operators {
            for (p, t) in op.inputs.enumerated() where t >= 0 && !quantizedConstants.contains(t) {
                guard g.tensors[t].type == .float32, let values = float.floats(t) else { continue }
                let params: (scale: Float, zeroPoint: Int32)
                if OperatorRule.of(float.builtin(op)) == .sameAsInput, p > 0, let input = a.parameters[op.inputs[0]] {
                    params = (input.scale, input.zeroPoint)
                } else {
                    params = QuantizationMath.activationParameters(min: values.min() ?? 0, max: values.max() ?? 0)
                }
                let codes = values.map { Int8(QuantizationMath.quantize($0, scale: params.scale, zeroPoint: params.zeroPoint)) }
                setConstant(&m, t, Bytes.of(codes), type: .int8, Quantization(scale: params.scale, zeroPoint: Int64(params.zeroPoint)))
                quantizedConstants.insert(t)
            }
        }
        // QUANTIZE before concatenation inputs whose parameters are fixed elsewhere.
        var inserts: [(before: Int, op: Operator)] = []
        for (k, p) in a.requantized {
            let input = g.operators[k].inputs[p]
            let output = g.operators[k].outputs[0]
            var t = m.subgraphs[0].tensors[input]
            t.name += "/requantized"
            t.quantization = m.subgraphs[0].tensors[output].quantization
            t.buffer = 0
            m.subgraphs[0].tensors.append(t)
            let newIndex = m.subgraphs[0].tensors.count - 1
            m.subgraphs[0].operators[k].inputs[p] = newIndex
            inserts.append((k, Operator(opcodeIndex: -1, inputs: [input], outputs: [newIndex], builtinOptions: .none)))
        }
        // Operator codes of the int8 graph.
        var codes: [OperatorCode] = []
        var ops: [Operator] = []
        func opcode(_ builtin: Int32, _ version: Int32, custom: String?) -> Int {
            if let i = codes.firstIndex(where: { $0.builtinOperator == builtin && $0.version == version && $0.customCode == custom }) { return i }
            codes.append(OperatorCode(builtin: builtin, version: version, customCode: custom))
            return codes.count - 1
        }
        for (k, op) in m.subgraphs[0].operators.enumerated() {
            for ins in inserts where ins.before == k {
                var q = ins.op
                q.opcodeIndex = opcode(BuiltinOperator.quantize, OperatorRule.int8Version(BuiltinOperator.quantize), custom: nil)
                ops.append(q)
            }
            var o = op
            let old = float.operatorCodes[op.opcodeIndex]
            let touchesInt8 = (op.inputs + op.outputs).contains { $0 >= 0 && m.subgraphs[0].tensors[$0].type == .int8 }
            let version = touchesInt8 ? OperatorRule.int8Version(old.builtinOperator) : old.version
            o.opcodeIndex = opcode(old.builtinOperator, version, custom: old.customCode)
            ops.append(o)
        }
        m.operatorCodes = codes
        m.subgraphs[0].operators = ops
        let (compact, map) = m.compactedWithMap()
        return (compact, Array(map.prefix(float.subgraphs[0].tensors.count)))
    }

    private func channelMaxAbs(_ w: [Float], _ layout: WeightLayout, _ shape: [Int]) -> [Float] {
        var r = [Float](repeating: 0, count: layout.channels)
        for (e, v) in w.enumerated() { let c = layout.channel(ofElement: e, shape: shape); r[c] = max(r[c], abs(v)) }
        return r
    }

    /// Gives tensor `t` its own buffer with `bytes`, and the type and quantization.
    private func setConstant(_ m: inout TFLiteModel, _ t: Int, _ bytes: [UInt8], type: TensorType, _ q: Quantization) {
        m.subgraphs[0].tensors[t].buffer = m.appendBuffer(bytes)
        m.subgraphs[0].tensors[t].type = type
        m.subgraphs[0].tensors[t].quantization = q
    }
}

extension TFLiteModel {
    /// The model without tensors that no operator, graph input or output refers to, and without
    /// buffers that no tensor or metadata entry refers to (indices renumbered, order kept).
    func compacted() -> TFLiteModel { compactedWithMap().model }

    /// `compacted()` and, for each old tensor index, its new index (-1 when dropped).
    func compactedWithMap() -> (model: TFLiteModel, tensorMap: [Int]) {
        var m = self
        var g = m.subgraphs[0]
        var used = Set(g.inputs + g.outputs)
        for op in g.operators { used.formUnion(op.inputs.filter { $0 >= 0 }); used.formUnion(op.outputs) }
        for sig in signatureDefs where sig.subgraphIndex == 0 {
            used.formUnion((sig.inputs + sig.outputs).map { Int($0.tensorIndex) })
        }
        var tensorMap = [Int](repeating: -1, count: g.tensors.count)
        var tensors: [Tensor] = []
        for (i, t) in g.tensors.enumerated() where used.contains(i) { tensorMap[i] = tensors.count; tensors.append(t) }
        func remap(_ i: Int) -> Int { i < 0 ? i : tensorMap[i] }
        g.inputs = g.inputs.map(remap)
        g.outputs = g.outputs.map(remap)
        g.operators = g.operators.map { op in
            var o = op
            o.inputs = op.inputs.map(remap)
            o.outputs = op.outputs.map(remap)
            o.intermediates = op.intermediates?.map(remap)
            return o
        }
        g.tensors = tensors
        m.signatureDefs = signatureDefs.map { sig in
            var s = sig
            guard sig.subgraphIndex == 0 else { return s }
            s.inputs = sig.inputs.map { TensorMap(name: $0.name, tensorIndex: UInt32(max(remap(Int($0.tensorIndex)), 0))) }
            s.outputs = sig.outputs.map { TensorMap(name: $0.name, tensorIndex: UInt32(max(remap(Int($0.tensorIndex)), 0))) }
            return s
        }
        m.subgraphs[0] = g
        // Buffers: keep 0, those of every subgraph's tensors and of metadata.
        var usedBuffers: Set<Int> = [0]
        for s in m.subgraphs { for t in s.tensors { usedBuffers.insert(t.buffer) } }
        for e in m.metadata { usedBuffers.insert(e.buffer) }
        for b in m.metadataBuffer ?? [] { usedBuffers.insert(Int(b)) }
        var bufferMap = [Int](repeating: 0, count: m.buffers.count)
        var buffers: [Buffer] = []
        for (i, b) in m.buffers.enumerated() where usedBuffers.contains(i) { bufferMap[i] = buffers.count; buffers.append(b) }
        m.buffers = buffers
        for s in m.subgraphs.indices { for t in m.subgraphs[s].tensors.indices { m.subgraphs[s].tensors[t].buffer = bufferMap[m.subgraphs[s].tensors[t].buffer] } }
        for e in m.metadata.indices { m.metadata[e].buffer = bufferMap[m.metadata[e].buffer] }
        m.metadataBuffer = m.metadataBuffer?.map { Int32(bufferMap[Int($0)]) }
        return (m, tensorMap)
    }
}
