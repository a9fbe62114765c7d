import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain
import YAML

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Merge a run's LoRA adapter into its base model (llamafactory-cli export).")

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String = "last"
    @Option(help: "Directory for the merged model (default: <workspace>/exports/<run id>).") var out: String?
    @Option(help: ArgumentHelp("Conda env name or prefix, or a venv (default: the run's).", valueName: "name|path")) var env: String?
    @Flag(name: .customLong("dry-run"), help: "Print the YAML and the command; run nothing.") var dryRun = false
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
        let yaml: String
        let configPath = ctx.info.directory.path + "/export.yaml"
        do {
            yaml = try TrainConfigBuilder.standard(workspace: ctx.workspace)
                .renderExport(adapterDir: ctx.info.record.outputDir, model: ctx.model, template: ctx.template, exportDir: exportDir).yaml
        } catch { throw fail(error) }
        let plan = LaunchPlan.make(cli: ctx.cli, subcommand: "export", config: configPath, env: ctx.environment,
                                   workingDirectory: ctx.info.directory.path, base: ProcessInfo.processInfo.environment)
        if dryRun && output.json {
            Terminal.json(.object(JSONObject([
                "dry_run": .bool(true), "run": .string(ctx.info.record.id), "config_path": .string(configPath),
                "yaml": .string(yaml), "argv": .array(plan.argv.map { .string($0) }),
                "export_dir": .string(exportDir),
            ])))
            return
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
        let console = TerminalConsole()
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
        Terminal.out("Merged model written to \(exportDir)")
    }
}
