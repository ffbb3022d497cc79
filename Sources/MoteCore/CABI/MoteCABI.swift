// The C ABI declared in include/mote_core.h. Every function is `@_cdecl`, takes only integers
// and pointers, and allocates nothing, so the same code serves the host module and the
// Embedded Swift object linked into C firmware. The header is the specification; the layouts
// written here (handle, mote_error) must match it byte for byte.

/// Layouts and helpers shared by the `mote_*` functions.
enum MoteCABI {
    /// `MOTE_INTERPRETER_SIZE`: bytes of a `mote_interpreter` handle.
    static let handleSize = 512
    /// The interpreter lives at this offset in the handle, after the readiness word at 0.
    static let interpreterOffset = 16
    /// The readiness word of a handle whose `mote_init` succeeded ("MOTE").
    static let readyMagic: UInt32 = 0x4D4F_5445
    /// `MOTE_VERSION`.
    static let version: StaticString = "0.1.0"

    /// Bytes of a handle this build uses: the readiness word's slot plus the interpreter.
    static var requiredHandleBytes: Int { interpreterOffset + MemoryLayout<Interpreter>.size }

    /// The interpreter of a ready handle; nil for NULL or a handle whose `mote_init` failed.
    @inline(__always)
    static func interpreter(_ handle: UnsafeRawPointer?) -> UnsafePointer<Interpreter>? {
        guard let handle, isAligned(handle), handle.load(as: UInt32.self) == readyMagic else { return nil }
        return (handle + interpreterOffset).assumingMemoryBound(to: Interpreter.self)
    }

    /// True when the handle can hold an `Interpreter` (the C type is 16-aligned; memory from
    /// a 32-bit malloc is only 8-aligned, which is still enough).
    @inline(__always)
    static func isAligned(_ p: UnsafeRawPointer) -> Bool {
        Int(bitPattern: p) & (max(MemoryLayout<Interpreter>.alignment, MemoryLayout<UInt32>.alignment) - 1) == 0
    }

    /// Writes `e` into a `mote_error` (when given one) and returns its status code.
    /// Offsets as in the header: code 0, op_index 4, tensor_index 8, reserved 12, value 16
    /// (intptr_t), message 16 + sizeof(intptr_t).
    static func report(_ e: MoteError, _ err: UnsafeMutableRawPointer?) -> Int32 {
        let code = e.kind.rawValue
        fill(err, code: code, op: e.operatorIndex, tensor: e.tensorIndex, value: e.value, message: e.message)
        return code
    }

    /// Marks a `mote_error` as success (code 0, message "ok").
    static func reportOK(_ err: UnsafeMutableRawPointer?) -> Int32 {
        fill(err, code: 0, op: -1, tensor: -1, value: 0, message: "ok")
        return 0
    }

    static func fill(_ err: UnsafeMutableRawPointer?, code: Int32, op: Int32, tensor: Int32, value: Int, message: StaticString) {
        guard let err else { return }
        err.storeBytes(of: code, toByteOffset: 0, as: Int32.self)
        err.storeBytes(of: op, toByteOffset: 4, as: Int32.self)
        err.storeBytes(of: tensor, toByteOffset: 8, as: Int32.self)
        err.storeBytes(of: Int32(0), toByteOffset: 12, as: Int32.self)
        err.storeBytes(of: value, toByteOffset: 16, as: Int.self)
        err.storeBytes(of: UnsafeRawPointer(cString(message)), toByteOffset: 16 + MemoryLayout<Int>.size, as: UnsafeRawPointer.self)
    }

