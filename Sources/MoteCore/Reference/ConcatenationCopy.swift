/// One input of a concatenation as eval walks it.
public struct ConcatInput {
    /// Elements copied per outer step: the input's extent along the axis times the inner size.
    public var count: Int32
    /// Whether this input is requantized (int8 with a scale or zero point other than the output's).
    public var requantizes: Bool
    /// The requantization from this input's quantization to the output's.
    public var requantize: Requantize.Params

    public init(count: Int32, requantizes: Bool, requantize: Requantize.Params) {
        self.count = count
        self.requantizes = requantizes
        self.requantize = requantize
    }
}

/// CONCATENATION along one axis, as TFLite's reference `Concatenation`: for each of the
/// `outerCount` positions before the axis, each input in turn contributes its next `count`
/// elements. Inputs marked `requantizes` go through `Requantize.run` instead of a copy (the
/// fixed-point form of TFLite's `ConcatenationWithScaling`).
public enum Concatenation {
    /// `inputs[i]` describes the input whose data starts at `data[i]`; `elementSize` is the
    /// element byte size (1 for every input that requantizes).
    public static func run(_ inputs: UnsafePointer<ConcatInput>, _ data: UnsafePointer<UnsafeRawPointer>, inputCount: Int,
                           outerCount: Int, elementSize: Int, _ output: UnsafeMutableRawPointer) {
        var out = output
        for k in 0..<outerCount {
            for i in 0..<inputCount {
                let n = Int(inputs[i].count)
                let bytes = n &* elementSize
                let src = data[i] + k &* bytes
                if inputs[i].requantizes {
                    Requantize.run(inputs[i].requantize, src.assumingMemoryBound(to: Int8.self), out.assumingMemoryBound(to: Int8.self), count: n)
                } else if bytes > 0 {
                    out.copyMemory(from: src, byteCount: bytes)
                }
                out += bytes
            }
        }
    }
}
