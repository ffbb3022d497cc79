/// The 256-entry lookup tables through which TFLite's reference kernels compute int8 LOGISTIC
/// and TANH (`LUTPopulate<int8_t>` in `Prepare`, `LookupTable` in `Eval`), and the float
/// functions the tables are built from, written without libm.
///
/// Entry `v` (for every int8 `v`) is
/// `clamp(Int32(round(f(inputScale * Float(v - inputZeroPoint)) * (1 / outputScale)) + Float(outputZeroPoint)), -128, 127)`
/// in float arithmetic, `round` half away from zero, where `f` is TFLite's float expression:
/// `1.0f / (1.0f + expf(-x))` for logistic and `tanhf(x)` for tanh. `expf` and `tanhf` are
/// computed correctly rounded here (double-precision evaluation rounded once to float), which is
/// what glibc's `expf` and `tanhf` return except in cases too rare to change a table.
public enum LogisticTanhTable {
    /// The float function a table samples.
    public enum Function {
        /// `1 / (1 + exp(-x))`.
        case logistic
        /// `tanh(x)`.
        case tanh
    }

    /// Fills `table[0..<256]`, entry `v + 128` holding the output for input value `v`.
    public static func populate(_ table: UnsafeMutablePointer<Int8>, _ function: Function, inputScale: Float,
                                inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) {
        let inverseScale: Float = 1 / outputScale
        for v: Int32 in -128...127 {
            let dequantized = inputScale * Float(Int(v &- inputZeroPoint))
            let transformed: Float
            switch function {
            case .logistic: transformed = 1 / (1 + expf(-dequantized))
            case .tanh: transformed = tanhf(dequantized)
            }
            let rescaled = Double(transformed * inverseScale)
            var quantized: Int32 = -128  // TFLite's value for a NaN or infinite result
            if rescaled.isFinite {
                // Adding the zero point in float is exact below 2^24; beyond that both clamp.
                quantized = FixedPoint.clamp(FixedPoint.roundedInt32(rescaled), -(1 << 24), 1 << 24) &+ outputZeroPoint
            }
            table[Int(v &+ 128)] = Int8(truncatingIfNeeded: FixedPoint.clamp(quantized, -128, 127))
        }
    }

    /// A filled table and the number of elements it maps: a LOGISTIC or TANH kernel's params.
    public struct Lookup {
        public var table: UnsafePointer<Int8>
        public var count: Int
    }

    /// `output[i] = table[input[i] + 128]` for `i` in `0..<count`.
    @inline(__always)
    public static func apply(_ lookup: Lookup, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
        let table = lookup.table
        // The byte pattern XOR 0x80 is `v + 128` without a sign extension.
        for i in 0..<lookup.count {
            output[i] = table[Int(UInt8(bitPattern: input[i]) ^ 0x80)]
        }
    }

    // MARK: - Kernel preparation shared by LOGISTIC and TANH

    /// Bytes of persistent memory a table needs.
    public static let bytes = 256

    /// Validates a LOGISTIC or TANH operator (one int8 input and output of the same shape, both
    /// quantized per tensor; for logistic an output scale of exactly 1/256, which TFLite's
    /// reference kernel requires) and fills its table in `ctx.persistent`.
    public static func prepare(_ ctx: inout PrepareContext, _ function: Function) throws(MoteError) -> Lookup {
        guard ctx.inputCount == 1, ctx.outputCount == 1 else { throw ctx.error(.invalidArgument, "operator takes one input and one output") }
        let input = try ctx.input(0), output = try ctx.output(0)
        try ctx.require(input, type: .int8, "only int8 tensors are supported")
        try ctx.require(output, type: .int8, "only int8 tensors are supported")
        try ctx.require(output, shape: input.shape, "output shape differs from the input's")
        let qIn = try ctx.quantization(input), qOut = try ctx.quantization(output)
        if function == .logistic, output.scale(0) != 1.0 / 256 {
            throw ctx.error(.invalidQuantization, "LOGISTIC output scale must be 1/256", tensor: output.index)
        }
        guard ctx.persistent.count >= bytes, let base = ctx.persistent.baseAddress else {
            throw ctx.error(.invalidArgument, "no persistent memory for the lookup table")
        }
        let table = base.bindMemory(to: Int8.self, capacity: bytes)
        populate(table, function, inputScale: input.scale(0), inputZeroPoint: qIn.zeroPoint,
                 outputScale: output.scale(0), outputZeroPoint: qOut.zeroPoint)
        // Element i is read before it is written and never again: safe over the input.
        ctx.allowInPlace()
        return Lookup(table: UnsafePointer(table), count: input.elementCount)
    }

