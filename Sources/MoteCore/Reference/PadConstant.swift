/// Constant padding (PAD, PADV2) of a tensor of rank up to 6, as TFLite's reference `PadImpl`:
/// the output is the input surrounded, along each dimension, by `before[d]` and `after[d]`
/// elements of one pad value.
public struct PadPlan {
    /// The rank of input and output.
    public private(set) var rank: Int
    var inputDims: InlineArray<6, Int32>
    var before: InlineArray<6, Int32>
    var after: InlineArray<6, Int32>

    /// A plan for `input` without padding yet.
    public init(input: TensorShape) {
        rank = input.rank
        inputDims = InlineArray(repeating: 1)
        before = InlineArray(repeating: 0)
        after = InlineArray(repeating: 0)
        for d in 0..<rank { inputDims[d] = Int32(truncatingIfNeeded: input[d]) }
    }

    /// Sets the padding of dimension `d` (non-negative counts, validated by the caller).
    public mutating func setPadding(_ d: Int, before b: Int, after a: Int) {
        before[d] = Int32(truncatingIfNeeded: b)
        after[d] = Int32(truncatingIfNeeded: a)
    }

    /// The output shape: `input[d] + before[d] + after[d]`, or nil if a dimension overflows `Int32`.
    public var outputShape: TensorShape? {
        var s = TensorShape(rank: rank)
        for d in 0..<rank {
            let (n1, o1) = inputDims[d].addingReportingOverflow(before[d])
            let (n, o2) = n1.addingReportingOverflow(after[d])
            guard !o1, !o2 else { return nil }
            s[d] = Int(n)
        }
        return s
    }

    /// Writes the padded tensor: rows (all dimensions but the last) outside the input are the
    /// pad value; inside rows get `before` pad values, the next input row, `after` pad values.
    /// The input is read once, in order.
    public func run<T>(_ input: UnsafePointer<T>, padValue: T, _ output: UnsafeMutablePointer<T>) {
        if rank == 0 {
            output[0] = input[0]
            return
        }
        let last = rank - 1
        var outDims = InlineArray<6, Int32>(repeating: 1)
        for d in 0..<rank { outDims[d] = inputDims[d] &+ before[d] &+ after[d] }
        let rowIn = Int(inputDims[last]), rowOut = Int(outDims[last])
        let lead = Int(before[last])
        for d in 0..<rank where outDims[d] == 0 { return }
        var index = InlineArray<6, Int32>(repeating: 0)
        var src = input, dst = output
        while true {
            var inside = true
            for d in 0..<last where index[d] < before[d] || index[d] >= before[d] &+ inputDims[d] { inside = false }
            if inside {
                for j in 0..<lead { dst[j] = padValue }
                for j in 0..<rowIn { dst[lead &+ j] = src[j] }
                for j in (lead &+ rowIn)..<rowOut { dst[j] = padValue }
                src += rowIn
            } else {
                for j in 0..<rowOut { dst[j] = padValue }
            }
            dst += rowOut
            var d = last - 1
            while d >= 0 {
                index[d] &+= 1
                if index[d] < outDims[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }
}
