/// How a child process ended.
public enum ProcessOutcome: Sendable, Hashable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// It was terminated by this signal.
    case signaled(Int32)

    /// The status a shell would report: the exit status, or 128 + the signal number.
    public var exitCode: Int32 {
        switch self {
        case .exited(let status): return status
        case .signaled(let signal): return 128 + signal
        }
    }

    /// True only for `.exited(0)`.
    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let status): return "exited with status \(status)"
        case .signaled(let signal): return "terminated by signal \(signal)"
        }
    }
}

/// The whole output of a short command, captured by `ProcessRunner.capture`.
public struct CapturedOutput: Sendable, Hashable {
    public var status: ProcessOutcome
    public var stdout: String
    public var stderr: String

    public init(status: ProcessOutcome, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}
