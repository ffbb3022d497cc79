/// PACK as TFLite's reference `Pack`: `count` inputs of one shape stacked along a new axis.
/// With `outerCount` the product of the output dimensions before the axis and `chunkBytes`
/// the bytes of the dimensions after it, input `i`'s chunk `k` goes to output chunk
/// `k * count + i`.
public enum Pack {
    public static func run(_ data: UnsafePointer<UnsafeRawPointer>, count: Int, outerCount: Int, chunkBytes: Int, _ output: UnsafeMutableRawPointer) {
        guard chunkBytes > 0 else { return }
        for i in 0..<count {
            let src = data[i]
            for k in 0..<outerCount {
                (output + (k &* count &+ i) &* chunkBytes).copyMemory(from: src + k &* chunkBytes, byteCount: chunkBytes)
            }
        }
    }
}
