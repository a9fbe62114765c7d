import Foundation
import LFMSystem

/// A registry that lfm refuses to touch, with what is wrong.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    case invalidJSON(path: String, error: JSONSyntaxError)
    case missing(path: String)
    case nameTaken(name: String, path: String)
    case notFound(name: String, path: String, suggestion: String?)

    public var description: String {
        switch self {
        case .invalidJSON(let path, let error):
            return "\(path) is not valid JSON (line \(error.line), column \(error.column): \(error.message)); lfm will not overwrite it. Fix it by hand or restore \(path).bak"
        case .missing(let path):
            return "\(path) does not exist; run `lfm init` to create a workspace"
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError.missing(path: path)
        }
        do {
            return try RegistryDocument(bytes: Array(data))
        } catch {
            throw RegistryError.invalidJSON(path: path, error: error)
        }
    }

    /// Runs `change` on the current document under the lock and writes what it returns
    /// (nil: write nothing). The change may throw to abort; the file is then untouched.
    @discardableResult
    public func update<T>(_ change: (RegistryDocument) throws -> (bytes: [UInt8]?, result: T)) throws -> T {
        try FileLock.withLock(at: lockPath) {
            let document = try read()
            let (bytes, result) = try change(document)
            if let bytes, bytes != document.bytes {
                // Never write something LLaMA-Factory could not read.
                _ = try RegistryDocument(bytes: bytes)
                try AtomicFile.write(document.bytes, to: backupPath)
                // Write through a symlinked registry instead of replacing the link with a file.
                try AtomicFile.write(bytes, to: (path as NSString).resolvingSymlinksInPath)
            }
            return result
        }
    }

    /// Adds (or with `replace`, replaces) one entry.
    public func register(name: String, entry: JSONObject, replace: Bool) throws {
        try update { document in
            if document.entry(named: name) != nil {
                guard replace else { throw RegistryError.nameTaken(name: name, path: path) }
                return (document.replacing(name, with: entry), ())
            }
            return (document.adding(name, entry), ())
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
