import Foundation
import MoteCore

/// A `.tflite` file read into memory that stays put for the life of the process, as the core
/// requires (the interpreter keeps pointers into the model bytes), and verified by `ModelView`.
final class ModelFile {
    /// The path as the user gave it.
    let path: String
    let bytes: UnsafeMutableRawBufferPointer
    /// The verified model.
    let view: ModelView
    /// What the model declares, read once.
    let facts: ModelFacts

    /// Reads and verifies `path`; fails with `.input` when unreadable, `.core` when malformed.
    /// `summarize` adds MoteModel's operator options and MACs to `facts`.
    init(path: String, summarize: Bool = false) throws(CLIError) {
        self.path = path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.input("cannot read model '\(path)': \(CLIError.reason(error))")
        }
        guard !data.isEmpty else { throw CLIError.input("model '\(path)' is empty (0 bytes)") }
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 16)
        _ = data.copyBytes(to: bytes)
        do {
            view = try ModelView(UnsafeRawBufferPointer(bytes))
        } catch {
            bytes.deallocate()
            throw CLIError.core(error, ErrorContext(modelPath: path))
        }
        facts = ModelFacts(view, summarize: summarize)
    }

    deinit { bytes.deallocate() }

    /// The context for describing an error of this model; `arenaGiven` when the arena size came from `--arena`.
    func context(arenaBytes: Int? = nil, arenaGiven: Bool = false) -> ErrorContext {
        ErrorContext(modelPath: path, facts: facts, arenaBytes: arenaBytes, arenaGiven: arenaGiven)
    }
}

/// A model prepared by the core in an arena of its own.
///
/// Without an explicit size the arena is found by asking the core: an empty arena makes it
/// report an upper bound; after preparing in that, the model is prepared again in exactly
/// `usage.required` bytes, which is also a check of the core's own figure.
final class PreparedModel {
    let model: ModelFile
    private(set) var arena: UnsafeMutableRawBufferPointer
    private(set) var interpreter: Interpreter
    let memory: Interpreter.MemoryPolicy

    /// Prepares `model` with the `memory` policy in an arena of `arenaBytes` (from `--arena`),
    /// or of exactly the size it needs.
    init(_ model: ModelFile, arenaBytes: Int?, memory: Interpreter.MemoryPolicy) throws(CLIError) {
        self.model = model
        self.memory = memory
        if let arenaBytes {
            (arena, interpreter) = try PreparedModel.prepare(model, arenaBytes: arenaBytes, given: true, memory: memory)
            return
        }
        var size = 0
        var attempt = 0
        while true {
            attempt += 1
            do {
                (arena, interpreter) = try PreparedModel.prepareOnce(model, arenaBytes: size, memory: memory)
                break
            } catch let e where e.kind == .arenaTooSmall && e.value > size && attempt < 4 {
                size = e.value
            } catch {
                throw CLIError.core(error, model.context(arenaBytes: size > 0 ? size : nil))
            }
        }
        let required = interpreter.usage.required
        if required < arena.count {
            let (a, i) = try PreparedModel.prepare(model, arenaBytes: required, given: false, memory: memory)
            arena.deallocate()
            (arena, interpreter) = (a, i)
        }
    }

    deinit { arena.deallocate() }

    private static func prepare(_ model: ModelFile, arenaBytes: Int, given: Bool,
                                memory: Interpreter.MemoryPolicy) throws(CLIError) -> (UnsafeMutableRawBufferPointer, Interpreter) {
        do {
            return try prepareOnce(model, arenaBytes: arenaBytes, memory: memory)
        } catch {
            var error = error
            // When the arena is short of even the persistent part, the core's figure is an
            // estimate; preparing in the sizes it names leads to the exact one.
            var size = arenaBytes
            for _ in 0..<4 where error.kind == .arenaTooSmall && error.value > size {
                size = error.value
                do {
                    let (probe, interpreter) = try prepareOnce(model, arenaBytes: size, memory: memory)
                    error.value = interpreter.usage.required
                    probe.deallocate()
                    break
                } catch let next where next.kind == .arenaTooSmall {
                    error.value = next.value
                } catch {
                    break
                }
            }
            throw CLIError.core(error, model.context(arenaBytes: arenaBytes, arenaGiven: given))
        }
    }

    private static func prepareOnce(_ model: ModelFile, arenaBytes: Int,
                                    memory: Interpreter.MemoryPolicy) throws(MoteError) -> (UnsafeMutableRawBufferPointer, Interpreter) {
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: arenaBytes, alignment: 16)
        do {
            let interpreter = try Interpreter(model: UnsafeRawBufferPointer(model.bytes), arena: arena, memoryPolicy: memory)
            return (arena, interpreter)
        } catch {
            arena.deallocate()
            throw error
        }
    }
}
