import ArgumentParser
import Foundation
import LFMCore
import LFMSystem

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a data file or a registered dataset without changing anything.",
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
        let cwd = FileManager.default.currentDirectoryPath
        let path = Workspace.absolute(target, from: cwd)
        do {
            // Anything at the path (a symlink loop or a FIFO included) is a file to check, not a name.
            if FileStatus.occupied(path) {
                try validateFile(path)
            } else {
                try validateEntry()
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }

    private func validateFile(_ path: String) throws {
        let file = try DataFile(path: path)
        guard file.type.isCheckable, !file.isDirectory else {
            throw CommandFailure("lfm cannot read the records of \(file.isDirectory ? "a folder" : ".\(file.type.rawValue) files"); they are registered unchecked")
        }
        let layout: RecordLayout? = file.type == .txt ? .text : nil
        let detector = try formatOptions.detector()
        let sample = try FileValidator.sample(path: path, layoutHint: layout)
        var detected: FormatDetector.Result
        do { detected = try detector.detect(sample: sample.records, layout: sample.layout) } catch {
            throw RegisterError.undetectable(path: path, message: error.message)
        }
        detected.spec.allowUnmapped = formatOptions.allowedUnmapped
        let progress = ProgressBar(label: "validating")
        let report = try FileValidator(spec: detected.spec) { progress.update(done: $0, total: $1) }.validate(path: path, layoutHint: layout)
        progress.finish()
        try finish(report, format: detected.format.description, entry: DatasetEntry.makeObject(fileName: (path as NSString).lastPathComponent, spec: detected.spec), problems: [])
    }

    private func validateEntry() throws {
        let looksLikeAFile = target.contains(".") || target.contains("/")
        let workspace: Workspace
        do {
            workspace = try workspaceOptions.workspace()
        } catch where looksLikeAFile {
            throw FileError.notFound(path: target)  // a mistyped file name, not a missing workspace
        }
        let document = try workspace.registry.read()
        guard var entry = document.entry(named: target) else {
            if looksLikeAFile { throw FileError.notFound(path: target) }
            throw RegistryError.notFound(name: target, path: workspace.registry.path, suggestion: Suggestion.closest(to: target, in: document.names))
        }
        entry.spec.allowUnmapped.formUnion(formatOptions.allowedUnmapped)
        let (report, path) = try EntryValidator(registry: workspace.registry).validate(entry)
        try finish(report, format: "\(entry.spec.formatting.rawValue) \(entry.kind.rawValue)", entry: entry.object, problems: entry.problems,
                   unchecked: path == nil ? "\(entry.source.label): lfm checks only local files" : nil)
    }

    /// `unchecked`: why the records were not read (a hub or cloud dataset): no check mark then.
    private func finish(_ report: ValidationReport, format: String, entry: JSONObject, problems: [String], unchecked: String? = nil) throws {
        if output.json {
            Terminal.json(.object(JSONObject([
                "valid": .bool(!report.hasErrors), "format": .string(format), "entry": .object(entry), "report": ReportPrinter.json(report),
                "checked": .bool(unchecked == nil),
            ])))
        } else if let unchecked, !report.hasErrors {
            ReportPrinter.printIssues(report, file: target)
            Terminal.out("- \(target): \(format), records not checked (\(unchecked)); the entry itself is fine")
        } else {
            ReportPrinter.printIssues(report, file: target)
            let summary = "\(target): \(format), \(Plural.count(report.records, "record")), \(report.errorCount) error\(report.errorCount == 1 ? "" : "s"), \(report.warningCount) warning\(report.warningCount == 1 ? "" : "s")"
            if report.hasErrors {
                Terminal.error(summary)
            } else {
                Terminal.out(Terminal.paint("✔ ", .green) + summary)
            }
        }
        if report.hasErrors { throw Exit.failure }
    }
}
