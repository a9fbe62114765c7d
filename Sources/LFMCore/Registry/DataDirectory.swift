import Foundation
import LFMSystem

/// Where the paths a registry names really lead, and which of them lfm may replace or delete:
/// only paths whose real location (every symlink component, `..` and absolute part resolved) is
/// inside the real data directory, and never the registry's own files (`dataset_info.json`, its
/// backup, lock and temporary files, also through a symlink).
public struct DataDirectory: Sendable {
    public let registry: Registry
    /// realpath of the data directory (the configured path when it cannot be resolved).
    public let realPath: String

    public init(registry: Registry) {
        self.registry = registry
        realPath = FileStatus.realPath(registry.dataDir) ?? registry.dataDir
    }

    /// A path named by an entry, resolved for a delete or a replace.
    public struct Location: Sendable, Equatable {
        /// What the entry says, joined to the data directory (`data/ext/keep.json`).
        public var path: String
        /// The directory entry itself: the real parent folder plus the last name. Deleting this
        /// removes a symlink, never what it points at.
        public var entryPath: String
        /// The file finally reached, every link followed (nil when it does not exist).
        public var target: String?
    }

    public func locate(fileName: String) -> Location {
        let path = registry.resolve(fileName: fileName)
        let standardized = Workspace.standardized(path)
        let name = (standardized as NSString).lastPathComponent
        let parent = (standardized as NSString).deletingLastPathComponent
        let realParent = FileStatus.realPath(parent.isEmpty ? "/" : parent)
        let entryPath = realParent.map { ($0 == "/" ? "" : $0) + "/" + name } ?? standardized
        return Location(path: path, entryPath: entryPath, target: FileStatus.realPath(path))
    }

    /// Whether `real` (a resolved path) lies strictly inside the data directory.
    public func contains(_ real: String) -> Bool {
        real.hasPrefix(realPath == "/" ? "/" : realPath + "/") && real != realPath
    }

    /// The registry's own files, as real paths: the registry (and what a symlinked registry points
    /// at), its backup and its lock.
    private var ownFiles: Set<String> {
        var files: Set<String> = []
        for path in [registry.path, registry.backupPath, registry.lockPath] {
            files.insert(realPath + "/" + (path as NSString).lastPathComponent)
            if let real = FileStatus.realPath(path) { files.insert(real) }
        }
        return files
    }

    /// Whether `real` is the registry, its backup, lock or one of their temporary files.
    public func isRegistryFile(_ real: String) -> Bool {
        if ownFiles.contains(real) { return true }
        let name = (real as NSString).lastPathComponent
        for own in ownFiles {
            let ownName = (own as NSString).lastPathComponent
            let ownDir = (own as NSString).deletingLastPathComponent
            if (real as NSString).deletingLastPathComponent == ownDir, name.hasPrefix(TempName.prefix(for: ownName, pid: 0).dropLast(2)) {
                return true
            }
        }
        return false
    }

    /// Why lfm must not delete or replace what `fileName` names, or nil when it may.
    public func refusal(fileName: String) -> String? {
        let location = locate(fileName: fileName)
        if isRegistryFile(location.entryPath) || location.target.map(isRegistryFile) == true {
            return "\(location.path) is the registry (or its backup, lock or temporary file), not a dataset's file"
        }
        guard contains(location.entryPath) else {
            return "\(location.path) is outside the data directory \(registry.dataDir) (it resolves to \(location.entryPath))"
        }
        if !FileStatus.isSymlink(location.entryPath), let target = location.target, !contains(target) {
            return "\(location.path) is outside the data directory \(registry.dataDir) (it resolves to \(target))"
        }
        return nil
    }

    /// The other entries (not `name`) whose file is the same directory entry or the same file as
    /// `fileName`'s.
    public func users(of fileName: String, in document: RegistryDocument, except name: String) -> [String] {
        let location = locate(fileName: fileName)
        return document.entries.compactMap { entry -> String? in
            guard entry.name != name, case .file(let other) = entry.source else { return nil }
            let theirs = locate(fileName: other)
            if theirs.entryPath == location.entryPath { return entry.name }
            if let target = location.target, theirs.target == target { return entry.name }
            return nil
        }
    }
}
