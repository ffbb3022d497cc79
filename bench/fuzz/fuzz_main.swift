// libFuzzer entry point over the verifier and the interpreter: every input is a candidate
// model; it is verified, prepared in a fixed 1 MiB arena and, when prepare accepts it, run on
// a fixed input pattern. Any trap, out-of-bounds access (AddressSanitizer) or leak is a crash.
// Built with the MoteCore sources by bench/fuzz.sh (`swiftc -sanitize=fuzzer,address`); not
// part of the package.

/// The arena: fixed size, allocated once, so that arena-size errors are exercised too.
let fuzzArena = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let model = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    guard let it = try? Interpreter(model: model, arena: fuzzArena) else { return 0 }
    for k in 0..<it.inputCount {
        let input = it.input(k)
        for j in 0..<input.count { input[j] = UInt8(truncatingIfNeeded: j &* 37 &+ 11) }
    }
    it.invoke()
    var sink: UInt8 = 0
    for k in 0..<it.outputCount { for b in it.output(k) { sink ^= b } }
    return sink == 0x5A ? 0 : 0
}
