import Foundation

/// Everything needed to start one child process. Nothing is inherited implicitly from lfm:
/// the environment is the full dictionary the child gets.
public struct ProcessSpec: Sendable, Hashable {
    /// Which program to run.
    public enum Executable: Sendable, Hashable {
        /// An explicit file.
        case path(URL)
        /// A bare name looked up in `searchPath` (a `PATH`-style string) like `which` does.
        /// A name containing `/` is taken as a path.
        case named(String, searchPath: String)
    }

    /// What the child reads as standard input.
    public enum Input: Sendable, Hashable {
        /// `/dev/null` (the default: a child must never read lfm's terminal).
        case nullDevice
        /// A file opened read-only.
        case file(URL)
    }

    public var executable: Executable
    /// Arguments, not including the program name (argv[0] is set by Foundation).
    public var arguments: [String]
    /// The child's full environment.
    public var environment: [String: String]
    /// The child's working directory; `nil` inherits lfm's.
    public var workingDirectory: URL?
    public var standardInput: Input

    public init(
        executable: Executable,
        arguments: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: URL? = nil,
        standardInput: Input = .nullDevice
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
    }

    /// A spec for an explicit executable path.
    public init(
        path: String,
        arguments: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: URL? = nil
    ) {
        self.init(
            executable: .path(URL(fileURLWithPath: path)), arguments: arguments,
            environment: environment, workingDirectory: workingDirectory)
    }

    /// Resolves `executable` to an existing executable file.
    /// - Throws: `ProcessRunnerError.executableNotFound` / `.notExecutable`.
    public func resolvedExecutable() throws -> URL {
        switch executable {
        case .path(let url):
            try ExecutableLocator.checkExecutable(at: url.path)
            return url
        case .named(let name, let searchPath):
            guard let url = ExecutableLocator(searchPath: searchPath).locate(name) else {
                if name.contains("/") { try ExecutableLocator.checkExecutable(at: name) }
                throw ProcessRunnerError.executableNotFound(name: name, searchPath: searchPath)
            }
            return url
        }
    }
}
