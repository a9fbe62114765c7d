import ArgumentParser
import Foundation
import LFMCore

struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Unregister a dataset (the registry is backed up first).",
        discussion: """
        Removes the entry from dataset_info.json atomically; the previous file is kept as \
        dataset_info.json.bak. The data file stays unless --delete-file is given.

          lfm remove mydata --delete-file
        """)

    @Argument(help: "Registered dataset name.")
    var name: String

    @Flag(help: "Also delete the dataset's file from the data directory (never files outside it).")
    var deleteFile = false

    @Flag(help: "Show what would be removed; change nothing.")
    var dryRun = false

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        do {
            let workspace = try workspaceOptions.workspace()
            let registry = workspace.registry
            let entry: DatasetEntry
            if dryRun {
                let document = try registry.read()
                guard let found = document.entry(named: name) else {
                    throw RegistryError.notFound(name: name, path: registry.path, suggestion: Suggestion.closest(to: name, in: document.names))
                }
                entry = found
            } else {
                entry = try registry.unregister(name: name)
            }
            var deleted: String?
            if deleteFile, case .file(let fileName) = entry.source {
                let path = registry.resolve(fileName: fileName)
                let standardized = (path as NSString).standardizingPath
                if standardized.hasPrefix(workspace.dataDir + "/") {
                    if !dryRun { try? FileManager.default.removeItem(atPath: standardized) }
                    deleted = standardized
                } else {
                    Terminal.warning("\(path) is outside the data directory; not deleting it")
                }
            }
            if output.json {
                Terminal.json(.object(JSONObject([
                    "removed": .bool(!dryRun), "dry_run": .bool(dryRun), "name": .string(name), "entry": .object(entry.object),
                    "deleted_file": deleted.map { .string($0) } ?? .null, "backup": .string(registry.backupPath),
                ])))
                return
            }
            Terminal.out("\(dryRun ? "Would remove" : "Removed") \"\(name)\" from \(registry.path)\(dryRun ? "" : " (backup: \(registry.backupPath))")")
            if let deleted { Terminal.out("\(dryRun ? "Would delete" : "Deleted") \(deleted)") }
        } catch {
            throw fail(error)
        }
    }
}
