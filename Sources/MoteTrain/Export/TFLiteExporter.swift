import Foundation
import MoteCore
import MoteModel

/// The `mote` metadata written into exported models (ARCHITECTURE.md): float input =
/// pixel × scale + offset after resizing to height × width with `resize`.
public struct ExportMetadata: Codable, Equatable, Sendable {
    public struct Input: Codable, Equatable, Sendable {
        public var height: Int
        public var width: Int
        public var channels: Int
        public var resize: String
        public var scale: Float
        public var offset: Float
        public init(height: Int, width: Int, channels: Int, resize: String, scale: Float = 1.0 / 255.0, offset: Float = 0) {
            self.height = height
            self.width = width
            self.channels = channels
            self.resize = resize
            self.scale = scale
            self.offset = offset
        }
    }
    public var input: Input
    public var classes: [String]
    public init(input: Input, classes: [String]) {
        self.input = input
        self.classes = classes
    }
}

/// Exports a trained `Sequential` as a float32 `.tflite` the way TensorFlow's converter writes
/// the equivalent Keras model (batch 1): BatchNorm folded into the preceding Conv2D,
/// DepthwiseConv2D or Dense (`W' = W·γ/√(σ²+ε)` per output channel, `b' = (b − μ)·γ/√(σ²+ε) + β`),
/// a following ReLU/ReLU6 fused into that operator, Flatten as RESHAPE to `[1, F]`,
/// GlobalAveragePool2D as MEAN over axes 1, 2, Dropout dropped, Sigmoid as LOGISTIC, kernels
/// OHWI / 1HW(C·M) / [out, in], one buffer per tensor, a `serving_default` signature, and the
/// `mote` metadata entry.
public enum TFLiteExporter {
    private static let conv2D: Int32 = 3, depthwise: Int32 = 4, averagePool: Int32 = 1, maxPool: Int32 = 17
    private static let reshape: Int32 = 22, fullyConnected: Int32 = 9, logistic: Int32 = 14, softmax: Int32 = 25
    private static let mean: Int32 = 40, relu: Int32 = 19, relu6: Int32 = 21

    /// The folded weights of a conv-like layer: kernel (output channel outermost or, for
    /// depthwise, innermost) and bias.
    struct Folded {
        var kernel: [Float]
        var bias: [Float]
    }

    /// Folds `bn` (in inference mode) into a kernel whose output channel for flat index `i` is
    /// `channel(i)`.
    static func fold(kernel: [Float], bias: [Float], bn: BatchNorm?, channel: (Int) -> Int) -> Folded {
        guard let bn else { return Folded(kernel: kernel, bias: bias) }
        let c = bias.count
        var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
        for o in 0..<c {
            scale[o] = bn.gamma.value[o] / (bn.movingVariance.value[o] + bn.epsilon).squareRoot()
            shift[o] = bn.beta.value[o] - bn.movingMean.value[o] * scale[o]
        }
        var k = kernel
        for i in k.indices { k[i] *= scale[channel(i)] }
        var b = bias
        for o in 0..<c { b[o] = b[o] * scale[o] + shift[o] }
        return Folded(kernel: k, bias: b)
    }

    private struct Builder {
        var model = TFLiteModel(description: "Mote MoteTrain export.")
        var tensors: [Tensor] = []
        var operators: [Operator] = []
        var codes: [Int32: Int] = [:]

        mutating func tensor(_ name: String, _ shape: [Int], _ type: TensorType = .float32, data: [UInt8] = []) -> Int {
            model.buffers.append(Buffer(data: data))
            tensors.append(Tensor(shape: shape, type: type, buffer: model.buffers.count - 1, name: name,
                                  quantization: Quantization(), hasRank: true))
            return tensors.count - 1
        }

        mutating func constant(_ name: String, _ shape: [Int], _ values: [Float]) -> Int {
            tensor(name, shape, data: values.withUnsafeBytes { Array($0) })
        }

