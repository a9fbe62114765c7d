import ArgumentParser
import Foundation
import LFMCore
import LFMTools

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Concatenate datasets into one file in the first one's format.",
        usage: "lfm merge [<options>] <inputs> ... --out <out>",
        discussion: """
        Inputs of another format (Alpaca, ShareGPT, OpenAI) are converted to the first input's \
        format; all inputs must be the same kind (SFT, preference or KTO). Losses are reported as \
        in `lfm convert`.

          lfm merge a.json b.jsonl alpaca_en_demo --out all.json
        """)

    @Argument(help: "Data files or registered dataset names (at least two).")
    var inputs: [String]

    @Option(help: "Output file (.json or .jsonl).")
    var out: String

    @OptionGroup var writeOptions: OutputWriteOptions
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if inputs.count < 2 { throw ValidationError("merge needs at least two inputs") }
        if !out.hasSuffix(".json") && !out.hasSuffix(".jsonl") { throw ValidationError("--out must end in .json or .jsonl") }
    }

    func run() throws {
        let sources = try inputs.map { try ToolPrinter.resolve($0, workspace: workspaceOptions) }
        let first = sources[0]
        guard first.kind != .pretrain else { throw ToolError.failed("merging pretraining text is not supported; concatenate the files instead") }
        var options = Converter.Options()
        options.force = writeOptions.force
        options.dryRun = writeOptions.dryRun
        let path = Workspace.absolute(out, from: FileManager.default.currentDirectoryPath)
        let report = try Converter(options: options).transcode(sources, to: OutputFormat(family: first.family, kind: first.kind), output: path)
        // An output that fails its own validation is never registered.
        let outcome = report.validation?.hasErrors == true ? nil : try writeOptions.registration(path: path, spec: report.spec, format: report.format, workspace: workspaceOptions)
        if output.json {
            try Terminal.json(MergeResult(ConversionResult(report, dryRun: writeOptions.dryRun), inputs: sources, registered: outcome?.name))
        } else {
            for source in sources { Terminal.out("  \(source.path) (\(source.format))") }
            ToolPrinter.printConversion(report, from: nil, dryRun: writeOptions.dryRun)
            if let outcome { ToolPrinter.printRegistration(outcome) }
        }
        if report.validation?.hasErrors == true { throw Exit.failure }
    }
}
