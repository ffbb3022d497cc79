import Foundation

/// Writing to the terminal: results go to standard output, diagnostics and progress to
/// standard error, so `mote inspect --json > out.json` stays valid JSON whatever happens.
enum Console {
    /// Writes `text` and a newline to standard output.
    static func out(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `text` and a newline to standard error.
    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// True when standard error is a terminal (progress lines are drawn only then).
    static var errorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Redraws a one-line progress indicator on standard error when it is a terminal.
    static func progress(_ text: String) {
        guard errorIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    /// Clears the progress line.
    static func endProgress() {
        guard errorIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