        mutating func constant(_ name: String, _ shape: [Int], int32 values: [Int32]) -> Int {
            tensor(name, shape, .int32, data: values.map { $0.littleEndian }.withUnsafeBytes { Array($0) })
        }

        mutating func op(_ builtin: Int32, _ inputs: [Int], _ outputs: [Int], _ options: BuiltinOptions = .none) {
            let index: Int
            if let i = codes[builtin] { index = i } else {
                model.operatorCodes.append(OperatorCode(builtin: builtin))
                index = model.operatorCodes.count - 1
                codes[builtin] = index
            }
            operators.append(Operator(opcodeIndex: index, inputs: inputs, outputs: outputs, builtinOptions: options))
        }
    }

    private static func padding(_ p: Padding) -> MoteCore.Padding { p == .same ? .same : .valid }

    private static func fused(_ a: Activation) -> FusedActivation {
        switch a {
        case .none: return .none
        case .relu: return .relu
        case .relu6: return .relu6
        }
    }

    /// The exported model (batch 1, float32 input `[1] + model.inputShape`).
    public static func export(_ model: Sequential, metadata: ExportMetadata) throws -> TFLiteModel {
        var b = Builder()
        let input = b.tensor("serving_default_args_0:0", [1] + model.inputShape)
        var current = input
        let layers = model.layers.filter { !($0 is Dropout) }
        var i = 0
        var counters: [String: Int] = [:]
        func name(_ base: String) -> String {
            let n = counters[base, default: 0]
            counters[base] = n + 1
            return n == 0 ? base : "\(base)_\(n)"
        }
        while i < layers.count {
            let layer = layers[i]
            let outShape = [1] + layer.outputShape
            // A conv-like layer absorbs a following BatchNorm and then a following ReLU/ReLU6.
            func absorb(_ own: Activation) throws -> (BatchNorm?, Activation, Int) {
                var j = i + 1
                var bn: BatchNorm?
                if j < layers.count, let n = layers[j] as? BatchNorm {
                    guard own == .none else {
                        throw TrainError("layer \(layer.description): a BatchNorm after a fused activation cannot be folded")
                    }
                    bn = n
                    j += 1
                }
                var act = own
                if act == .none, j < layers.count, let a = layers[j] as? ActivationLayer, a.kind == .relu || a.kind == .relu6 {
                    act = a.kind == .relu ? .relu : .relu6
                    j += 1
                }
                return (bn, act, j)
            }
            switch layer {
            case let conv as Conv2D:
                let (bn, act, next) = try absorb(conv.activation)
                let per = conv.kernel.count / conv.filters
                let f = fold(kernel: conv.kernel.value.array, bias: conv.bias.value.array, bn: bn) { $0 / per }
                let base = name("conv2d")
                let w = b.constant("\(base)/kernel", conv.kernel.shape, f.kernel)
                let bias = b.constant("\(base)/bias", [conv.filters], f.bias)
                let out = b.tensor("\(base)/output", outShape)
                b.op(conv2D, [current, w, bias], [out], .conv2D(Conv2DOptions(
                    padding: padding(conv.padding), strideW: conv.strides.1, strideH: conv.strides.0,
                    fusedActivationFunction: fused(act))))
                current = out
                i = next
            case let dw as DepthwiseConv2D:
                let (bn, act, next) = try absorb(dw.activation)
                let channels = dw.bias.count
                let f = fold(kernel: dw.kernel.value.array, bias: dw.bias.value.array, bn: bn) { $0 % channels }
                let base = name("depthwise_conv2d")
                let w = b.constant("\(base)/depthwise_kernel", dw.kernel.shape, f.kernel)
                let bias = b.constant("\(base)/bias", [channels], f.bias)
                let out = b.tensor("\(base)/output", outShape)
                b.op(depthwise, [current, w, bias], [out], .depthwiseConv2D(DepthwiseConv2DOptions(
                    padding: padding(dw.padding), strideW: dw.strides.1, strideH: dw.strides.0,
                    depthMultiplier: dw.depthMultiplier, fusedActivationFunction: fused(act))))
                current = out
                i = next
            case let dense as Dense:
                let (bn, act, next) = try absorb(dense.activation)
                let inputs = dense.inputShape[0]
                let f = fold(kernel: dense.kernel.value.array, bias: dense.bias.value.array, bn: bn) { $0 / inputs }
                let base = name("dense")
                let w = b.constant("\(base)/kernel", dense.kernel.shape, f.kernel)
                let bias = b.constant("\(base)/bias", [dense.units], f.bias)
                let out = b.tensor("\(base)/output", outShape)
                b.op(fullyConnected, [current, w, bias], [out], .fullyConnected(FullyConnectedOptions(
                    fusedActivationFunction: fused(act))))
                current = out
                i = next
            case let pool as MaxPool2D:
                let out = b.tensor("\(name("max_pooling2d"))/MaxPool2d", outShape)
                b.op(maxPool, [current], [out], .pool2D(Pool2DOptions(
                    padding: padding(pool.padding), strideW: pool.strides.1, strideH: pool.strides.0,
                    filterWidth: pool.poolSize.1, filterHeight: pool.poolSize.0)))
                current = out
                i += 1
            case let pool as AveragePool2D:
                let out = b.tensor("\(name("average_pooling2d"))/AvgPool2d", outShape)
                b.op(averagePool, [current], [out], .pool2D(Pool2DOptions(
                    padding: padding(pool.padding), strideW: pool.strides.1, strideH: pool.strides.0,
                    filterWidth: pool.poolSize.1, filterHeight: pool.poolSize.0)))
                current = out
                i += 1
            case is GlobalAveragePool2D:
                let base = name("global_average_pooling2d")
                let axes = b.constant("\(base)/axes", [2], int32: [1, 2])
                let out = b.tensor("\(base)/Mean", outShape)
                b.op(mean, [current, axes], [out], .reducer(ReducerOptions(keepDims: false)))
                current = out
                i += 1
            case is Flatten:
                let base = name("flatten")
                let shape = b.constant("\(base)/shape", [2], int32: [1, Int32(layer.outputShape[0])])
                let out = b.tensor("\(base)/Reshape", outShape)
                b.op(reshape, [current, shape], [out])
                current = out
                i += 1
            case let a as ActivationLayer:
                let out = b.tensor("\(name(a.kind.rawValue))/output", outShape)
                switch a.kind {
                case .relu: b.op(relu, [current], [out])
                case .relu6: b.op(relu6, [current], [out])
                case .sigmoid: b.op(logistic, [current], [out])
                case .softmax: b.op(softmax, [current], [out], .softmax(SoftmaxOptions(beta: 1)))
                }
                current = out
                i += 1
            case is BatchNorm:
                throw TrainError("a BatchNorm that does not follow Conv2D, DepthwiseConv2D or Dense cannot be exported")
            default:
                throw TrainError("layer \(layer.description) cannot be exported")
            }
        }
        b.tensors[current].name = "StatefulPartitionedCall_1:0"
        b.model.subgraphs = [Subgraph(tensors: b.tensors, inputs: [input], outputs: [current], operators: b.operators, name: "main")]
        b.model.signatureDefs = [SignatureDef(inputs: [TensorMap(name: "args_0", tensorIndex: UInt32(input))],
                                              outputs: [TensorMap(name: "output_0", tensorIndex: UInt32(current))],
                                              signatureKey: "serving_default", subgraphIndex: 0)]
        // TF's converter records the oldest runtime that runs the model, as a 16-byte padded string.
        var version = Array("1.14.0".utf8)
        version += [UInt8](repeating: 0, count: 16 - version.count)
        b.model.setMetadata(named: "min_runtime_version", bytes: version)
        try b.model.setMoteMetadata(metadata)
        return b.model
    }
}
