import ArgumentParser
import Foundation
import LFMCore
import LFMTools

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a dataset between Alpaca, ShareGPT and OpenAI messages (and .json ↔ .jsonl).",
        discussion: """
        Works on SFT, preference (chosen/rejected) and KTO data; system prompts, tools and \
        multi-turn history are carried over. Whatever cannot be carried over is counted and \
        reported (tool calls cannot be written in Alpaca; --no-history keeps only the last \
        exchange). The layout follows the output extension: .json array or .jsonl lines. The \
        output is checked with the same validator as `lfm validate`; the input is never modified.

          lfm convert alpaca_en_demo --to sharegpt --out alpaca_sharegpt.json
          lfm convert chats.jsonl --to alpaca --out chats_alpaca.json --register
          lfm convert chats.jsonl --to alpaca --dry-run     # the loss report, no file
        """)

    @Argument(help: "A data file or the name of a registered dataset.")
    var input: String

    @Option(help: "Target format: alpaca, sharegpt or openai.")
    var to: String

    @Option(help: "Output file (.json or .jsonl); default NAME_TO.json in the current directory.")
    var out: String?

    @Option(help: "Input format, when detection needs help.")
    var format: String?

    @Flag(help: "For Alpaca output, keep only the last exchange instead of writing earlier turns as history.")
    var noHistory = false

    @Flag(help: "Register the output in dataset_info.json.")
    var register = false

    @Option(help: "Registry name for --register (default: the output file name).")
    var name: String?

    @Flag(help: "Replace an existing output file (and registry entry with --register).")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Read and convert everything, report what would be written and registered; write nothing.")
    var dryRun = false

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard let family = DataFormat.Family(rawValue: to.lowercased()), family != .pretrain else {
            throw ValidationError("--to must be alpaca, sharegpt or openai, got \"\(to)\"")
        }
        if let out, !out.hasSuffix(".json") && !out.hasSuffix(".jsonl") {
            throw ValidationError("--out must end in .json or .jsonl")
        }
    }

    func run() throws {
        let family = DataFormat.Family(rawValue: to.lowercased())!
        let progress = ProgressBar(label: "converting")
        do {
            let source = try DatasetInput.resolve(input, format: format, workspace: workspaceOptions.workspace)
            let path = Workspace.absolute(out ?? "\(source.name)_\(family.rawValue).json", from: FileManager.default.currentDirectoryPath)
            var options = Converter.Options()
            options.keepHistory = !noHistory
            options.force = force
            options.dryRun = dryRun
            let report = try Converter(options: options) { progress.update(done: $0, total: $1) }.convert(source, to: family, output: path)
            progress.finish()
            let outcome = try register ? OutputRegistrar.registration(path: path, name: name, spec: report.spec, format: report.format,
                                                                        workspace: workspaceOptions.workspace(), force: force, dryRun: dryRun) : nil
            if output.json {
                var object = ToolPrinter.json(report, dryRun: dryRun)
                object["input"] = .string(source.path)
                object["from"] = .string(source.format.description)
                object["registered"] = outcome.map { .string($0.name) } ?? .null
                Terminal.json(.object(object))
            } else {
                ToolPrinter.printConversion(report, from: source, dryRun: dryRun)
                if let outcome { ToolPrinter.printRegistration(outcome) }
            }
            if report.validation?.hasErrors == true { throw Exit.failure }
        } catch let exit as ExitCode {
            throw exit
        } catch let error as ToolError {
            progress.finish()
            if case .usage(let message) = error { Terminal.error(message); throw Exit.usage }
            throw fail(error)
        } catch {
            progress.finish()
            throw fail(error)
        }
    }
}

/// Printing shared by the dataset tool commands.
enum ToolPrinter {
    static func ledger(_ title: String, _ ledger: LossLedger, of total: Int) {
        guard !ledger.isEmpty else { return }
        Terminal.out(title)
        for entry in ledger.entries {
            let share = total > 0 ? String(format: " (%.1f%%)", 100 * Double(entry.count) / Double(total)) : ""
            let examples = entry.examples.map { "#\($0)" }.joined(separator: ", ")
            Terminal.out("  \(entry.count)\(share) \(entry.message); e.g. records \(examples)")
        }
    }

    static func printConversion(_ report: Converter.Report, from source: DatasetInput?, dryRun: Bool = false) {
        let from = source.map { "\($0.format) → " } ?? ""
        Terminal.out("\(from)\(report.format): \(report.written) of \(report.read) records \(dryRun ? "would be written" : "written") to \(report.output)")
        ledger("Skipped (cannot be written in \(report.format)):", report.skipped, of: report.read)
        ledger("Changed or lost:", report.lossy, of: report.read)
        if report.skipped.isEmpty && report.lossy.isEmpty { Terminal.out("Lossless: every record carried over completely.") }
        validation(report.validation, file: report.output)
        if dryRun { dryRunNote() }
    }

    static func dryRunNote() { Terminal.note("dry run: nothing was written") }

    static func printRegistration(_ registration: OutputRegistrar.Registration) {
        let verb = registration.dryRun ? "Would register" : (registration.replaced ? "Replaced" : "Registered")
        Terminal.out("\(verb) \"\(registration.name)\" → \(registration.destination)")
    }

    static func validation(_ report: ValidationReport?, file: String) {
        guard let report else { return }
        if report.hasErrors {
            ReportPrinter.printIssues(report, perGroup: 3, file: file)
            Terminal.error("\(file): the output fails validation (\(report.errorCount) errors)")
        } else {
            Terminal.out(Terminal.paint("✔ ", .green) + "\((file as NSString).lastPathComponent) passes lfm validate (\(report.records) records, \(report.warningCount) warnings)")
        }
    }

    static func ledgerJSON(_ ledger: LossLedger) -> JSONValue {
        .array(ledger.entries.map {
            .object(JSONObject(["message": .string($0.message), "count": .int($0.count), "examples": .array($0.examples.map { .int($0) })]))
        })
    }

    /// A dry run has the same keys; `valid` and `validation` are null (nothing was written to check).
    static func json(_ report: Converter.Report, dryRun: Bool = false) -> JSONObject {
        var object = JSONObject()
        object["output"] = .string(report.output)
        object["format"] = .string(report.format.description)
        object["read"] = .int(report.read)
        object["written"] = .int(report.written)
        object["skipped"] = ledgerJSON(report.skipped)
        object["lossy"] = ledgerJSON(report.lossy)
        object["entry"] = .object(DatasetEntry.makeObject(fileName: (report.output as NSString).lastPathComponent, spec: report.spec))
        object["valid"] = .bool(report.validation.map { !$0.hasErrors } ?? true)
        object["validation"] = report.validation.map(ReportPrinter.json) ?? .null
        if dryRun { object["valid"] = .null }
        object["dry_run"] = .bool(dryRun)
        return object
    }

    static func resolve(_ input: String, format: String? = nil, workspace: WorkspaceOptions) throws -> DatasetInput {
        try DatasetInput.resolve(input, format: format, workspace: workspace.workspace)
    }

    /// Runs `body`, mapping tool errors to exit codes (usage 64, others 1).
    static func guarded(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch let error as ToolError {
            if case .usage(let message) = error { Terminal.error(message); throw Exit.usage }
            throw fail(error)
        } catch {
            throw fail(error)
        }
    }
}