    // MARK: - Float functions without libm

    /// `exp(x)` rounded to float (correctly rounded but for double-rounding cases of probability
    /// about 2^-28); `+inf` above 88.73, `0` far below -103.
    public static func expf(_ x: Float) -> Float { Float(exp(Double(x))) }

    /// `tanh(x)` rounded to float, as `expf`.
    public static func tanhf(_ x: Float) -> Float { Float(tanh(Double(x))) }

    /// `exp(x)` in double precision, within about 1 ulp: `x = k ln 2 + r` with `|r| <= ln 2 / 2`
    /// (Cody-Waite split of ln 2), the degree-13 Taylor polynomial of `exp(r)`, scaled by `2^k`.
    /// NaN stays NaN; overflow gives `+inf`, underflow `0`.
    public static func exp(_ x: Double) -> Double {
        if x != x { return x }
        if x > 709.79 { return .infinity }
        if x < -745.2 { return 0 }
        let k = FixedPoint.roundedInt32(x * 1.4426950408889634)  // x / ln 2
        let kd = Double(Int(k))
        let r = (x - kd * 0.6931471803691238) - kd * 1.9082149292705877e-10
        return scaleByPowerOfTwo(taylor(r, from: 1, degree: 13), k)
    }

    /// `exp(x) - 1` in double precision without cancellation near 0 (`x` times the degree-17
    /// Taylor polynomial of `(exp(x) - 1) / x` for `|x| < 0.7`, `exp(x) - 1` elsewhere, where at
    /// most one bit cancels).
    public static func expm1(_ x: Double) -> Double {
        guard x > -0.7, x < 0.7 else { return exp(x) - 1 }
        return x * taylor(x, from: 2, degree: 18)
    }

    /// `tanh(x)` in double precision: `expm1(2|x|) / (expm1(2|x|) + 2)` with the sign of `x`,
    /// exactly ±1 for `|x| > 22` (where tanh rounds to ±1 in double).
    public static func tanh(_ x: Double) -> Double {
        if x != x { return x }
        let a = x < 0 ? -x : x
        let t: Double
        if a > 22 {
            t = 1
        } else {
            let e = expm1(2 * a)
            t = e / (e + 2)
        }
        return x < 0 ? -t : t
    }

    /// `1 + r/n0 (1 + r/(n0+1) (1 + ... (1 + r/degree)))`: for `n0 = 1` the Taylor polynomial of
    /// `exp(r)`, for `n0 = 2` that of `(exp(r) - 1) / r`.
    @inline(__always)
    static func taylor(_ r: Double, from n0: Double, degree: Double) -> Double {
        var p = 1.0
        var n = degree
        while n >= n0 {
            p = 1 + p * r / n
            n -= 1
        }
        return p
    }

    /// `y * 2^k` for `k` in about `-1100...1030`, through normal powers of two (the last factor
    /// alone may make the result subnormal, so it is rounded once).
    @inline(__always)
    static func scaleByPowerOfTwo(_ y: Double, _ k: Int32) -> Double {
        var y = y
        var k = k
        while k > 1000 { y *= powerOfTwo(1000); k &-= 1000 }
        while k < -1000 { y *= powerOfTwo(-1000); k &+= 1000 }
        return y * powerOfTwo(k)
    }

    /// `2^k` for `k` in `-1022...1023`, built from its bit pattern.
    @inline(__always)
    static func powerOfTwo(_ k: Int32) -> Double {
        Double(bitPattern: UInt64(bitPattern: FixedPoint.wide(k &+ 1023)) &<< 52)
    }
}
