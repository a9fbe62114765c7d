import ArgumentParser
import Foundation
import LFMCore
import LFMSystem

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
        // Ctrl-C / SIGTERM: remove temporary copies and undo a placed data file, exit 130/143.
        if !dryRun { InterruptCleanup.install() }
        let registry = try workspaceOptions.workspace().registry
        let outcome = try Remover(registry: registry).remove(name: name, deleteFile: deleteFile, dryRun: dryRun)
        if output.json {
            try Terminal.json(RemovalReport(name: name, outcome: outcome, registry: registry))
            return
        }
        if let kept = outcome.kept { Terminal.warning(kept) }
        Terminal.out("\(dryRun ? "Would remove" : "Removed") \"\(name)\" from \(registry.path)\(dryRun ? "" : " (backup: \(registry.backupPath))")")
        if let deleted = outcome.deleted { Terminal.out("\(dryRun ? "Would delete" : "Deleted") \(deleted)") }
    }
}
