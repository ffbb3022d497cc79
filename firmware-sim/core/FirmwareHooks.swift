// Firmware-only additions to the C ABI, compiled into the Embedded Swift object of the core by
// firmware-sim/run.sh (passed as an extra source to scripts/build-embedded-core.sh, so they
// live in the MoteCore module and reach the interpreter of a handle the way MoteCABI does).
// They are not part of include/mote_core.h: they exist so that the firmware can place an
// instruction-count marker between operators and name each operator in its report. The
// proposal is to move them into the core's C ABI as `mote_invoke_each`, `mote_operator_count`
// and `mote_operator_builtin`; until then the `motefw_` prefix keeps them from colliding.

/// `motefw_invoke_each(handle, after, context)`: runs every operator once, in order, exactly as
/// `mote_invoke`, and calls `after(context, i)` right after operator `i` ran (while its outputs
/// are live). Returns 0, or `MOTE_STATUS_INVALID_ARGUMENT` when the handle is not ready or
/// `after` is NULL.
@_cdecl("motefw_invoke_each")
public func motefwInvokeEach(_ handle: UnsafeMutableRawPointer?,
                             _ after: (@convention(c) (UnsafeMutableRawPointer?, UInt) -> Void)?,
                             _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let it = MoteCABI.interpreter(UnsafeRawPointer(handle)), let after else {
        return MoteError.Kind.invalidArgument.rawValue
    }
    it.pointee.invoke { i in after(context, UInt(bitPattern: i)) }
    return 0
}

/// `motefw_operator_count(handle)`: the number of operators `mote_invoke` runs (0 when the
/// handle is not ready).
@_cdecl("motefw_operator_count")
public func motefwOperatorCount(_ handle: UnsafeRawPointer?) -> UInt {
    UInt(bitPattern: MoteCABI.interpreter(handle)?.pointee.operatorCount ?? 0)
}

/// `motefw_operator_builtin(handle, i)`: the TFLite builtin operator code of operator `i` in
/// execution order (3 = CONV_2D, 4 = DEPTHWISE_CONV_2D, ...), or -1 when `i` is out of range
/// or the handle is not ready.
@_cdecl("motefw_operator_builtin")
public func motefwOperatorBuiltin(_ handle: UnsafeRawPointer?, _ index: UInt) -> Int32 {
    guard let it = MoteCABI.interpreter(handle) else { return -1 }
    return it.pointee.builtinCode(Int(bitPattern: index))
}

/// `motefw_init_fast(model, model_len, arena, arena_len, handle, err)`: `mote_init` with the
/// fast memory policy (`Interpreter.MemoryPolicy.fast`: optimized kernels with scratch buffers,
/// constant weights repacked into the arena) instead of the C ABI's compact one, to measure
/// that trade-off on a microcontroller. Same arguments, results and errors as `mote_init`
/// (proposed for the C ABI as a policy argument).
@_cdecl("motefw_init_fast")
public func motefwInitFast(_ model: UnsafeRawPointer?, _ modelLength: UInt, _ arena: UnsafeMutableRawPointer?, _ arenaLength: UInt,
                           _ handle: UnsafeMutableRawPointer?, _ err: UnsafeMutableRawPointer?) -> Int32 {
    guard let handle, MoteCABI.isAligned(UnsafeRawPointer(handle)), MoteCABI.requiredHandleBytes <= MoteCABI.handleSize else {
        return MoteCABI.report(MoteError(.invalidArgument, "handle is NULL, misaligned or too small"), err)
    }
    handle.storeBytes(of: 0, as: UInt32.self)
    guard let modelCount = MoteCABI.count(modelLength), model != nil || modelCount == 0,
          let arenaCount = MoteCABI.count(arenaLength), arena != nil || arenaCount == 0 else {
        return MoteCABI.report(MoteError(.invalidArgument, "model or arena is NULL or its length out of range"), err)
    }
    do {
        let interpreter = try Interpreter(model: UnsafeRawBufferPointer(start: model, count: modelCount),
                                          arena: UnsafeMutableRawBufferPointer(start: arena, count: arenaCount), memoryPolicy: .fast)
        (handle + MoteCABI.interpreterOffset).initializeMemory(as: Interpreter.self, repeating: interpreter, count: 1)
    } catch {
        return MoteCABI.report(error, err)
    }
    handle.storeBytes(of: MoteCABI.readyMagic, as: UInt32.self)
    return MoteCABI.reportOK(err)
}

/// `motefw_set_kernels(dot_rows, panel4, dw_run, dw_pixel, requantize)`: installs CPU-specific
/// versions of `ConvKernels.dotRows`, `ConvKernels.panel4`,
/// `DepthwiseConv2DOptimized.accumulateRun`, `.accumulatePixel` and
/// `RequantizationLanes.requantize` into MoteCore's `kernelTable` (NULL: the portable Swift loop). Call before `mote_init`/`motefw_init_fast` (prepare consults the
/// table) and never while an interpreter runs. Only the fast policy's optimized kernels read
/// the table. The functions must honour `KernelTable`'s contract (same bytes as the Swift loops).
@_cdecl("motefw_set_kernels")
public func motefwSetKernels(_ dotRows: KernelTable.DotRows?, _ panel4: KernelTable.Panel4?, _ depthwiseRun: KernelTable.DepthwiseRun?,
                             _ depthwisePixel: KernelTable.DepthwisePixel?, _ requantize: KernelTable.Requantize?) {
    kernelTable.dotRows = dotRows
    kernelTable.panel4 = panel4
    kernelTable.depthwiseRun = depthwiseRun
    kernelTable.depthwisePixel = depthwisePixel
    kernelTable.requantize = requantize
}
