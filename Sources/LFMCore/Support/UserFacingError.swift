/// An error as people see it: one `error:` line, an optional `hint:` line saying what to do,
/// and the exit status (docs/exit-codes.md). Domain errors conform; `lfm`'s root maps every
/// error it catches through this protocol, so commands only `try`.
public protocol UserFacingError: Error, CustomStringConvertible {
    /// The `error:` line, without the prefix.
    var errorMessage: String { get }
    /// What to do about it (the `hint:` line), when there is something to say.
    var hint: String? { get }
    /// 1 for a failure (the default), 64 only for a usage error.
    var exitStatus: Int32 { get }
}

extension UserFacingError {
    public var errorMessage: String { description }
    public var hint: String? { nil }
    public var exitStatus: Int32 { 1 }
}

/// A failure found by a command itself (not by a library): exit 1 with a message and a hint.
public struct CommandFailure: UserFacingError, Sendable, Equatable {
    public let errorMessage: String
    public let hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.errorMessage = message
        self.hint = hint
    }

    public var description: String { errorMessage + (hint.map { "; " + $0 } ?? "") }
}
