import ArgumentParser
import Foundation
import LFMCore
import LFMTools

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Pick N records uniformly at random (reservoir sampling, one pass).",
        discussion: """
        The records are written unchanged, in their original order: to --out (.json or .jsonl), \
        or as JSON Lines on stdout. The same seed gives the same sample.

          lfm sample big.jsonl -n 100 --out peek.json
          lfm sample alpaca_en_demo -n 3 --seed 1
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

    @OptionGroup var workspaceOptions: WorkspaceOptions

    func validate() throws {
        if n <= 0 { throw ValidationError("-n must be positive") }
    }

    func run() throws {
        try ToolPrinter.guarded {
            let source = try ToolPrinter.resolve(input, workspace: workspaceOptions)
            let result = try Sampler(count: n, seed: seed).sample(source)
            guard let out else {
                let printer = JSONPrinter(indent: nil)
                for record in result.records { Terminal.out(printer.string(record)) }
                return
            }
            let path = Workspace.absolute(out, from: FileManager.default.currentDirectoryPath)
            let writer = try RecordWriter(path: path, force: force, protecting: [source.path])
            for record in result.records { try writer.write(record) }
            try writer.commit()
            Terminal.err("\(result.records.count) of \(result.total) records written to \(out)")
        }
    }
}
