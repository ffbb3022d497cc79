import Foundation
import MoteCore

/// Per-operator facts of a model's graph for `mote inspect`: operator names and versions,
/// input and output tensors (shape, type, quantization), options in a few words, and the
/// multiply-accumulate count of each operator.
///
/// MACs are counted as Netron and TFLite's benchmark tooling do, one per multiply-add of the
/// reference algorithm, with the batch included:
/// - CONV_2D: N·outH·outW·outC·KH·KW·(inC / groups), the filter being [outC, KH, KW, inC/groups];
/// - DEPTHWISE_CONV_2D: N·outH·outW·outC·KH·KW (filter [1, KH, KW, outC]);
/// - TRANSPOSE_CONV: N·inH·inW·inC·KH·KW·outC;
/// - FULLY_CONNECTED: outputElements·inputDepth (weights [units, inputDepth]);
/// - BATCH_MATMUL: outputElements·K (the contracted dimension);
/// - AVERAGE/MAX/L2_POOL_2D: outputElements·filterH·filterW (one accumulate or compare per tap);
/// - MEAN, SUM and the other reductions: inputElements;
/// - ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM: outputElements;
/// - every other operator: 0 (data movement, activations, lookups).
/// Dimensions that are unknown (negative) count as 0.
public struct ModelSummary: Equatable, Sendable {
    /// One tensor as seen by an operator.
    public struct TensorInfo: Equatable, Sendable {
        /// The tensor index, or -1 for an omitted optional input.
        public var index: Int
        /// The tensor's name (empty for an omitted input).
        public var name: String
        /// The element type (nil for an omitted input).
        public var type: TensorType?
        /// The declared shape.
        public var shape: [Int]
        /// True when the tensor has constant data (weights, biases, shape constants).
        public var isConstant: Bool
        /// The quantization parameters, when the tensor has scales.
        public var quantization: Quantization?

        /// `int8[1,32,32,3] s=0.00392157 zp=-128`, or `-` for an omitted input.
        public var description: String {
            guard index >= 0, let type else { return "-" }
            var s = "\(type)\(ModelSummary.shapeString(shape))"
            if let q = quantization, !q.scale.isEmpty { s += " " + ModelSummary.quantizationString(q) }
            return s
        }
    }

    /// One operator.
    public struct OperatorInfo: Equatable, Sendable {
        /// Position in execution order.
        public var index: Int
        /// The schema name (`CONV_2D`), or the custom code of a custom operator.
        public var opName: String
        /// The builtin code.
        public var builtinCode: Int32
        /// The operator version.
        public var version: Int32
        /// The inputs, in operator order.
        public var inputs: [TensorInfo]
        /// The outputs.
        public var outputs: [TensorInfo]
        /// The options in a few words (`s2x2 SAME RELU6`), empty when there is nothing to say.
        public var options: String
        /// Multiply-accumulates (see `ModelSummary`).
        public var macs: Int

        /// One line: index, name, version, first input and output shapes, options, MACs.
        public var description: String {
            let ins = inputs.filter { !$0.isConstant && $0.index >= 0 }.map { ModelSummary.shapeString($0.shape) }
            let outs = outputs.map { ModelSummary.shapeString($0.shape) }
            var s = "#\(index) \(opName) v\(version) \(ins.joined(separator: ", ")) -> \(outs.joined(separator: ", "))"
            if !options.isEmpty { s += " \(options)" }
            if macs > 0 { s += " \(macs) MACs" }
            return s
        }
    }

    /// The operators in execution order.
    public var operators: [OperatorInfo]
    /// The sum of the operators' MACs.
    public var totalMACs: Int { operators.reduce(0) { $0 + $1.macs } }
    /// Bytes of constant tensor data in the graph (weights, biases, constants; shared buffers
    /// counted once).
    public var constantBytes: Int
    /// The graph's input and output tensors.
    public var inputs: [TensorInfo], outputs: [TensorInfo]

