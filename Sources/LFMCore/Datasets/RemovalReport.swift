/// `lfm remove --json` (docs/json.md): what was (or, with --dry-run, would be) removed.
public struct RemovalReport: Encodable, Sendable {
    /// True when the entry was removed (false for a dry run).
    public var removed: Bool
    public var dryRun: Bool
    public var name: String
    /// The entry as it was in dataset_info.json.
    public var entry: JSONObject
    /// The data file deleted (or that would be) with --delete-file.
    public var deletedFile: String?
    /// Why the file was kept although --delete-file was given.
    public var keptFileReason: String?
    /// Where the previous dataset_info.json is kept.
    public var backup: String

    public init(name: String, outcome: Remover.Outcome, registry: Registry) {
        removed = !outcome.dryRun
        dryRun = outcome.dryRun
        self.name = name
        entry = outcome.entry.object
        deletedFile = outcome.deleted
        keptFileReason = outcome.kept
        backup = registry.backupPath
    }
}