    /// The NUL-terminated bytes of a string literal (the compiler terminates every literal).
    @inline(__always)
    static func cString(_ s: StaticString) -> UnsafePointer<CChar> {
        // A StaticString built from a single Unicode scalar has no pointer; no core message is one.
        let text: StaticString = s.hasPointerRepresentation ? s : "(message without text)"
        return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// A C `size_t` as an `Int`, or nil above `Int.max`.
    @inline(__always)
    static func count(_ n: UInt) -> Int? {
        let i = Int(bitPattern: n)
        return i >= 0 ? i : nil
    }

    /// Stores a buffer's address and size through optional C out-parameters.
    @inline(__always)
    static func give<P>(_ start: P?, _ count: Int, _ data: UnsafeMutablePointer<P?>?, _ bytes: UnsafeMutablePointer<UInt>?) {
        data?.pointee = start
        bytes?.pointee = UInt(bitPattern: count)
    }
}

/// `mote_interpreter_size`: the handle bytes this build needs (at most `MOTE_INTERPRETER_SIZE`).
@_cdecl("mote_interpreter_size")
public func moteInterpreterSize() -> UInt {
    UInt(bitPattern: MoteCABI.requiredHandleBytes)
}

/// `mote_init`: verifies and prepares `model` in `arena`, storing the interpreter in `handle`.
/// Returns 0 or a `MoteError.Kind` raw value, with the details written to `err` when non-nil.
@_cdecl("mote_init")
public func moteInit(_ model: UnsafeRawPointer?, _ modelLength: UInt, _ arena: UnsafeMutableRawPointer?, _ arenaLength: UInt,
                     _ handle: UnsafeMutableRawPointer?, _ err: UnsafeMutableRawPointer?) -> Int32 {
    guard let handle else { return MoteCABI.report(MoteError(.invalidArgument, "handle is NULL"), err) }
    guard MoteCABI.isAligned(UnsafeRawPointer(handle)) else {
        return MoteCABI.report(MoteError(.invalidArgument, "handle is misaligned"), err)
    }
    guard MoteCABI.requiredHandleBytes <= MoteCABI.handleSize else {
        return MoteCABI.report(MoteError(.invalidArgument, "MOTE_INTERPRETER_SIZE too small for this build", value: MoteCABI.requiredHandleBytes), err)
    }
    handle.storeBytes(of: 0, as: UInt32.self)
    guard let modelCount = MoteCABI.count(modelLength), model != nil || modelCount == 0 else {
        return MoteCABI.report(MoteError(.invalidArgument, "model is NULL or its length out of range"), err)
    }
    guard let arenaCount = MoteCABI.count(arenaLength), arena != nil || arenaCount == 0 else {
        return MoteCABI.report(MoteError(.invalidArgument, "arena is NULL or its length out of range"), err)
    }
    let bytes = UnsafeRawBufferPointer(start: model, count: modelCount)
    let memory = UnsafeMutableRawBufferPointer(start: arena, count: arenaCount)
    do {
        let interpreter = try Interpreter(model: bytes, arena: memory, memoryPolicy: .compact)
        (handle + MoteCABI.interpreterOffset).initializeMemory(as: Interpreter.self, repeating: interpreter, count: 1)
    } catch {
        return MoteCABI.report(error, err)
    }
    handle.storeBytes(of: MoteCABI.readyMagic, as: UInt32.self)
    return MoteCABI.reportOK(err)
}

/// `mote_arena_required`: `Interpreter.ArenaUsage.required` (0 when the handle is not ready).
@_cdecl("mote_arena_required")
public func moteArenaRequired(_ handle: UnsafeRawPointer?) -> UInt {
    UInt(bitPattern: MoteCABI.interpreter(handle)?.pointee.usage.required ?? 0)
}

/// `mote_arena_planned`: `Interpreter.ArenaUsage.planned` (0 when the handle is not ready).
@_cdecl("mote_arena_planned")
public func moteArenaPlanned(_ handle: UnsafeRawPointer?) -> UInt {
    UInt(bitPattern: MoteCABI.interpreter(handle)?.pointee.usage.planned ?? 0)
}

/// `mote_arena_persistent`: `Interpreter.ArenaUsage.persistent` (0 when the handle is not ready).
@_cdecl("mote_arena_persistent")
public func moteArenaPersistent(_ handle: UnsafeRawPointer?) -> UInt {
    UInt(bitPattern: MoteCABI.interpreter(handle)?.pointee.usage.persistent ?? 0)
}

/// `mote_input_count`: the number of model inputs (0 when the handle is not ready).
@_cdecl("mote_input_count")
public func moteInputCount(_ handle: UnsafeRawPointer?) -> UInt {
    UInt(bitPattern: MoteCABI.interpreter(handle)?.pointee.inputCount ?? 0)
}

/// `mote_output_count`: the number of model outputs (0 when the handle is not ready).
@_cdecl("mote_output_count")
public func moteOutputCount(_ handle: UnsafeRawPointer?) -> UInt {
    UInt(bitPattern: MoteCABI.interpreter(handle)?.pointee.outputCount ?? 0)
}

/// `mote_input`: the arena memory of input `index`; `.invalidArgument` (NULL, 0) when the
/// index is out of range or the handle is not ready.
@_cdecl("mote_input")
public func moteInput(_ handle: UnsafeMutableRawPointer?, _ index: UInt,
                      _ data: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ bytes: UnsafeMutablePointer<UInt>?) -> Int32 {
    MoteCABI.give(nil, 0, data, bytes)
    guard let it = MoteCABI.interpreter(UnsafeRawPointer(handle)) else { return MoteError.Kind.invalidArgument.rawValue }
    let i = Int(bitPattern: index)
    guard i >= 0, i < it.pointee.inputCount else { return MoteError.Kind.invalidArgument.rawValue }
    let buffer = it.pointee.input(i)
    MoteCABI.give(buffer.baseAddress, buffer.count, data, bytes)
    return 0
}

/// `mote_output`: the arena memory of output `index`, as `mote_input`.
@_cdecl("mote_output")
public func moteOutput(_ handle: UnsafeRawPointer?, _ index: UInt,
                       _ data: UnsafeMutablePointer<UnsafeRawPointer?>?, _ bytes: UnsafeMutablePointer<UInt>?) -> Int32 {
    MoteCABI.give(nil, 0, data, bytes)
    guard let it = MoteCABI.interpreter(handle) else { return MoteError.Kind.invalidArgument.rawValue }
    let i = Int(bitPattern: index)
    guard i >= 0, i < it.pointee.outputCount else { return MoteError.Kind.invalidArgument.rawValue }
    let buffer = it.pointee.output(i)
    MoteCABI.give(buffer.baseAddress, buffer.count, data, bytes)
    return 0
}

/// `mote_set_input`: copies `length` bytes into input `index` (`Interpreter.setInput`).
@_cdecl("mote_set_input")
public func moteSetInput(_ handle: UnsafeMutableRawPointer?, _ index: UInt, _ data: UnsafeRawPointer?, _ length: UInt,
                         _ err: UnsafeMutableRawPointer?) -> Int32 {
    guard let it = MoteCABI.interpreter(UnsafeRawPointer(handle)) else {
        return MoteCABI.report(MoteError(.invalidArgument, "handle is not ready: mote_init did not succeed"), err)
    }
    guard let count = MoteCABI.count(length), data != nil || count == 0 else {
        return MoteCABI.report(MoteError(.invalidArgument, "input data is NULL or its length out of range"), err)
    }
    do {
        try it.pointee.setInput(Int(bitPattern: index), UnsafeRawBufferPointer(start: data, count: count))
    } catch {
        return MoteCABI.report(error, err)
    }
    return MoteCABI.reportOK(err)
}

/// `mote_invoke`: runs every operator once; `.invalidArgument` when the handle is not ready.
/// The input bytes are undefined afterwards (operators may run in place over them).
@_cdecl("mote_invoke")
public func moteInvoke(_ handle: UnsafeMutableRawPointer?) -> Int32 {
    guard let it = MoteCABI.interpreter(UnsafeRawPointer(handle)) else { return MoteError.Kind.invalidArgument.rawValue }
    it.pointee.invoke()
    return 0
}

/// `mote_status_string`: a static description of a status code.
@_cdecl("mote_status_string")
public func moteStatusString(_ code: Int32) -> UnsafePointer<CChar> {
    let text: StaticString
    switch MoteError.Kind(rawValue: code) {
    case .malformedModel: text = "malformed model"
    case .unsupportedOperator: text = "unsupported operator"
    case .typeMismatch: text = "type mismatch"
    case .shapeMismatch: text = "shape mismatch"
    case .invalidQuantization: text = "invalid quantization"
    case .invalidOptions: text = "invalid options"
    case .invalidBuffer: text = "invalid buffer"
    case .indexOutOfRange: text = "index out of range"
    case .overflow: text = "overflow"
    case .arenaTooSmall: text = "arena too small"
    case .invalidArgument: text = "invalid argument"
    case nil: text = code == 0 ? "ok" : "unknown status"
    }
    return MoteCABI.cString(text)
}

/// `mote_version`: `MOTE_VERSION`.
@_cdecl("mote_version")
public func moteVersion() -> UnsafePointer<CChar> {
    MoteCABI.cString(MoteCABI.version)
}