    /// Summarizes subgraph `subgraph` of `model` (an empty summary when it does not exist).
    public init(_ model: TFLiteModel, subgraph: Int = 0) {
        guard subgraph >= 0, subgraph < model.subgraphs.count else {
            operators = []; constantBytes = 0; inputs = []; outputs = []
            return
        }
        let g = model.subgraphs[subgraph]
        func info(_ i: Int) -> TensorInfo {
            guard i >= 0, i < g.tensors.count else {
                return TensorInfo(index: -1, name: "", type: nil, shape: [], isConstant: false, quantization: nil)
            }
            let t = g.tensors[i]
            let constant = t.buffer > 0 && t.buffer < model.buffers.count && !model.buffers[t.buffer].data.isEmpty
            let q = t.quantization.flatMap { $0.scale.isEmpty ? nil : $0 }
            return TensorInfo(index: i, name: t.name, type: t.type, shape: t.shape, isConstant: constant, quantization: q)
        }
        operators = g.operators.enumerated().map { k, op in
            let code = op.opcodeIndex >= 0 && op.opcodeIndex < model.operatorCodes.count ? model.operatorCodes[op.opcodeIndex] : nil
            let builtin = code?.builtinOperator ?? -1
            let ins = op.inputs.map(info), outs = op.outputs.map(info)
            return OperatorInfo(index: k, opName: code?.name ?? "INVALID_OPCODE_\(op.opcodeIndex)", builtinCode: builtin,
                                version: code?.version ?? 0, inputs: ins, outputs: outs,
                                options: ModelSummary.optionsString(op.builtinOptions),
                                macs: ModelSummary.macs(builtin: builtin, options: op.builtinOptions,
                                                        inputs: ins.map(\.shape), outputs: outs.map(\.shape)))
        }
        let buffers = Set(g.tensors.map(\.buffer).filter { $0 > 0 && $0 < model.buffers.count })
        constantBytes = buffers.reduce(0) { $0 + model.buffers[$1].data.count }
        inputs = g.inputs.map(info)
        outputs = g.outputs.map(info)
    }

    // MARK: MACs

    /// The MACs of one operator from its builtin code, options and tensor shapes (see the
    /// type's notes for the definitions).
    public static func macs(builtin: Int32, options: BuiltinOptions, inputs: [[Int]], outputs: [[Int]]) -> Int {
        func elements(_ s: [Int]) -> Int { s.reduce(1) { $0 * max($1, 0) } }
        func dim(_ s: [Int], _ i: Int) -> Int { i >= 0 && i < s.count ? max(s[i], 0) : 0 }
        let out = outputs.first ?? [], input = inputs.first ?? []
        let filter = inputs.count > 1 ? inputs[1] : []
        switch BuiltinOperatorNames.name(of: builtin) {
        case "CONV_2D":
            // filter [outC, KH, KW, inC / groups]
            guard filter.count == 4 else { return 0 }
            return elements(out) * dim(filter, 1) * dim(filter, 2) * dim(filter, 3)
        case "DEPTHWISE_CONV_2D":
            guard filter.count == 4 else { return 0 }
            return elements(out) * dim(filter, 1) * dim(filter, 2)
        case "TRANSPOSE_CONV":
            // inputs: output shape, filter [outC, KH, KW, inC], input [N, H, W, inC]
            guard inputs.count > 2, filter.count == 4 else { return 0 }
            return elements(inputs[2]) * dim(filter, 0) * dim(filter, 1) * dim(filter, 2)
        case "FULLY_CONNECTED":
            guard filter.count >= 2 else { return 0 }
            return elements(out) * dim(filter, filter.count - 1)
        case "BATCH_MATMUL":
            guard input.count >= 2 else { return 0 }
            var adjX = false
            if case .batchMatMul(let o) = options { adjX = o.adjX }
            return elements(out) * dim(input, adjX ? input.count - 2 : input.count - 1)
        case "AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D":
            guard case .pool2D(let o) = options else { return 0 }
            return elements(out) * max(o.filterHeight, 0) * max(o.filterWidth, 0)
        case "MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD", "REDUCE_ANY", "REDUCE_ALL":
            return elements(input)
        case "ADD", "SUB", "MUL", "DIV", "SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM":
            return elements(out)
        default:
            return 0
        }
    }

    // MARK: Text

