import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Merge a run's LoRA adapter into its base model (llamafactory-cli export) and check the result.",
        usage: "lfm export [<options>] [<run>]",
        discussion: """
        After the merge lfm checks what LLaMA-Factory wrote: sampled weights of adapted layers must \
        equal base + LoRA (not the base model's: an unmerged export), the tokenizer must carry a \
        chat template matching the run's template, and adapter_config.json must name the merged \
        base model. The verdict is printed and recorded in run.json; a failed check exits 1.

        Examples:
          lfm export last
          lfm export last --check          # check an existing export again, run nothing
          lfm export last --ollama         # also print how to load it into Ollama
        """)

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String = "last"
    @Option(help: "Directory for the merged model (default: <workspace>/exports/<run id>).") var out: String?
    @Option(help: ArgumentHelp("Conda env name or prefix, or a venv (default: the run's).", valueName: "name|path")) var env: String?
    @Flag(name: .customLong("dry-run"), help: "Print the YAML and the command; run nothing.") var dryRun = false
    @Flag(help: "Only check an existing export (merged weights, chat template, base model); run nothing.") var check = false
    @Flag(help: "Check for LLaMA-Factory's Ollama Modelfile in the export and print the `ollama create` command.") var ollama = false
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let cwd = FileManager.default.currentDirectoryPath
        let ctx = try await RunLaunchContext.load(run: runRef, env: env, workspace: try workspaceOptions.workspace(), dryRun: dryRun,
                                                  currentDirectory: cwd)
        for warning in ctx.warnings { Terminal.warning(warning) }
        let exporter = RunExporter(context: ctx, signalForwarder: SignalForwarder.shared)
        try exporter.checkMergeable(dryRun: dryRun)
        let exportDir = exporter.exportDir(out: out, currentDirectory: cwd)
        if check {
            guard FileManager.default.fileExists(atPath: exportDir) else {
                throw ExportError.noExport(run: ctx.info.record.id, exportDir: exportDir)
            }
            return try verify(exporter, exportDir: exportDir)
        }
        let plan = try exporter.plan(exportDir: exportDir)
        if dryRun && output.json {
            return try Terminal.json(ExportDryRun(run: ctx.info.record.id, configPath: plan.configPath, yaml: plan.yaml,
                                                  argv: plan.launch.argv, exportDir: exportDir))
        }
        if dryRun {
            Terminal.out(Terminal.paint("# export.yaml (would be written to \(plan.configPath))", .dim))
            Terminal.out(plan.yaml.hasSuffix("\n") ? String(plan.yaml.dropLast()) : plan.yaml)
            Terminal.out(Terminal.paint("# command:", .dim))
            Terminal.out(plan.launch.shellLine())
            return
        }
        SignalForwarder.shared.installSignalHandlers()
        let outcome = try await exporter.run(plan, console: TerminalConsole(stdoutToStderr: output.json))
        if let code = SignalForwarder.shared.interruptionExitCode { throw ExitCode(code) }
        guard outcome.succeeded else {
            Terminal.error("llamafactory-cli export \(outcome)")
            throw ExitCode(outcome.exitCode)
        }
        if !output.json { Terminal.out("Merged model written to \(exportDir)") }
        try verify(exporter, exportDir: exportDir)
    }

    /// Checks the export, prints and records the verdict; exits 1 when a check failed.
    func verify(_ exporter: RunExporter, exportDir: String) throws {
        let (verdict, recordError) = exporter.verify(exportDir: exportDir)
        if let recordError { Terminal.warning("could not record the verdict in run.json: \(recordError)") }
        let id = exporter.context.info.record.id
        if output.json {
            try Terminal.json(verdict)
        } else {
            let verdictLine: String
            switch verdict.merged {
            case true?: verdictLine = Terminal.paint("✔ ", .green) + "LoRA merged into \(exportDir)"
            case false?: verdictLine = Terminal.paint("✘ ", .red) + "NOT merged: \(exportDir) holds the base model's weights where the adapter changes them"
            case nil: verdictLine = Terminal.paint("? ", .yellow) + "merge not verified for \(exportDir)"
            }
            Terminal.out(verdictLine)
            for c in verdict.checks {
                let mark = c.ok == true ? Terminal.paint("✔", .green) : c.ok == false ? Terminal.paint("✘", .red) : Terminal.paint("?", .yellow)
                Terminal.out("  \(mark) \(c.name): \(c.detail)")
            }
        }
        if ollama {
            guard let modelfile = verdict.ollamaModelfile else { throw ExportError.noModelfile(run: id, exportDir: exportDir) }
            Terminal.err("Ollama: ollama create \(RunsFormat.ollamaName(id)) -f \(modelfile)")
        }
        if !verdict.ok { throw Exit.failure }
    }
}
