import ArgumentParser
import Foundation
import LFMCore
import LFMTools

struct DedupeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedupe",
        abstract: "Find exact, normalized and near-duplicate records; write the kept ones with --out.",
        usage: "lfm dedupe [<options>] <input>",
        discussion: """
        Compares the prompt (instruction and input, or the conversation before the answer) unless \
        --fields names record fields. Normalized duplicates differ only in whitespace, case, \
        punctuation or full-/half-width forms; near duplicates have an estimated Jaccard \
        similarity of their character 5-gram sets (one-permutation MinHash, 64 bins, LSH) \
        of at least --threshold. The first occurrence is kept. Without --out nothing is written.

          lfm dedupe mydata.json
          lfm dedupe mydata.json --threshold 0.9 --out mydata_dedup.json
        """)

    @Argument(help: "A data file or the name of a registered dataset.")
    var input: String

    @Option(help: "Near-duplicate similarity threshold in (0, 1].")
    var threshold: Double = 0.85

    @Option(help: "Comma-separated record fields to compare (default: the prompt).")
    var fields: String?

    @Flag(help: "Only exact and normalized duplicates.")
    var noNear = false

    @Option(help: "Write the kept records here (.json or .jsonl).")
    var out: String?

    @Option(help: "How many examples of each kind to show.")
    var examples = 3

    @Flag(help: "Replace an existing output file.")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "With --out: report what would be written; write nothing.")
    var dryRun = false

    @Option(help: "Input format, when detection needs help.")
    var format: String?

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard threshold > 0, threshold <= 1 else { throw ValidationError("--threshold must be in (0, 1]") }
    }

    func run() throws {
        let source = try ToolPrinter.resolve(input, format: format, workspace: workspaceOptions)
        var options = Deduper.Options()
        options.threshold = threshold
        options.near = !noNear
        options.fields = fields.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let deduper = Deduper(options: options)
        let spinner = Spinner("deduplicating \((source.path as NSString).lastPathComponent) (\(Terminal.bytes(source.fileSize)))")
        defer { spinner.stop() }
        var report = try deduper.find(source, examplesPerKind: examples)
        if let out {
            try deduper.writeKept(source, report: &report, output: Workspace.absolute(out, from: FileManager.default.currentDirectoryPath),
                                 force: force, dryRun: dryRun)
        }
        spinner.stop()
        if output.json {
            try Terminal.json(DedupeDocument(report, wroteOutput: out != nil, dryRun: dryRun))
            return
        }
        Terminal.out("\(source.path): \(Plural.count(report.records, "record")), \(Plural.count(report.removedIndexes.count, "duplicate")), \(report.kept) kept")
        for kind in Deduper.Kind.allCases { Terminal.out("  \(kind.rawValue): \(report.removed[kind] ?? 0)") }
        for kind in Deduper.Kind.allCases {
            let examples = report.examples.filter { $0.kind == kind }
            guard !examples.isEmpty else { continue }
            Terminal.out("\(kind.rawValue) duplicates, e.g.:")
            for e in examples {
                let similarity = kind == .near ? String(format: " (similarity %.2f)", e.similarity) : ""
                Terminal.out("  #\(e.index) duplicates #\(e.duplicateOf)\(similarity)")
                Terminal.out("    removed: \(Self.oneLine(e.text))")
                Terminal.out("    kept:    \(Self.oneLine(e.keptText))")
            }
        }
        if let written = report.written, let out {
            Terminal.out("\(dryRun ? "Would write" : "Wrote") \(Plural.count(written, "record")) to \(out)")
            ToolPrinter.validation(report.validation, file: out)
            if dryRun { ToolPrinter.dryRunNote() }
        } else if !report.removedIndexes.isEmpty {
            Terminal.note("nothing was written; pass --out FILE to write the \(report.kept) kept records")
        }
    }

    static func oneLine(_ s: String) -> String { s.replacingOccurrences(of: "\n", with: "⏎ ") }
}
