import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain
import YAML

/// What export and chat need from a finished run: its config, model, template and environment.
struct RunLaunchContext {
    var workspace: Workspace
    var info: RunInfo
    var model: String
    var template: String?
    var finetuningType: String
    var environment: CondaEnvironment
    var cli: String

    static func load(run: String, env: String?, options: WorkspaceOptions, dryRun: Bool) async throws -> RunLaunchContext {
        let workspace = try options.workspace()
        let store = RunStore(stateDir: workspace.stateDir)
        let info = try store.info(try store.resolve(run))
        let text = try String(contentsOfFile: info.record.config, encoding: .utf8)
        let mapping = try YAMLParser.parse(text).mapping ?? YAMLMapping()
        let model = mapping["model_name_or_path"]?.stringValue ?? info.record.model
        let template = mapping["template"]?.stringValue ?? info.record.template
        let finetuning = mapping["finetuning_type"]?.stringValue ?? "lora"
        let resolver = EnvironmentResolver()
        let envSpec = env ?? info.record.envPrefix
        let configured = workspace.config.env
        let environment = if let envSpec {
            try await resolver.resolve(spec: envSpec, origin: env != nil ? "--env" : "the run's env")
        } else {
            try await resolver.resolve(flag: nil, configured: configured)
        }
        var cli: String
        do { cli = try resolver.locateCLI(in: environment) } catch {
            guard dryRun else { throw error }
            Terminal.warning("\(error)")
            cli = environment.cliPath ?? "llamafactory-cli"
        }
        return RunLaunchContext(workspace: workspace, info: info, model: model, template: template,
                                finetuningType: finetuning, environment: environment, cli: cli)
    }
}
