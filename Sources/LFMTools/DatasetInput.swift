import Foundation
import LFMCore
import LFMSystem

/// A dataset to read: a file, or a registered dataset name resolved through the workspace.
public struct DatasetInput: Sendable {
    public var path: String
    /// The dataset name (registered name, or the file name without extension).
    public var name: String
    public var spec: DatasetSpec
    public var format: DataFormat
    public var layoutHint: RecordLayout?
    /// How the spec was found: notes from detection, or "registered as NAME".
    public var notes: [String]
    /// True when `path` came from the registry.
    public var registered: Bool

    public var family: DataFormat.Family { OutputFormat.family(of: spec) }
    public var kind: DatasetKind { spec.kind }

    /// Resolves `target`: an existing file (relative to `currentDirectory`, the command's) is read
    /// with a detected (or `format`-forced) spec; any other text is looked up in the workspace's
    /// registry (`workspace` is only called then).
    public static func resolve(_ target: String, format: String? = nil, currentDirectory: String, workspace: () throws -> Workspace) throws -> DatasetInput {
        let path = Workspace.absolute(target, from: currentDirectory)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw ToolError.unreadable("\(target) is a folder; lfm reads .json, .jsonl and .txt files") }
            return try file(path, format: format)
        }
        if target.contains("/") || target.hasSuffix(".json") || target.hasSuffix(".jsonl") || target.hasSuffix(".txt") {
            throw FileError.notFound(path: target)
        }
        return try registered(target, in: try workspace())
    }

    /// The registered dataset `name` of `workspace`, read with its entry's columns and tags.
    public static func registered(_ name: String, in workspace: Workspace) throws -> DatasetInput {
        let document = try workspace.registry.read()
        guard let entry = document.entry(named: name) else {
            throw RegistryError.notFound(name: name, path: workspace.registry.path, suggestion: Suggestion.closest(to: name, in: document.names))
        }
        guard case .file(let fileName) = entry.source else {
            throw ToolError.unreadable("\(name) is \(entry.source.label): lfm reads only local files")
        }
        let resolved = workspace.registry.resolve(fileName: fileName)
        let ext = (resolved as NSString).pathExtension.lowercased()
        guard ["json", "jsonl", "txt"].contains(ext) else {
            throw ToolError.unreadable("\(resolved): lfm reads .json, .jsonl and .txt files, not .\(ext)")
        }
        let family = OutputFormat.family(of: entry.spec)
        return DatasetInput(path: resolved, name: name, spec: entry.spec, format: DataFormat(family: family, kind: entry.spec.kind),
                            layoutHint: DatasetCheck.layoutHint(forPath: resolved), notes: ["registered dataset \(name) → \(resolved)"], registered: true)
    }

    /// A file with a detected spec.
    public static func file(_ path: String, format: String? = nil) throws -> DatasetInput {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ["json", "jsonl", "txt"].contains(ext) else {
            throw ToolError.unreadable("\(path): lfm reads .json, .jsonl and .txt files, not .\(ext.isEmpty ? "(no extension)" : ext)")
        }
        var request = DatasetCheck.Request()
        if let format {
            guard let parsed = DataFormat.parse(format) else { throw ToolError.usage("unknown format \"\(format)\"; use one of: \(DataFormat.names.joined(separator: ", "))") }
            request = DatasetCheck.Request(family: parsed.family, kind: parsed.kind)
        }
        let detected = try DatasetCheck(request).detect(path: path)
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return DatasetInput(path: path, name: name, spec: detected.spec, format: detected.format, layoutHint: detected.layoutHint,
                            notes: detected.notes, registered: false)
    }

    /// Streams the records (parsing ahead on a second core for large files).
    public func forEach(_ body: (RecordLocation, JSONValue) throws -> Void) throws {
        try RecordReader(path: path, layoutHint: layoutHint).forEachParsingAhead(body)
    }

    public var fileSize: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}

public enum ToolError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A bad combination of options: exit 64.
    case usage(String)
    case unreadable(String)
    case outputExists(String)
    case invalidOutput(String)
    case failed(String)

    public var description: String {
        switch self {
        case .usage(let m), .unreadable(let m), .invalidOutput(let m), .failed(let m): return m
        case .outputExists(let path): return "\(path) already exists; pass --force to replace it"
        }
    }
}
