import ArgumentParser
import Foundation
import LFMCore
import LFMSystem

struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Validate a data file and add it to LLaMA-Factory's dataset_info.json.",
        discussion: """
        Every record is checked against LLaMA-Factory's own rules (the converters and processors \
        that otherwise drop records or crash at training time). Only when there is no error is the \
        file copied into the data directory and a complete entry (all columns and tags, ranking for \
        preference data) merged into dataset_info.json. Other entries are left byte for byte.

        The format is detected from the records unless --format is given:
          alpaca    {"instruction", "input", "output"}
                    (+ "chosen"/"rejected" → preference, "kto_tag" → KTO)
          sharegpt  {"conversations": [{"from", "value"}, ...]}
                    (+ "chosen"/"rejected" messages → preference)
          openai    {"messages": [{"role", "content"}, ...]}
          pretrain  {"text"} records or a .txt file

        Examples:
          lfm register mydata.json
          lfm register qa.jsonl --columns prompt=question,response=answer
          lfm register prefs.json --format sharegpt-preference --dry-run
          lfm register big.json --drop-invalid   # skip the bad records
          lfm register notes.json --allow-unmapped meta   # accept that meta is not trained on

        A field the records carry that the entry would not map (LLaMA-Factory then never reads \
        it) is an error when it holds training text, a warning for ids and metadata; \
        --allow-unmapped FIELD accepts the drop and is stored in the entry.
        """)

    @Argument(help: "The data file (.json, .jsonl, .txt; .csv/.parquet/.arrow and folders are registered unchecked).")
    var file: String

    @Option(help: "Registry name (default: the file name without extension).")
    var name: String?

    @Flag(help: "Symlink the file into the data directory instead of copying it.")
    var link = false

    @Flag(help: "Register the file where it is (it must already be inside the data directory).")
    var inPlace = false

    @Flag(help: "Replace an existing entry (and file) of the same name; the old ones are kept as .bak.")
    var force = false

    @Flag(help: "Register a cleaned copy without the invalid records instead of failing.")
    var dropInvalid = false

    @Flag(help: "Validate and print the entry that would be written; change nothing.")
    var dryRun = false

    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if link && inPlace { throw ValidationError("--link and --in-place cannot be combined") }
    }

    func run() throws {
        var request = Registrar.Request(source: file, currentDirectory: FileManager.default.currentDirectoryPath)
        request.name = name
        request.family = formatOptions.parsed?.family
        request.kind = formatOptions.parsed?.kind
        request.columns = try formatOptions.columnPairs()
        request.tags = try formatOptions.tagPairs()
        request.allowUnmapped = formatOptions.allowedUnmapped
        request.placement = link ? .link : (inPlace ? .inPlace : .copy)
        request.force = force
        request.dryRun = dryRun
        request.dropInvalid = dropInvalid

        // Ctrl-C / SIGTERM: remove temporary copies and undo a placed data file, exit 130/143.
        if !dryRun { InterruptCleanup.install() }
        let workspace = try workspaceOptions.workspace()
        let outcome: Registrar.Outcome
        do {
            outcome = try ProgressBar(label: "validating").run { progress in
                try Registrar(workspace: workspace) { done, total in progress.update(done: done, total: total) }.register(request)
            }
        } catch RegisterError.invalid(let report) {
            // The report is the result: printed (or its document), then exit 1.
            try printRefusal(report)
            throw Exit.failure
        }
        if output.json { return try Terminal.json(RegisterResult(outcome)) }
        printOutcome(outcome, workspace: workspace)
    }

    private func printRefusal(_ report: ValidationReport) throws {
        if output.json { return try Terminal.json(RegisterRefusal(report)) }
        ReportPrinter.printIssues(report, file: file)
        Terminal.error("\(file): \(report.errorCount) error\(report.errorCount == 1 ? "" : "s") in \(report.invalidRecords.count) of \(Plural.count(report.records, "record")); nothing was registered.")
        if report.counts["field-dropped"] != nil {
            Terminal.note("map the fields with --columns ROLE=FIELD, or accept the loss with --allow-unmapped FIELD")
        } else if report.validRecords > 0 && report.counts["syntax"] == nil {
            Terminal.note("fix the records, or pass --drop-invalid to register the \(report.validRecords) valid ones")
        }
    }

    private func printOutcome(_ outcome: Registrar.Outcome, workspace: Workspace) {
        if let report = outcome.report, report.warningCount > 0 { ReportPrinter.printIssues(report, perGroup: 3, file: file) }
        for note in outcome.notes { Terminal.note(note) }
        let records = outcome.report.map { Plural.count($0.records - outcome.dropped, "record") } ?? "records not checked"
        let format = outcome.format.map(\.description) ?? "unknown format"
        let verb = outcome.dryRun ? "Would register" : (outcome.replaced ? "Replaced" : "Registered")
        let mark = outcome.dryRun ? "" : Terminal.paint("✔ ", .green)
        Terminal.out("\(mark)\(verb) \"\(outcome.name)\" (\(format), \(records))")
        let placement: String
        switch outcome.placement {
        case .copy: placement = outcome.dropped > 0 ? "cleaned copy, \(outcome.dropped) invalid records dropped" : "copied"
        case .link: placement = "symlink"
        case .inPlace: placement = "in place"
        }
        Terminal.out("  file:     \(outcome.destination) (\(placement))")
        Terminal.out("  registry: \(workspace.registry.path)")
        if outcome.dryRun {
            Terminal.out("  entry:")
            let text = JSONPrinter(indent: 2).string(.object(JSONObject([JSONMember(outcome.name, .object(outcome.entry))])))
            Terminal.out(text.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        } else {
            Terminal.out("Next: lfm train --dataset \(outcome.name) --model MODEL")
        }
    }
}
