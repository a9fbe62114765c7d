/// Why a child process could not be started.
public enum ProcessRunnerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No executable called `name` in `searchPath`.
    case executableNotFound(name: String, searchPath: String)
    /// `path` does not exist.
    case noSuchFile(path: String)
    /// `path` exists but is a directory or lacks execute permission.
    case notExecutable(path: String)
    /// The working directory does not exist or is not a directory.
    case workingDirectoryNotFound(path: String)
    /// The standard input file could not be opened.
    case cannotOpenInput(path: String, errno: Int32)
    /// A pipe could not be created.
    case pipeFailed(errno: Int32)
    /// Foundation's `Process.run()` failed for `path`.
    case launchFailed(path: String, reason: String)
    /// `path` stayed open for writing by some process through every retry (ETXTBSY).
    case executableBusy(path: String)
    /// A detached launch did not report the pid of its session.
    case detachFailed(reason: String)
    /// The child's standard input no longer takes bytes (it closed it, or exited).
    case inputClosed(reason: String)

    public var description: String {
        switch self {
        case .executableNotFound(let name, let searchPath):
            return "executable '\(name)' not found in PATH \(searchPath)"
        case .noSuchFile(let path): return "no such executable: \(path)"
        case .notExecutable(let path): return "not an executable file: \(path)"
        case .workingDirectoryNotFound(let path): return "working directory not found: \(path)"
        case .cannotOpenInput(let path, let errno): return "cannot open \(path) (errno \(errno))"
        case .pipeFailed(let errno): return "cannot create a pipe (errno \(errno))"
        case .launchFailed(let path, let reason): return "cannot launch \(path): \(reason)"
        case .executableBusy(let path):
            return "cannot launch \(path): Text file busy (a process still has it open for writing)"
        case .detachFailed(let reason): return "detached launch failed: \(reason)"
        case .inputClosed(let reason): return "cannot write to the child's standard input: \(reason)"
        }
    }
}
