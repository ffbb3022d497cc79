/// Flattens a sample to one dimension (row-major, so NHWC data is unchanged; exported as RESHAPE).
public final class Flatten: Layer {
    public private(set) var inputShape: [Int] = []
    public private(set) var outputShape: [Int] = []

    public init() {}
    public var description: String { "Flatten" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws -> [Int] {
        self.inputShape = inputShape
        outputShape = [inputShape.reduce(1, *)]
        return outputShape
    }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, context: PassContext) {
        y.update(from: x, count: batch * outputShape[0])
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int, context: PassContext) {
        dx?.update(from: dy, count: batch * outputShape[0])
    }
}
