import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a run's adapter in the terminal (llamafactory-cli chat, same template as training).")

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String = "last"
    @Option(help: ArgumentHelp("Conda env name or prefix, or a venv (default: the run's).", valueName: "name|path")) var env: String?
    @Flag(name: .customLong("dry-run"), help: "Print the YAML and the command; run nothing.") var dryRun = false
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if output.json && !dryRun { throw ValidationError("--json needs --dry-run: a chat is interactive (its plan is the report)") }
    }

    func run() async throws {
        let ctx: RunLaunchContext
        do { ctx = try await RunLaunchContext.load(run: runRef, env: env, options: workspaceOptions, dryRun: dryRun) } catch { throw fail(error) }
        let full = ctx.finetuningType == "full"
        guard ctx.info.adapterPath != nil || dryRun else {
            throw CommandFailure("run \(ctx.info.record.id) has no trained weights yet in \(ctx.info.record.outputDir)", hint: "`lfm status \(ctx.info.record.id)` shows how far training got")
        }
        let configPath = ctx.info.directory.path + "/chat.yaml"
        let yaml: String
        do {
            // A full fine-tune's output dir is the model itself; a LoRA run's is the adapter.
            yaml = try TrainConfigBuilder.standard(workspace: ctx.workspace)
                .renderChat(adapterDir: full ? nil : ctx.info.record.outputDir,
                            model: full ? ctx.info.record.outputDir : ctx.model, template: ctx.template).yaml
        } catch { throw fail(error) }
        let plan = LaunchPlan.make(cli: ctx.cli, subcommand: "chat", config: configPath, env: ctx.environment,
                                   workingDirectory: nil, base: ProcessInfo.processInfo.environment)
        if dryRun && output.json {
            return try Terminal.json(ChatDryRun(run: ctx.info.record.id, configPath: configPath, yaml: yaml, argv: plan.argv))
        }
        if dryRun {
            Terminal.out(Terminal.paint("# chat.yaml (would be written to \(configPath))", .dim))
            Terminal.out(yaml.hasSuffix("\n") ? String(yaml.dropLast()) : yaml)
            Terminal.out(Terminal.paint("# command (interactive: stdin/stdout are this terminal):", .dim))
            Terminal.out(plan.shellLine())
            return
        }
        do { try AtomicFile.write(yaml, to: configPath) } catch { throw fail(error) }
        let outcome: ProcessOutcome
        do {
            outcome = try InteractiveLauncher.run(executable: plan.executable, arguments: plan.arguments,
                                                  environment: plan.environment)
        } catch { throw fail(error) }
        if !outcome.succeeded { throw ExitCode(outcome.exitCode) }
    }
}
