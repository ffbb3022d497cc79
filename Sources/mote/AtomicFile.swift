import Foundation

/// Writing a file so that readers see either the old content or the complete new one, never
/// a partial write: the bytes go to a temporary file in the same directory, are flushed to
/// disk, and the temporary file is renamed over the destination (rename is atomic within a
/// file system).
enum AtomicFile {
    static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(CLIError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = (directory as NSString).appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        func failure(_ what: String) -> CLIError {
            CLIError.input("cannot write '\(path)': \(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create a temporary file in '\(directory)'") }
        var written = 0
        while written < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = failure("write failed")
                close(fd)
                unlink(temporary)
                throw e
            }
            written += n
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            let e = failure("flush failed")
            unlink(temporary)
            throw e
        }
        guard rename(temporary, path) == 0 else {
            let e = failure("rename failed")
            unlink(temporary)
            throw e
        }
    }
}
