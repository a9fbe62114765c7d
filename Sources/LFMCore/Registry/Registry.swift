import Foundation
import LFMSystem

/// A registry that lfm refuses to touch, with what is wrong.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    case invalidJSON(path: String, error: JSONSyntaxError)
    case missing(path: String)
    /// A directory, FIFO, unreadable file or symlink loop where the registry should be.
    case unusable(path: String, problem: String)
    case byteOrderMark(path: String)
    case readOnly(path: String, mode: UInt32)
    case nameTaken(name: String, path: String)
    case notFound(name: String, path: String, suggestion: String?)

    public var description: String {
        switch self {
        case .invalidJSON(let path, let error):
            return "\(path) is not valid JSON (line \(error.line), column \(error.column): \(error.message)); lfm will not overwrite it. Fix it by hand or restore \(path).bak"
        case .missing(let path):
            return "\(path) does not exist; run `lfm init` to create a workspace"
        case .unusable(let path, let problem):
            return "\(path) \(problem); LLaMA-Factory cannot read it either. Make it a readable JSON file (or restore \(path).bak)"
        case .byteOrderMark(let path):
            return "\(path) starts with a UTF-8 byte order mark, which LLaMA-Factory's json.load refuses (\"Cannot open \(path)\"); remove the first 3 bytes (e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' \(path)`)"
        case .readOnly(let path, let mode):
            return "\(path) is read-only (mode \(String(mode, radix: 8))); lfm will not replace it. Make it writable (chmod u+w) if it should change"
        case .nameTaken(let name, let path):
            return "a dataset named \"\(name)\" is already registered in \(path); pass --force to replace it or --name to choose another name"
        case .notFound(let name, let path, let suggestion):
            return "no dataset named \"\(name)\" in \(path)" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
        }
    }
}

/// `dataset_info.json` on disk. Every change is a locked read-modify-write: take an advisory lock,
/// re-read the file, splice one entry, keep the previous version as `dataset_info.json.bak`,
/// write a temporary file, fsync, rename.
public struct Registry: Sendable {
    public static let fileName = "dataset_info.json"

    public let dataDir: String
    public var path: String { dataDir + "/" + Self.fileName }
    public var backupPath: String { path + ".bak" }
    public var lockPath: String { dataDir + "/." + Self.fileName + ".lock" }

    public init(dataDir: String) {
        self.dataDir = dataDir
    }

    public func read() throws -> RegistryDocument {
        switch FileStatus.of(path) {
        case .regular: break
        case .missing: throw RegistryError.missing(path: path)
        case .directory: throw RegistryError.unusable(path: path, problem: "is a directory, not a file")
        case let status: throw RegistryError.unusable(path: path, problem: status.problem ?? "cannot be read")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError.unusable(path: path, problem: "cannot be read (\(String(cString: strerror(errno))))")
        }
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { throw RegistryError.byteOrderMark(path: path) }
        do {
            return try RegistryDocument(bytes: Array(data))
        } catch {
            throw RegistryError.invalidJSON(path: path, error: error)
        }
    }

    /// Refuses a registry lfm must not replace: one whose mode has no write permission (root
    /// could rename over it, but the owner said no).
    func checkWritable() throws {
        if case .regular(_, let mode) = FileStatus.of(path), mode & 0o222 == 0 {
            throw RegistryError.readOnly(path: path, mode: mode)
        }
    }

    /// Runs `change` on the current document under the lock and writes what it returns
    /// (nil: write nothing). The change may throw to abort; the file is then untouched.
    /// `committed` runs once the new version is in place (or nothing needed writing), where an
    /// interrupt cannot split it from the write (see `InterruptCleanup.critical`).
    /// A registry that cannot be read or written is refused before the lock file is created,
    /// and temporary files of dead lfm processes are removed under the lock.
    @discardableResult
    public func update<T>(_ change: (RegistryDocument) throws -> (bytes: [UInt8]?, result: T),
                          committed: (T) throws -> Void = { _ in }) throws -> T {
        _ = try read()
        try checkWritable()
        return try FileLock.withLock(at: lockPath) {
            let document = try read()
            try checkWritable()
            // Write through a symlinked registry (relative links included) instead of replacing
            // the link with a file.
            let target = FileStatus.realPath(path) ?? path
            TempName.removeStale(in: dataDir)
            TempName.removeStale(in: (target as NSString).deletingLastPathComponent)
            let (bytes, result) = try change(document)
            try InterruptCleanup.critical {
                if let bytes, bytes != document.bytes {
                    // Never write something LLaMA-Factory could not read.
                    _ = try RegistryDocument(bytes: bytes)
                    try AtomicFile.write(document.bytes, to: backupPath)
                    try AtomicFile.write(bytes, to: target)
                }
                try committed(result)
            }
            return result
        }
    }

    /// Removes one entry and returns it.
    @discardableResult
    public func unregister(name: String) throws -> DatasetEntry {
        try update { document in
            guard let entry = document.entry(named: name) else {
                throw RegistryError.notFound(name: name, path: path, suggestion: Suggestion.closest(to: name, in: document.names))
            }
            return (document.removing(name), entry)
        }
    }

    /// The absolute path of a local entry's file or folder (`file_name` may be absolute).
    public func resolve(fileName: String) -> String {
        fileName.hasPrefix("/") ? fileName : dataDir + "/" + fileName
    }
}
