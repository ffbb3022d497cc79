/// A file that a dataset listing passed over, and why (not an image extension, a malformed
/// UTKFace name, a file outside the class folders). Reported to the user, never fatal.
public struct IgnoredFile: Sendable, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
