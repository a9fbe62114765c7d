import Foundation
import LFMCore
import LFMSystem
import YAML

/// `lfm train --resume RUN`: the same run, its own train.yaml and output directory, continued
/// from its newest complete checkpoint.
public struct ResumeRequest: Sendable {
    /// Run id, unique prefix, or `last`.
    public var run: String
    /// `--epochs`: a new total (needed when all planned epochs are done).
    public var epochs: Double?
    /// `--set key=value`, passed on the command line after train.yaml.
    public var overrides: [(key: String, value: String)]

    public init(run: String, epochs: Double? = nil, overrides: [(key: String, value: String)] = []) {
        self.run = run
        self.epochs = epochs
        self.overrides = overrides
    }
}

extension TrainSession {
    /// The command that continues `id` from this workspace (what lfm prints after Ctrl-C).
    public func resumeCommand(_ id: String) -> String {
        Self.resumeCommand(id, workspace: workspace)
    }

    /// The command that continues run `id` of `workspace`: `--lf-dir` (absolute) when the
    /// workspace was given with it, so the command works from any directory.
    public static func resumeCommand(_ id: String, workspace: Workspace) -> String {
        var command = "lfm train --resume \(id)"
        if workspace.origin == .flag { command += " --lf-dir \(LaunchPlan.quote(workspace.root))" }
        return command
    }

    public func planResume(_ request: ResumeRequest, options: TrainLaunchOptions) async throws -> TrainPlan {
        let directory = try store.resolve(request.run)
        let info = try store.info(directory)
        let record = info.record
        if info.status == .running { throw ResumeError.running(run: record.id, pid: record.pid) }
        let yaml = try String(contentsOfFile: directory.configFile, encoding: .utf8)
        let mapping = try YAMLParser.parse(yaml).mapping ?? YAMLMapping()

        // The run's environment unless --env names another.
        let (environment, envWarnings, resolved) = try await resolveEnvironment(options: options) {
            if let env = options.env { return try await resolver.resolve(spec: env, origin: "--env") }
            if let prefix = record.envPrefix { return try await resolver.resolve(spec: prefix, origin: "the run's env") }
            return try await resolver.resolve(flag: nil, configured: workspace.config.env)
        }
        var warnings = envWarnings
        let cli: String
        var installed = true
        do { cli = try resolver.locateCLI(in: environment) } catch {
            guard options.dryRun else { throw error }
            if resolved { warnings.append("\(error)") }
            cli = environment.cliPath ?? "llamafactory-cli"
            installed = false
        }
        let target = await probeTarget(environment: environment, cli: installed ? cli : nil, outputDir: record.outputDir)

        // --set values are typed like the renderer types them and checked like any key.
        var extra = YAMLMapping()
        for (key, value) in request.overrides { extra[key] = try ConfigKeys.overrideValue(key: key, text: value) }
        if let epochs = request.epochs { extra["num_train_epochs"] = .double(epochs) }
        let catalog = target.probe?.keys ?? .bundled
        try catalog.require(extra, subcommand: "train", source: "LLaMA-Factory \(catalog.llamafactory ?? "")",
                            origin: { "--set \($0)=..." })

        let point = try ResumePoint.decide(
            run: record.id, outputDir: record.outputDir, checkpoints: Checkpoint.scan(outputDir: record.outputDir),
            configEpochs: mapping["num_train_epochs"]?.doubleValue, configMaxSteps: mapping["max_steps"]?.intValue,
            epochs: request.epochs, maxSteps: extra["max_steps"]?.intValue, command: resumeCommand(record.id))
        var overrides = point.overrides
        for (key, value) in extra where key != "num_train_epochs" || !overrides.contains(where: { $0.hasPrefix("num_train_epochs=") }) {
            overrides.append("\(key)=\(Self.commandLineValue(value))")
        }

        var distributed = options.distributed
        distributed.deepspeed = mapping["deepspeed"] != nil
        let launchPlan = LaunchPlan.make(cli: cli, subcommand: "train", config: directory.configFile, overrides: overrides,
                                         env: environment, distributed: distributed, workingDirectory: directory.path,
                                         base: baseEnvironment)
        let datasets = record.datasets.map { (name: $0.name, path: $0.path) }
        let rendered = RenderedConfig(mapping: mapping, yaml: yaml, stage: record.stage, outputDir: record.outputDir, datasets: datasets)
        let launch = TrainLaunch(rendered: rendered, model: record.model, template: record.template, method: record.method,
                                 environment: environment, cli: cli, distributed: distributed, resume: true,
                                 baseEnvironment: baseEnvironment)
        var plan = TrainPlan(request: TrainRequest(model: record.model, datasets: record.datasets.map(\.name)), options: options,
                             directory: directory, rendered: rendered, environment: environment, cli: cli,
                             cliInstalled: installed, launch: launch, launchPlan: launchPlan, notes: point.explanation,
                             warnings: warnings + target.warnings.filter { _ in !installed }, target: target.probe,
                             machine: target.facts, defaults: [], totalSteps: point.checkpoint?.maxSteps)
        plan.resume = point
        return plan
    }

    /// A YAML value as an OmegaConf dot-list value (`key=value` on llamafactory-cli's command line).
    static func commandLineValue(_ node: YAMLNode) -> String {
        if let scalar = node.scalar {
            if scalar.kind == .string, YAMLResolver.resolve(scalar.text) != .string { return "'\(scalar.text)'" }
            return scalar.text
        }
        if let items = node.sequence { return "[" + items.map(commandLineValue).joined(separator: ",") + "]" }
        guard let mapping = node.mapping else { return "" }
        return "{" + mapping.map { "\($0.key):\(commandLineValue($0.value))" }.joined(separator: ",") + "}"
    }
}

extension TrainLauncher {
    /// Reopens a run's directory for `--resume`: run.json says running again (with a note),
    /// train.log gets a marker, and trainer_log.jsonl loses the entries after the checkpoint's
    /// step (the trainer logs those steps again).
    public func prepareResume(_ plan: TrainPlan) throws -> PreparedRun {
        let dir = plan.directory
        var record = try dir.readRecord()
        let started = record.startTime
        record.argv = plan.launchPlan.argv
        record.environment = plan.launchPlan.changedVariables
        record.envPrefix = plan.environment.prefix
        record.startTime = RunRecord.timestamp(Date())
        record.endTime = nil
        record.exitCode = nil
        record.pid = nil
        record.status = .running
        record.detached = plan.options.detach
        var notes = plan.resume?.explanation ?? []
        if let step = plan.resume?.checkpoint?.step {
            let dropped = try TrainerLogTail.truncate(path: record.outputDir + "/trainer_log.jsonl", after: step)
            if dropped > 0 { notes.append("trainer_log.jsonl: \(dropped) entr\(dropped == 1 ? "y" : "ies") after step \(step) removed (those steps run again)") }
        }
        record.notes.append("resumed at \(record.startTime) (run first started \(started)): " + notes.joined(separator: "; "))
        try dir.write(record)
        let log = try LogWriter(path: dir.logFile)
        log.write("\n--- lfm: \(record.startTime) resuming run \(record.id): \(notes.first ?? "") ---\n")
        log.close()
        return PreparedRun(directory: dir, plan: plan.launchPlan, record: record, notes: notes)
    }
}
