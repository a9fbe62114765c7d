import Glibc
import Foundation

/// Finds executables by name in a `PATH`-style string, like `which`.
///
/// Used to find `conda`, `mamba`, `micromamba`, `llamafactory-cli`. The search path is passed
/// explicitly (usually the user's `PATH`, or a conda env's `bin` prepended to it), never read
/// from global state.
public struct ExecutableLocator: Sendable, Hashable {
    public var searchPath: String

    public init(searchPath: String) {
        self.searchPath = searchPath
    }

    /// A locator over `environment["PATH"]` (empty when unset).
    public init(environment: [String: String]) {
        self.init(searchPath: environment["PATH"] ?? "")
    }

    /// The directories searched, in order. An empty entry means the current directory (POSIX).
    public var directories: [String] {
        searchPath.split(separator: ":", omittingEmptySubsequences: false).map {
            $0.isEmpty ? "." : String($0)
        }
    }

    /// The first executable regular file called `name`; a name containing `/` is checked as is.
    public func locate(_ name: String) -> URL? {
        locateAll(name).first
    }

    /// Every match in search-path order, without duplicates.
    public func locateAll(_ name: String) -> [URL] {
        guard !name.isEmpty else { return [] }
        if name.contains("/") {
            return Self.isExecutableFile(name) ? [URL(fileURLWithPath: name)] : []
        }
        guard !searchPath.isEmpty else { return [] }
        var seen = Set<String>()
        var found: [URL] = []
        for directory in directories {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if Self.isExecutableFile(candidate), seen.insert(candidate).inserted {
                found.append(URL(fileURLWithPath: candidate))
            }
        }
        return found
    }

    /// The first name of `names` that is found, e.g. `["mamba", "conda", "micromamba"]`.
    public func locateFirst(of names: [String]) -> URL? {
        for name in names {
            if let url = locate(name) { return url }
        }
        return nil
    }

    /// True when `path` is a regular file (after following links) that we may execute.
    public static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    /// Throws a typed error naming `path` unless it is an executable regular file.
    public static func checkExecutable(at path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw ProcessRunnerError.noSuchFile(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG, access(path, X_OK) == 0 else {
            throw ProcessRunnerError.notExecutable(path: path)
        }
    }
}
