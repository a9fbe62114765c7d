import Foundation
import LFMSystem

/// `lfm remove NAME [--delete-file]`: take an entry out of the registry and, if asked, delete its
/// file — only a file whose real location is inside the data directory, that is not the
/// registry's own file, and that no other entry uses (such a file is kept, with the reason).
public struct Remover {
    public struct Outcome: Sendable {
        public var entry: DatasetEntry
        /// The path deleted (or, with dry-run, that would be).
        public var deleted: String?
        /// Why the file was kept although --delete-file was given.
        public var kept: String?
        public var dryRun: Bool
    }

    public let registry: Registry

    public init(registry: Registry) { self.registry = registry }

    public func remove(name: String, deleteFile: Bool, dryRun: Bool) throws -> Outcome {
        // A missing name is refused before the lock (and its file) is touched.
        let current = try registry.read()
        guard current.entry(named: name) != nil else {
            throw RegistryError.notFound(name: name, path: registry.path, suggestion: Suggestion.closest(to: name, in: current.names))
        }
        if dryRun { return try plan(name: name, in: current, deleteFile: deleteFile, dryRun: true) }
        return try registry.update({ document -> (bytes: [UInt8]?, result: Outcome) in
            let outcome = try plan(name: name, in: document, deleteFile: deleteFile, dryRun: false)
            return (document.removing(name), outcome)
        }, committed: { outcome in
            // Under the lock, after the entry is gone: no register can start using the file now.
            if let path = outcome.deleted { try? FileManager.default.removeItem(atPath: path) }
        })
    }

    private func plan(name: String, in document: RegistryDocument, deleteFile: Bool, dryRun: Bool) throws -> Outcome {
        guard let entry = document.entry(named: name) else {
            throw RegistryError.notFound(name: name, path: registry.path, suggestion: Suggestion.closest(to: name, in: document.names))
        }
        var outcome = Outcome(entry: entry, deleted: nil, kept: nil, dryRun: dryRun)
        guard deleteFile else { return outcome }
        guard case .file(let fileName) = entry.source else {
            outcome.kept = "\"\(name)\" has no local file (\(entry.source.label))"
            return outcome
        }
        let directory = DataDirectory(registry: registry)
        let location = directory.locate(fileName: fileName)
        if let refusal = directory.refusal(fileName: fileName) {
            outcome.kept = refusal + "; not deleting it"
        } else if case let users = directory.users(of: fileName, in: document, except: name), !users.isEmpty {
            outcome.kept = "\(location.path) is also the file of \(users.map { "\"\($0)\"" }.joined(separator: ", ")); not deleting it"
        } else if !FileStatus.occupied(location.entryPath) {
            outcome.kept = "\(location.path) does not exist"
        } else {
            outcome.deleted = location.entryPath
        }
        return outcome
    }
}
