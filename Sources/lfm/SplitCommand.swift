import ArgumentParser
import Foundation
import LFMCore
import LFMTools

struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split a dataset into NAME_train / NAME_val (/ NAME_test) files, reproducibly.",
        usage: "lfm split [<options>] <input> --val <val>",
        discussion: """
        A seeded shuffle assigns exactly round(N × fraction) records to each part (per value of \
        --stratify FIELD when given); the same input, fractions and seed always give the same \
        files. Records keep their order within each part; the input is never modified.

          lfm split mydata.json --val 0.1 --out-dir splits/
          lfm split mydata --val 0.1 --test 0.05 --seed 7 --register
        Alternative without files: set `val_size: 0.1` in the training YAML and LLaMA-Factory \
        splits at load time (then no fixed held-out file to evaluate on later).
        """)

    @Argument(help: "A data file or the name of a registered dataset.")
    var input: String

    @Option(help: "Fraction of records for validation, e.g. 0.1.")
    var val: Double

    @Option(help: "Fraction of records for a test part.")
    var test: Double = 0

    @Option(help: "Seed of the shuffle.")
    var seed: UInt64 = 42

    @Option(help: "Keep the share of each value of this record field equal across parts.")
    var stratify: String?

    @Option(help: "Where to write the parts (default: the current directory; the data directory with --register).")
    var outDir: String?

    @Flag(help: "Register the parts in dataset_info.json.")
    var register = false

    @Flag(help: "Replace existing part files and entries.")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Read and assign every record, report the parts (and registrations); write nothing.")
    var dryRun = false

    @Option(help: "Input format, when detection needs help.")
    var format: String?

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard val > 0, val < 1, test >= 0, val + test < 1 else {
            throw ValidationError("--val must be in (0, 1), --test in [0, 1), and val + test < 1")
        }
    }

    func run() throws {
        let source = try ToolPrinter.resolve(input, format: format, workspace: workspaceOptions)
        let cwd = FileManager.default.currentDirectoryPath
        let directory = try outDir.map { Workspace.absolute($0, from: cwd) } ?? (register ? workspaceOptions.workspace().dataDir : cwd)
        var options = Splitter.Options(val: val)
        options.test = test
        options.seed = seed
        options.stratify = stratify
        options.force = force
        options.dryRun = dryRun
        let splitter = Splitter(options: options)
        let (report, registered) = try register
            ? splitter.split(source, directory: directory, registeringIn: workspaceOptions.workspace())
            : (splitter.split(source, directory: directory), [])
        if output.json {
            try Terminal.json(SplitResult(report, seed: seed, registered: registered, dryRun: dryRun))
        } else {
            Terminal.out("\(source.path): \(Plural.count(report.records, "record")), seed \(seed)")
            Terminal.out(Terminal.table(["part", "records", "file"], report.parts.map { [$0.name, "\($0.records)", $0.path] }, rightAligned: [1]))
            if !report.strata.isEmpty {
                Terminal.out("stratified by \(stratify!):")
                Terminal.out(Terminal.table(["value", "train", "val", "test"], report.strata.prefix(20).map { [$0.value, "\($0.counts[0])", "\($0.counts[1])", "\($0.counts[2])"] }, rightAligned: [1, 2, 3]))
            }
            for v in report.validation { ToolPrinter.validation(v, file: v.path) }
            if dryRun {
                if register { Terminal.out("Would register: \(registered.joined(separator: ", "))") }
                ToolPrinter.dryRunNote()
            } else if !report.written {
                Terminal.error("a part failed validation; no part was written\(register ? " or registered" : "")")
            } else if register {
                Terminal.out("Registered: \(registered.joined(separator: ", "))")
                Terminal.out("In the training YAML: dataset: \(report.parts[0].name) and eval_dataset: \(report.parts[1].name)")
            } else {
                Terminal.note("register the parts with --register, or skip the files and set `val_size: \(val)` in the training YAML (LLaMA-Factory then splits at load time)")
            }
        }
        if report.validation.contains(where: { $0.hasErrors }) { throw Exit.failure }
    }
}
