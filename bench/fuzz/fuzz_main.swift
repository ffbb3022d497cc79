// libFuzzer entry point over the verifier and the interpreter: every input is a candidate
// model; it is verified, prepared in a fixed 1 MiB arena and, when prepare accepts it, run on
// a fixed input pattern with every kernel variant (MoteCore's portable loops and each
// MoteCoreDSP variant of this CPU, when built with them), whose outputs must be byte-identical.
// Any trap, out-of-bounds access (AddressSanitizer), or disagreement between variants is a crash.
// Built by bench/fuzz.sh (`swiftc -sanitize=fuzzer,address`), either as separate MoteCore and
// MoteCoreDSP modules or, without MoteCoreDSP, together with the MoteCore sources in one
// module; not part of the package.
#if canImport(MoteCore)
import MoteCore
#endif
#if canImport(MoteCoreDSP)
import MoteCoreDSP
let fuzzVariants = ["portable"] + MoteCoreDSP.available
func fuzzInstall(_ variant: String) { MoteCoreDSP.install(variant: variant) }
#else
let fuzzVariants = ["portable"]
func fuzzInstall(_ variant: String) {}
#endif

/// The arena: fixed size, allocated once, so that arena-size errors are exercised too.
let fuzzArena = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
/// Outputs of the first variant, to compare the others with.
let fuzzReference = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let model = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    guard let it = try? Interpreter(model: model, arena: fuzzArena) else { return 0 }
    defer { fuzzInstall("portable") }
    for (v, variant) in fuzzVariants.enumerated() {
        fuzzInstall(variant)
        for k in 0..<it.inputCount {
            let input = it.input(k)
            for j in 0..<input.count { input[j] = UInt8(truncatingIfNeeded: j &* 37 &+ 11) }
        }
        it.invoke()
        var offset = 0
        for k in 0..<it.outputCount {
            let out = it.output(k)
            for j in 0..<out.count where offset + j < fuzzReference.count {
                if v == 0 {
                    fuzzReference[offset + j] = out[j]
                } else if fuzzReference[offset + j] != out[j] {
                    fatalError("kernel variant \(variant) disagrees with \(fuzzVariants[0]) at output \(k) byte \(j)")
                }
            }
            offset += out.count
        }
    }
    return 0
}
