import Foundation
import LFMCore
import YAML

/// What eval, export and chat need from a trained run: its config's model, template and
/// fine-tuning type, and the environment to run LLaMA-Factory in.
public struct RunLaunchContext: Sendable {
    public var workspace: Workspace
    public var info: RunInfo
    /// `model_name_or_path` of the run's train.yaml (else run.json's model).
    public var model: String
    public var template: String?
    /// `lora`, `qlora`-style `lora`, or `full`.
    public var finetuningType: String
    public var environment: CondaEnvironment
    /// `llamafactory-cli` in the environment (for a dry run without it: where it would be).
    public var cli: String
    /// Problems a dry run goes on with (LLaMA-Factory missing).
    public var warnings: [String]

    /// The run `run` names in `workspace`, in `env` (`--env`, relative to `currentDirectory`),
    /// else the run's own environment, else lfm.yaml's / the active one. Without LLaMA-Factory a
    /// dry run carries on with a warning; anything else throws.
    public static func load(run: String, env: String?, workspace: Workspace, dryRun: Bool, currentDirectory: String,
                            environment variables: [String: String] = ProcessInfo.processInfo.environment) async throws -> RunLaunchContext {
        let resolver = EnvironmentResolver(environment: variables, currentDirectory: currentDirectory)
        let info = try RunStore(workspace: workspace).info(run)
        let text = try String(contentsOfFile: info.record.config, encoding: .utf8)
        let mapping = try YAMLParser.parse(text).mapping ?? YAMLMapping()
        let model = mapping["model_name_or_path"]?.stringValue ?? info.record.model
        let template = mapping["template"]?.stringValue ?? info.record.template
        let finetuning = mapping["finetuning_type"]?.stringValue ?? "lora"
        let environment = if let spec = env ?? info.record.envPrefix {
            try await resolver.resolve(spec: spec, origin: env != nil ? "--env" : "the run's env")
        } else {
            try await resolver.resolve(flag: nil, configured: workspace.config.env)
        }
        var warnings: [String] = []
        var cli: String
        do { cli = try resolver.locateCLI(in: environment) } catch {
            guard dryRun else { throw error }
            warnings.append("\(error)")
            cli = environment.cliPath ?? "llamafactory-cli"
        }
        return RunLaunchContext(workspace: workspace, info: info, model: model, template: template,
                                finetuningType: finetuning, environment: environment, cli: cli, warnings: warnings)
    }

    /// The run's train.yaml, parsed.
    public func trainConfig() throws -> YAMLMapping {
        try YAMLParser.parse(try String(contentsOfFile: info.record.config, encoding: .utf8)).mapping ?? YAMLMapping()
    }
}