    /// `[1,32,32,3]`.
    public static func shapeString(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ",") + "]"
    }

    /// `s=0.00392157 zp=-128`, or for per-channel parameters
    /// `per-channel(16) dim 0 s=[0.0012..0.0087] zp=0`.
    public static func quantizationString(_ q: Quantization) -> String {
        func f(_ x: Float) -> String { String(format: "%.6g", Double(x)) }
        let zps = Set(q.zeroPoint)
        let zp = zps.count == 1 ? "\(q.zeroPoint[0])" : zps.isEmpty ? "-" : "[\(zps.min()!)..\(zps.max()!)]"
        if q.scale.count == 1 { return "s=\(f(q.scale[0])) zp=\(zp)" }
        return "per-channel(\(q.scale.count)) dim \(q.quantizedDimension) s=[\(f(q.scale.min() ?? 0))..\(f(q.scale.max() ?? 0))] zp=\(zp)"
    }

    /// The schema name of an activation (`RELU6`); empty for NONE.
    public static func activationString(_ a: FusedActivation) -> String {
        switch a {
        case .none: return ""
        case .relu: return "RELU"
        case .reluN1To1: return "RELU_N1_TO_1"
        case .relu6: return "RELU6"
        case .tanh: return "TANH"
        case .signBit: return "SIGN_BIT"
        }
    }

    /// The options in a few words, in the style of the fixtures' README: `s2 SAME RELU`,
    /// `s2 mult2 SAME RELU6` (depth multiplier), `s1 SAME d2x2` (dilation), `s2x1 k3x3 VALID`
    /// (stride H x W, window H x W), `axis -1`, `keep_dims` / `no_keep_dims`.
    public static func optionsString(_ options: BuiltinOptions) -> String {
        func stride(_ h: Int, _ w: Int) -> String { h == w ? "s\(h)" : "s\(h)x\(w)" }
        func padding(_ p: Padding) -> String { p == .same ? "SAME" : "VALID" }
        func dilation(_ h: Int, _ w: Int) -> String? { h == 1 && w == 1 ? nil : "d\(h)x\(w)" }
        func join(_ parts: [String?]) -> String { parts.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ") }
        switch options {
        case .conv2D(let o):
            return join([stride(o.strideH, o.strideW), padding(o.padding), dilation(o.dilationHFactor, o.dilationWFactor),
                         activationString(o.fusedActivationFunction)])
        case .depthwiseConv2D(let o):
            return join([stride(o.strideH, o.strideW), o.depthMultiplier > 1 ? "mult\(o.depthMultiplier)" : nil, padding(o.padding),
                         dilation(o.dilationHFactor, o.dilationWFactor), activationString(o.fusedActivationFunction)])
        case .transposeConv(let o):
            return join([stride(o.strideH, o.strideW), padding(o.padding), activationString(o.fusedActivationFunction)])
        case .pool2D(let o):
            return join([stride(o.strideH, o.strideW), "k\(o.filterHeight)x\(o.filterWidth)", padding(o.padding),
                         activationString(o.fusedActivationFunction)])
        case .fullyConnected(let o):
            return join([activationString(o.fusedActivationFunction), o.keepNumDims ? "keep_num_dims" : nil])
        case .add(let o): return activationString(o.fusedActivationFunction)
        case .sub(let o): return activationString(o.fusedActivationFunction)
        case .mul(let o): return activationString(o.fusedActivationFunction)
        case .div(let o): return activationString(o.fusedActivationFunction)
        case .concatenation(let o): return join(["axis \(o.axis)", activationString(o.fusedActivationFunction)])
        case .softmax(let o): return o.beta == 1 ? "" : "beta \(o.beta)"
        case .reducer(let o): return o.keepDims ? "keep_dims" : "no_keep_dims"
        case .leakyRelu(let o): return "alpha \(o.alpha)"
        case .pack(let o): return "axis \(o.axis) n \(o.valuesCount)"
        case .unpack(let o): return "axis \(o.axis) n \(o.num)"
        case .gather(let o): return "axis \(o.axis)"
        case .reshape(let o): return o.newShape.map { "to \(shapeString($0))" } ?? ""
        case .squeeze(let o): return o.squeezeDims.isEmpty ? "" : "dims \(shapeString(o.squeezeDims))"
        case .stridedSlice(let o):
            let masks = [("begin", o.beginMask), ("end", o.endMask), ("ellipsis", o.ellipsisMask),
                         ("new_axis", o.newAxisMask), ("shrink", o.shrinkAxisMask)].filter { $0.1 != 0 }
            return join(masks.map { "\($0.0)=\($0.1)" } + [o.offset ? "offset" : nil])
        case .shape(let o): return "\(o.outType)"
        case .cast(let o): return "\(o.inDataType) -> \(o.outDataType)"
        case .resizeBilinear(let o):
            return join([o.alignCorners ? "align_corners" : nil, o.halfPixelCenters ? "half_pixel_centers" : nil])
        case .resizeNearestNeighbor(let o):
            return join([o.alignCorners ? "align_corners" : nil, o.halfPixelCenters ? "half_pixel_centers" : nil])
        case .generic(let g): return g.fields.isEmpty ? "" : "\(g.tableName()) (\(g.fields.count) fields)"
        default: return ""
        }
    }
}

extension TFLiteModel {
    /// `ModelSummary(self, subgraph:)`.
    public func summary(subgraph: Int = 0) -> ModelSummary { ModelSummary(self, subgraph: subgraph) }
}
