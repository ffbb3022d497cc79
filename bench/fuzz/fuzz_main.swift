// libFuzzer entry point over the verifier and the interpreter: every input is a candidate
// model; it is verified, prepared in a fixed 1 MiB arena under both memory policies and, when
// prepare accepts it, run on a fixed input pattern: `.compact` with the portable loops, `.fast`
// with every kernel variant (MoteCore's portable loops and each MoteCoreDSP variant of this CPU,
// when built with them). All outputs must be byte-identical. Any trap, out-of-bounds access
// (AddressSanitizer), or disagreement between policies or variants is a crash.
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
    // The compact policy (the firmware's reference-form kernels) with the portable loops first,
    // then the fast one with every variant: all runs must give the first one's bytes, and the
    // policies must agree on whether the model prepares (an arena that only one fits aside).
    let compact = fuzzRun(model, .compact, variants: ["portable"], compare: false)
    let fast = fuzzRun(model, .fast, variants: fuzzVariants, compare: compact == nil)
    if compact.map({ $0.kind != .arenaTooSmall }) ?? true, fast.map({ $0.kind != .arenaTooSmall }) ?? true, (compact == nil) != (fast == nil) {
        fatalError("memory policies disagree: compact \(compact.map { "\($0.kind)" } ?? "prepared"), fast \(fast.map { "\($0.kind)" } ?? "prepared")")
    }
    return 0
}

/// Prepares `model` with `policy` and runs it with each variant, storing the first run's
/// outputs in `fuzzReference` (or, with `compare`, checking every run against them). Returns
/// prepare's error, nil when it prepared.
func fuzzRun(_ model: UnsafeRawBufferPointer, _ policy: Interpreter.MemoryPolicy, variants: [String], compare: Bool) -> MoteError? {
    let it: Interpreter
    do { it = try Interpreter(model: model, arena: fuzzArena, memoryPolicy: policy) } catch { return error }
    defer { fuzzInstall("portable") }
    for (v, variant) in variants.enumerated() {
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
                if v == 0 && !compare {
                    fuzzReference[offset + j] = out[j]
                } else if fuzzReference[offset + j] != out[j] {
                    fatalError("\(policy) policy, kernel variant \(variant): output \(k) byte \(j) differs from the first run's")
                }
            }
            offset += out.count
        }
    }
    return nil
}
