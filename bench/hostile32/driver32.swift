// The Embedded Swift side of bench/hostile32: verify, prepare and run one candidate model on a
// 32-bit target (i686), where Int is 32 bits wide as on the Cortex-M boards, so that every
// arithmetic overflow that only a 32-bit Int can hit traps here. Compiled with the MoteCore
// sources by bench/hostile32.sh; the host program is start32.c.

/// Returns 0 when the model ran, 100 + kind when the verifier rejected it, 200 + kind when
/// prepare did.
@_cdecl("mote32_run")
public func mote32Run(_ model: UnsafeRawPointer?, _ count: Int32, _ arena: UnsafeMutableRawPointer?, _ arenaCount: Int32) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: count > 0 ? model : nil, count: Int(count))
    do { _ = try ModelView(bytes) } catch { return 100 + error.kind.rawValue }
    let it: Interpreter
    do {
        it = try Interpreter(model: bytes, arena: UnsafeMutableRawBufferPointer(start: arenaCount > 0 ? arena : nil, count: Int(arenaCount)))
    } catch { return 200 + error.kind.rawValue }
    for k in 0..<it.inputCount {
        let input = it.input(k)
        for j in 0..<input.count { input[j] = UInt8(truncatingIfNeeded: j &* 37 &+ 11) }
    }
    it.invoke()
    return 0
}
