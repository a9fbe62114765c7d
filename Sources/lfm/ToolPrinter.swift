import ArgumentParser
import Foundation
import LFMCore
import LFMTools

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
        Terminal.out("\(from)\(report.format): \(report.written) of \(Plural.count(report.read, "record")) \(dryRun ? "would be written" : "written") to \(report.output)")
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
            Terminal.error("\(file): the output fails validation (\(Plural.count(report.errorCount, "error")))")
        } else {
            Terminal.out(Terminal.paint("✔ ", .green) + "\((file as NSString).lastPathComponent) passes lfm validate (\(Plural.count(report.records, "record"))\(warnings(report)))")
        }
    }

    /// ", 33 warnings (33 duplicate)": what the warnings are, by code.
    static func warnings(_ report: ValidationReport) -> String {
        guard report.warningCount > 0 else { return ", no warnings" }
        let codes = report.groups.filter { $0.severity == .warning }.map { "\($0.total) \($0.code)" }
        return ", \(Plural.count(report.warningCount, "warning")) (\(codes.joined(separator: ", ")))"
    }

    static func resolve(_ input: String, format: String? = nil, workspace: WorkspaceOptions) throws -> DatasetInput {
        try DatasetInput.resolve(input, format: format, currentDirectory: FileManager.default.currentDirectoryPath, workspace: workspace.workspace)
    }
}
