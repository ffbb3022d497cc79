/// The built-in architectures, by name (`mote train --arch`).
public enum Architecture: String, Sendable, CaseIterable, Codable {
    /// The Keras tutorial's CNN: Conv16-MaxPool-Conv32-MaxPool-Conv64-MaxPool-Flatten-
    /// Dense512(ReLU)-Dense(1)-Sigmoid; 3×3 valid ReLU convs, 2×2 pools (1,204,257 parameters at 64×64×3).
    case seed
    /// A MobileNet-style depthwise-separable network for microcontrollers: a 3×3 stride-2 conv
    /// (16) then six depthwise 3×3 + pointwise 1×1 blocks (32, 64, 64, 128, 128, 256; strides
    /// 1, 2, 1, 2, 1, 2), each conv followed by BatchNorm and ReLU6, global average pooling and
    /// a dense classifier. About 72k parameters; at 96×96×3 its largest int8 activation pair
    /// (48×48×16 in, 48×48×32 out) is 110,592 bytes.
    case micro

    /// The layers for `classes` classes (2: one sigmoid output; more: softmax).
    public func layers(classes: Int) -> [Layer] {
        let head: [Layer] = classes <= 2
            ? [Dense(units: 1), ActivationLayer(.sigmoid)]
            : [Dense(units: classes), ActivationLayer(.softmax)]
        switch self {
        case .seed:
            return [
                Conv2D(filters: 16, kernelSize: (3, 3), activation: .relu), MaxPool2D(poolSize: (2, 2)),
                Conv2D(filters: 32, kernelSize: (3, 3), activation: .relu), MaxPool2D(poolSize: (2, 2)),
                Conv2D(filters: 64, kernelSize: (3, 3), activation: .relu), MaxPool2D(poolSize: (2, 2)),
                Flatten(), Dense(units: 512, activation: .relu),
            ] + head
        case .micro:
            var l: [Layer] = [Conv2D(filters: 16, kernelSize: (3, 3), strides: (2, 2), padding: .same, useBias: false),
                              BatchNorm(), ActivationLayer(.relu6)]
            for (filters, stride) in [(32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (256, 2)] {
                l += [DepthwiseConv2D(kernelSize: (3, 3), strides: (stride, stride), padding: .same, useBias: false),
                      BatchNorm(), ActivationLayer(.relu6),
                      Conv2D(filters: filters, kernelSize: (1, 1), useBias: false), BatchNorm(), ActivationLayer(.relu6)]
            }
            return l + [GlobalAveragePool2D()] + head
        }
    }

    /// The loss for `classes` classes.
    public static func loss(classes: Int) -> Loss { classes <= 2 ? .binaryCrossEntropy : .categoricalCrossEntropy }
}
