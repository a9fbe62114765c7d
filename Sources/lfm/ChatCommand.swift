import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a run's adapter in the terminal (llamafactory-cli chat, same template as training).",
        usage: "lfm chat [<options>] [<run>]")

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String = "last"
    @Option(help: ArgumentHelp("Conda env name or prefix, or a venv (default: the run's).", valueName: "name|path")) var env: String?
    @Flag(name: .customLong("dry-run"), help: "Print the YAML and the command; run nothing.") var dryRun = false
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if output.json && !dryRun { throw ValidationError("--json needs --dry-run: a chat is interactive (its plan is the report)") }
    }

    func run() async throws {
        let ctx = try await RunLaunchContext.load(run: runRef, env: env, workspace: try workspaceOptions.workspace(), dryRun: dryRun,
                                                  currentDirectory: FileManager.default.currentDirectoryPath)
        for warning in ctx.warnings { Terminal.warning(warning) }
        let plan = try ChatPlan.make(ctx, dryRun: dryRun)
        if dryRun && output.json {
            return try Terminal.json(ChatDryRun(run: ctx.info.record.id, configPath: plan.configPath, yaml: plan.yaml, argv: plan.launch.argv))
        }
        if dryRun {
            Terminal.out(Terminal.paint("# chat.yaml (would be written to \(plan.configPath))", .dim))
            Terminal.out(plan.yaml.hasSuffix("\n") ? String(plan.yaml.dropLast()) : plan.yaml)
            Terminal.out(Terminal.paint("# command (interactive: stdin/stdout are this terminal):", .dim))
            Terminal.out(plan.launch.shellLine())
            return
        }
        let outcome = try plan.run()
        if !outcome.succeeded { throw ExitCode(outcome.exitCode) }
    }
}
