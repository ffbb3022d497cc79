// The Embedded Swift side of bench/hostile32: verify, prepare and run one candidate model on a
// 32-bit target (i686), where Int is 32 bits wide as on the Cortex-M boards, so that every
// arithmetic overflow that only a 32-bit Int can hit traps here. Both memory policies run:
// `.compact` (the firmware's) and `.fast`. Compiled with the MoteCore sources by
// bench/hostile32.py; the host program is start32.c.

/// Returns the `.fast` outcome: 0 when the model ran, 100 + kind when the verifier rejected it,
/// 200 + kind when prepare did; or 300 when both policies ran and their outputs differ, 301
/// when one policy prepared the model and the other rejected it (arena size aside). `keep`
/// holds the `.compact` outputs for the comparison.
@_cdecl("mote32_run")
public func mote32Run(_ model: UnsafeRawPointer?, _ count: Int32, _ arena: UnsafeMutableRawPointer?, _ arenaCount: Int32,
                      _ keep: UnsafeMutableRawPointer?, _ keepCount: Int32) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: count > 0 ? model : nil, count: Int(count))
    do { _ = try ModelView(bytes) } catch { return 100 + error.kind.rawValue }
    let memory = UnsafeMutableRawBufferPointer(start: arenaCount > 0 ? arena : nil, count: Int(arenaCount))
    let outputs = UnsafeMutableRawBufferPointer(start: keepCount > 0 ? keep : nil, count: Int(keepCount))
    let compact = prepareAndRun(bytes, memory, .compact, outputs, compare: false)
    let fast = prepareAndRun(bytes, memory, .fast, outputs, compare: compact == 0)
    if fast == 300 { return 300 }
    let tooSmall = 200 + MoteError.Kind.arenaTooSmall.rawValue
    if (compact == 0) != (fast == 0), compact != tooSmall, fast != tooSmall { return 301 }
    return fast
}

/// Prepares and invokes; stores the outputs in `keep`, or compares them with it (300 on a difference).
func prepareAndRun(_ bytes: UnsafeRawBufferPointer, _ arena: UnsafeMutableRawBufferPointer, _ policy: Interpreter.MemoryPolicy,
                   _ keep: UnsafeMutableRawBufferPointer, compare: Bool) -> Int32 {
    let it: Interpreter
    do { it = try Interpreter(model: bytes, arena: arena, memoryPolicy: policy) } catch { return 200 + error.kind.rawValue }
    for k in 0..<it.inputCount {
        let input = it.input(k)
        for j in 0..<input.count { input[j] = UInt8(truncatingIfNeeded: j &* 37 &+ 11) }
    }
    it.invoke()
    var offset = 0
    for k in 0..<it.outputCount {
        let out = it.output(k)
        for j in 0..<out.count where offset + j < keep.count {
            if compare {
                if keep[offset + j] != out[j] { return 300 }
            } else {
                keep[offset + j] = out[j]
            }
        }
        offset += out.count
    }
    return 0
}
