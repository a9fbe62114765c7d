import ArgumentParser
import Foundation
import LFMCore
import LFMTools

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Pick N records uniformly at random (reservoir sampling, one pass).",
        usage: "lfm sample [<options>] <input>",
        discussion: """
        The records are written unchanged, in their original order: to --out (.json or .jsonl), \
        or as JSON Lines on stdout. The same seed gives the same sample.

          lfm sample big.jsonl -n 100 --out peek.json
          lfm sample alpaca_en_demo -n 3 --seed 1
          lfm sample big.jsonl -n 100 --out peek.json --dry-run --json
        """)

    @Argument(help: "A data file or the name of a registered dataset.")
    var input: String

    @Option(name: .shortAndLong, help: "How many records.")
    var n: Int = 100

    @Option(help: "Seed of the sampler.")
    var seed: UInt64 = 42

    @Option(help: "Output file (.json or .jsonl); default: JSON Lines on stdout.")
    var out: String?

    @Flag(help: "Replace an existing output file.")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "With --out: report what would be written; write nothing.")
    var dryRun = false

    @OptionGroup var workspaceOptions: WorkspaceOptions

    @Flag(name: .long, help: "With --out: print the summary as JSON on stdout (without --out the records already are JSON Lines).")
    var json = false

    func validate() throws {
        if n <= 0 { throw ValidationError("-n must be positive") }
        if dryRun && out == nil { throw ValidationError("--dry-run needs --out (without it nothing is written)") }
    }

    func run() throws {
        let source = try ToolPrinter.resolve(input, workspace: workspaceOptions)
        let sampler = Sampler(count: n, seed: seed)
        let sample = try sampler.sample(source)
        guard let out else {
            let printer = JSONPrinter(indent: nil)
            for record in sample.records { Terminal.out(printer.string(record)) }
            return
        }
        let path = Workspace.absolute(out, from: FileManager.default.currentDirectoryPath)
        let written = try sampler.write(sample.records, to: path, force: force, protecting: [source.path], dryRun: dryRun)
        // Like every file lfm writes, the sample is checked with LLaMA-Factory's rules.
        let validation = dryRun ? nil : try DatasetCheck().validate(path: path, spec: source.spec)
        if json {
            try Terminal.json(SampleResult(output: path, written: written, total: sample.total, seed: seed, dryRun: dryRun, validation: validation))
        } else {
            Terminal.err("\(written) of \(Plural.count(sample.total, "record")) \(dryRun ? "would be written" : "written") to \(out)")
            ToolPrinter.validation(validation, file: path)
            if dryRun { ToolPrinter.dryRunNote() }
        }
        if validation?.hasErrors == true { throw Exit.failure }
    }
}
