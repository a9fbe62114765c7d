import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the environment lfm train would use: LLaMA-Factory, torch, GPUs, /dev/shm, disk.",
        usage: "lfm doctor [<options>]",
        discussion: """
        Runs one short Python probe inside the environment (cached per environment and installed \
        LLaMA-Factory/torch; --refresh probes again) and prints what it found with a verdict and \
        the fix for each problem. `lfm train` uses the same probe to pick precision, workers and \
        logging intervals for the machine, and to check every config key.

        Exit status: 0 when nothing would stop a run (warnings allowed), 1 otherwise.

        Examples:
          lfm doctor --env ~/venvs/lf
          lfm doctor --env llamafactory --json
          lfm doctor --env ~/venvs/lf --keys     # the keys, types and choices it accepts
        """)

    @Option(help: ArgumentHelp("Conda env name or prefix path, or a venv path.", valueName: "name|path")) var env: String?
    @Flag(help: "Probe again instead of using the cached result.") var refresh = false
    @Flag(help: "Print the config keys the installed LLaMA-Factory accepts (JSON: types, choices, subcommands) and the stop words each chat template needs in the tokenizer.") var keys = false
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let workspace = try? workspaceOptions.workspace()
        let here = FileManager.default.currentDirectoryPath
        let (report, probe) = await Doctor().examine(env: env, configured: workspace?.config.env,
                                                     outputDirectory: workspace?.root ?? here, refresh: refresh)
        if keys {
            guard let catalog = probe?.keys else {
                let problem = report.verdicts.first { $0.level == .error }
                throw CommandFailure("no key list: " + (problem?.message ?? "LLaMA-Factory could not be probed"), hint: problem?.fix)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            Terminal.out(String(decoding: try encoder.encode(KeysDocument(catalog: catalog, templateTokens: probe?.templateTokens)), as: UTF8.self))
            return
        }
        if output.json {
            try Terminal.json(report)
        } else {
            print(report)
        }
        if report.hasErrors { throw Exit.failure }
    }

    private func print(_ report: DoctorReport) {
        Terminal.out(Terminal.paint("environment: ", .bold) + report.environment)
        if let python = report.python { Terminal.out("python:      \(python)" + (report.pythonPath.map { " (\($0))" } ?? "")) }
        Terminal.out("gpu:         \(report.gpu)")
        for verdict in report.verdicts {
            let mark: String
            switch verdict.level {
            case .ok: mark = Terminal.paint("✔", .green)
            case .warning: mark = Terminal.paint("!", .yellow)
            case .error: mark = Terminal.paint("✘", .red)
            }
            Terminal.out("\(mark) \(verdict.check): \(verdict.message)")
            if let fix = verdict.fix, verdict.level != .ok { Terminal.out("    fix: \(fix)") }
        }
        if report.cached { Terminal.out(Terminal.paint("(probe result cached; --refresh to probe again)", .dim)) }
    }
}

/// `lfm doctor --keys`: the key catalog and the template tokens, as one JSON document
/// (.ci/gen-bundled-keys.sh turns it into lfm's bundled tables).
struct KeysDocument: Encodable {
    var catalog: KeyCatalog
    var templateTokens: [String: [String]]?

    enum CodingKeys: String, CodingKey { case llamafactory, subcommands, classes, fields, templateTokens = "template_tokens" }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(catalog.llamafactory, forKey: .llamafactory)
        try c.encode(catalog.subcommands, forKey: .subcommands)
        try c.encode(catalog.classes, forKey: .classes)
        try c.encode(catalog.fields, forKey: .fields)
        try c.encode(templateTokens, forKey: .templateTokens)
    }
}
