import Foundation

/// `lfm show` (docs/json.md): a registered dataset's entry, its file and its first records.
public struct DatasetDetails: Encodable, Sendable {
    public var entry: DatasetEntry
    /// The local file the entry names (nil for hub, script and cloud datasets).
    public var path: String?
    /// The first records of the file (fewer when it has fewer, none when it cannot be read).
    public var records: [JSONValue]

    /// Looks `name` up in the workspace's registry and reads up to `count` records of its file.
    /// Throws `RegistryError.notFound` (with the closest name) for an unknown dataset.
    public static func load(name: String, workspace: Workspace, count: Int) throws -> DatasetDetails {
        let document = try workspace.registry.read()
        guard let entry = document.entry(named: name) else {
            throw RegistryError.notFound(name: name, path: workspace.registry.path, suggestion: Suggestion.closest(to: name, in: document.names))
        }
        var path: String?
        var records: [JSONValue] = []
        if case .file(let fileName) = entry.source {
            path = workspace.registry.resolve(fileName: fileName)
            if count > 0, let path, let file = try? DataFile(path: path), file.type.isCheckable, !file.isDirectory {
                records = (try? FileValidator.sample(path: path, limit: count, layoutHint: file.type == .txt ? .text : nil).records) ?? []
            }
        }
        return DatasetDetails(entry: entry, path: path, records: records)
    }

    enum CodingKeys: String, CodingKey { case name, entry, kind, path, problems, records }

    /// `name`, the entry as written in dataset_info.json, `kind`, `path`, the entry's `problems`, `records`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entry.name, forKey: .name)
        try c.encode(entry.object, forKey: .entry)
        try c.encode(entry.kind.rawValue, forKey: .kind)
        try c.encodeIfPresent(path, forKey: .path)
        try c.encode(entry.problems, forKey: .problems)
        try c.encode(records, forKey: .records)
    }
}
