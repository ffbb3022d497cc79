/// A problem with an image file, a dataset folder or an image operation's arguments.
/// `description` names the problem and, when known, the file.
public struct ImageError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The bytes are not a JPEG (PNG, text, random data) or the JPEG is corrupt.
        case notJPEG
        case corrupt
        /// The data ends before the image does.
        case truncated
        /// The file or folder cannot be read or does not exist.
        case unreadable
        /// A dataset folder or label file is malformed or empty.
        case dataset
        /// Arguments that do not fit (sizes, channel counts, fractions).
        case invalidArgument
    }

    public var kind: Kind
    public var message: String
    /// The file or folder concerned, when known.
    public var path: String?

    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    /// The same error, naming `path` (kept when one is already set).
    public func at(_ path: String) -> ImageError {
        var copy = self
        if copy.path == nil { copy.path = path }
        return copy
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}
