import Foundation
import LFMCore
import LFMSystem

/// `lfm chat` without the command line: chat.yaml for a trained run (its adapter on its base
/// model, or a full fine-tune's own output) and the interactive `llamafactory-cli chat`.
public struct ChatPlan: Sendable {
    public var configPath: String
    public var yaml: String
    public var launch: LaunchPlan

    /// Refuses a run without trained weights (unless a dry run).
    public static func make(_ context: RunLaunchContext, dryRun: Bool,
                            baseEnvironment: [String: String] = ProcessInfo.processInfo.environment) throws -> ChatPlan {
        let record = context.info.record
        guard context.info.adapterPath != nil || dryRun else {
            throw CommandFailure("run \(record.id) has no trained weights yet in \(record.outputDir)",
                                 hint: "`lfm status \(record.id)` shows how far training got")
        }
        let full = context.finetuningType == "full"
        let configPath = context.info.directory.path + "/chat.yaml"
        // A full fine-tune's output dir is the model itself; a LoRA run's is the adapter.
        let yaml = try TrainConfigBuilder.standard(workspace: context.workspace)
            .renderChat(adapterDir: full ? nil : record.outputDir, model: full ? record.outputDir : context.model,
                        template: context.template).yaml
        let launch = LaunchPlan.make(cli: context.cli, subcommand: "chat", config: configPath, env: context.environment,
                                     workingDirectory: nil, base: baseEnvironment)
        return ChatPlan(configPath: configPath, yaml: yaml, launch: launch)
    }

    /// Writes chat.yaml and runs the chat on this terminal until the user leaves it.
    public func run() throws -> ProcessOutcome {
        try AtomicFile.write(yaml, to: configPath)
        return try InteractiveLauncher.run(executable: launch.executable, arguments: launch.arguments, environment: launch.environment)
    }
}
