import ArgumentParser
import Foundation
import LFMCore
import LFMTools

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a dataset between Alpaca, ShareGPT and OpenAI messages (and .json ↔ .jsonl).",
        usage: "lfm convert [<options>] <input> --to <to>",
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

    @OptionGroup var writeOptions: OutputWriteOptions
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
        let source = try ToolPrinter.resolve(input, format: format, workspace: workspaceOptions)
        let path = Workspace.absolute(out ?? "\(source.name)_\(family.rawValue).json", from: FileManager.default.currentDirectoryPath)
        var options = Converter.Options()
        options.keepHistory = !noHistory
        options.force = writeOptions.force
        options.dryRun = writeOptions.dryRun
        let report = try ProgressBar(label: "converting").run { progress in
            try Converter(options: options) { progress.update(done: $0, total: $1) }.convert(source, to: family, output: path)
        }
        // An output that fails its own validation is never registered.
        let outcome = report.validation?.hasErrors == true ? nil : try writeOptions.registration(path: path, spec: report.spec, format: report.format, workspace: workspaceOptions)
        if output.json {
            try Terminal.json(ConvertResult(ConversionResult(report, dryRun: writeOptions.dryRun), input: source, registered: outcome?.name))
        } else {
            ToolPrinter.printConversion(report, from: source, dryRun: writeOptions.dryRun)
            if let outcome { ToolPrinter.printRegistration(outcome) }
        }
        if report.validation?.hasErrors == true { throw Exit.failure }
    }
}
