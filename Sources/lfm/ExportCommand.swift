import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain
import YAML

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Merge a run's LoRA adapter into its base model (llamafactory-cli export) and check the result.",
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
        let ctx: RunLaunchContext
        do { ctx = try await RunLaunchContext.load(run: runRef, env: env, options: workspaceOptions, dryRun: dryRun) } catch { throw fail(error) }
        guard ctx.finetuningType != "full" else {
            throw CommandFailure("run \(ctx.info.record.id) trained the full model: \(ctx.info.record.outputDir) already is the model, there is no adapter to merge", hint: "use \(ctx.info.record.outputDir) directly")
        }
        guard ctx.info.adapterPath != nil || dryRun else {
            throw CommandFailure("run \(ctx.info.record.id) has no adapter yet (\(ctx.info.record.outputDir)/adapter_model.safetensors)", hint: "`lfm status \(ctx.info.record.id)` shows how far training got")
        }
        let exportDir = out.map { Workspace.absolute($0, from: FileManager.default.currentDirectoryPath) }
            ?? ctx.workspace.root + "/exports/" + ctx.info.record.id
        if check {
            guard FileManager.default.fileExists(atPath: exportDir) else {
                throw fail(ValidationError("no export in \(exportDir)\nhint: lfm export \(ctx.info.record.id) writes it"))
            }
            return try verify(ctx: ctx, exportDir: exportDir)
        }
        let yaml: String
        let configPath = ctx.info.directory.path + "/export.yaml"
        do {
            yaml = try TrainConfigBuilder.standard(workspace: ctx.workspace)
                .renderExport(adapterDir: ctx.info.record.outputDir, model: ctx.model, template: ctx.template, exportDir: exportDir).yaml
        } catch { throw fail(error) }
        let plan = LaunchPlan.make(cli: ctx.cli, subcommand: "export", config: configPath, env: ctx.environment,
                                   workingDirectory: ctx.info.directory.path, base: ProcessInfo.processInfo.environment)
        if dryRun && output.json {
            return try Terminal.json(ExportDryRun(run: ctx.info.record.id, configPath: configPath, yaml: yaml, argv: plan.argv,
                                                  exportDir: exportDir))
        }
        if dryRun {
            Terminal.out(Terminal.paint("# export.yaml (would be written to \(configPath))", .dim))
            Terminal.out(yaml.hasSuffix("\n") ? String(yaml.dropLast()) : yaml)
            Terminal.out(Terminal.paint("# command:", .dim))
            Terminal.out(plan.shellLine())
            return
        }
        do { try AtomicFile.write(yaml, to: configPath) } catch { throw fail(error) }
        SignalForwarder.shared.installSignalHandlers()
        let runner = FoundationProcessRunner(signalForwarder: SignalForwarder.shared)
        let console = TerminalConsole(stdoutToStderr: output.json)
        let outcome: ProcessOutcome
        do {
            outcome = try await runner.run(plan.spec, onStart: { _ in }, onLine: { console.childLine($0) })
        } catch { throw fail(error) }
        console.finish()
        if let code = SignalForwarder.shared.interruptionExitCode { throw ExitCode(code) }
        guard outcome.succeeded else {
            Terminal.error("llamafactory-cli export \(outcome)")
            throw ExitCode(outcome.exitCode)
        }
        if !output.json { Terminal.out("Merged model written to \(exportDir)") }
        try verify(ctx: ctx, exportDir: exportDir)
    }

    /// Checks the export, prints and records the verdict; exits 1 when a check failed.
    func verify(ctx: RunLaunchContext, exportDir: String) throws {
        let verdict = ExportVerifier(exportDir: exportDir, adapterDir: ctx.info.record.outputDir, baseModel: ctx.model,
                                     template: ctx.template).verify()
        do {
            var record = try ctx.info.directory.readRecord()
            record.export = verdict
            try ctx.info.directory.write(record)
        } catch { Terminal.warning("could not record the verdict in run.json: \(error)") }
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
            if let modelfile = verdict.ollamaModelfile {
                Terminal.err("Ollama: ollama create \(RunsFormat.ollamaName(ctx.info.record.id)) -f \(modelfile)")
            } else {
                Terminal.error("no Ollama Modelfile in \(exportDir) (LLaMA-Factory 0.9.5 writes one on every export)\nhint: run lfm export \(ctx.info.record.id) again")
                throw Exit.failure
            }
        }
        if !verdict.ok { throw Exit.failure }
    }
}
