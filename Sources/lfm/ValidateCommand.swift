import ArgumentParser
import Foundation
import LFMCore
import LFMSystem

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a data file or a registered dataset without changing anything.",
        usage: "lfm validate [<options>] <target>",
        discussion: """
        For a file: the same checks as `lfm register` (format detection, every record against \
        LLaMA-Factory's rules). For a registered name: the entry as LLaMA-Factory reads it \
        (partial columns, misspelled keys, tags) against its file.

        Field coverage: a field the records carry that LLaMA-Factory will not read for this \
        entry (an unmapped "system", "history" or "input", a partial columns object, message keys \
        other than the role/content tags) is an error when it holds training text, with the \
        exact columns to add; ids and metadata are warnings. Accept a deliberate drop with \
        --allow-unmapped FIELD (register stores it in the entry as "lfm_allow_unmapped").

          lfm validate mydata.json
          lfm validate alpaca_en_demo --json
        Exit status: 0 when there is no error (warnings allowed), 1 otherwise.
        """)

    @Argument(help: "A data file, or the name of a registered dataset.")
    var target: String

    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let path = Workspace.absolute(target, from: FileManager.default.currentDirectoryPath)
        // Anything at the path (a symlink loop or a FIFO included) is a file to check, not a name.
        let result = FileStatus.occupied(path) ? try validateFile(path) : try validateEntry()
        try print(result)
        if !result.valid { throw Exit.failure }
    }

    private func validateFile(_ path: String) throws -> ValidateResult {
        let file = try DataFile(path: path)
        guard file.type.isCheckable, !file.isDirectory else {
            throw CommandFailure("lfm cannot read the records of \(file.isDirectory ? "a folder" : ".\(file.type.rawValue) files"); they are registered unchecked")
        }
        var request = DatasetCheck.Request(family: formatOptions.parsed?.family, kind: formatOptions.parsed?.kind)
        request.columns = try formatOptions.columnPairs()
        request.tags = try formatOptions.tagPairs()
        request.allowUnmapped = formatOptions.allowedUnmapped
        return try ProgressBar(label: "validating").run { progress in
            try DatasetCheck(request) { progress.update(done: $0, total: $1) }.validateFile(path: path)
        }
    }

    private func validateEntry() throws -> ValidateResult {
        // A mistyped file name is reported as a missing file, not as a missing workspace or name.
        let looksLikeAFile = target.contains(".") || target.contains("/")
        let workspace: Workspace
        do { workspace = try workspaceOptions.workspace() } catch where looksLikeAFile { throw FileError.notFound(path: target) }
        do {
            return try DatasetCheck.validateRegistered(target, in: workspace, allowUnmapped: formatOptions.allowedUnmapped)
        } catch RegistryError.notFound where looksLikeAFile {
            throw FileError.notFound(path: target)
        }
    }

    private func print(_ result: ValidateResult) throws {
        let report = result.validation
        if output.json { return try Terminal.json(result) }
        ReportPrinter.printIssues(report, file: target)
        let format = result.format ?? "format unknown"
        if let unchecked = result.unchecked, result.valid {
            Terminal.out("- \(target): \(format), records not checked (\(unchecked)); the entry itself is fine")
            return
        }
        let summary = "\(target): \(format), \(Plural.count(report.records, "record")), \(report.errorCount) error\(report.errorCount == 1 ? "" : "s"), \(report.warningCount) warning\(report.warningCount == 1 ? "" : "s")"
        if result.valid {
            Terminal.out(Terminal.paint("✔ ", .green) + summary)
        } else {
            Terminal.error(summary)
        }
    }
}
