import Foundation
import LFMCore
import LFMSystem
import YAML

/// `lfm train` without the command line: `plan(request, options)` works out the config, the
/// environment and the command (no writes); `run(plan, console)` creates the run directory and
/// starts LLaMA-Factory attached or detached, and returns what came of it.
public struct TrainSession: Sendable {
    public var workspace: Workspace
    public var store: RunStore
    /// lfm's own environment: the base of the child's, and where CONDA_PREFIX/VIRTUAL_ENV are read.
    public var baseEnvironment: [String: String]
    public var resolver: EnvironmentResolver
    /// Forwards Ctrl-C/SIGTERM to the run's process group (`SignalForwarder.shared` in lfm).
    public var signalForwarder: SignalForwarder?
    /// Looks inside the target environment (cached per install).
    public var prober: TargetProber
    /// lfm's own binary: attached runs start through its `ParentWatch` (see `TrainLauncher`).
    public var parentWatch: URL?

    /// - Parameter currentDirectory: the command's working directory (a relative `--env` is
    ///   resolved from it); ignored when `resolver` is given.
    public init(workspace: Workspace, baseEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                signalForwarder: SignalForwarder? = nil, resolver: EnvironmentResolver? = nil,
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        self.workspace = workspace
        self.store = RunStore(stateDir: workspace.stateDir)
        self.baseEnvironment = baseEnvironment
        self.resolver = resolver ?? EnvironmentResolver(environment: baseEnvironment, currentDirectory: currentDirectory)
        self.signalForwarder = signalForwarder
        self.prober = TargetProber(environment: baseEnvironment)
    }

    var launcher: TrainLauncher { TrainLauncher(store: store, signalForwarder: signalForwarder, parentWatch: parentWatch) }

    /// Renders the config for a new run id, resolves the environment and `llamafactory-cli`, and
    /// plans the command. Writes nothing. A real run throws where it could not start (no
    /// LLaMA-Factory, an output directory that needs `--resume`/`--fresh`); a dry run warns.
    public func plan(_ request: TrainRequest, options: TrainLaunchOptions) async throws -> TrainPlan {
        var req = request
        let builder = try TrainConfigBuilder.standard(workspace: workspace, environment: baseEnvironment)
        // Render once to learn the stage (it may be inferred) and the batch/epoch settings, then
        // for real with the run's id and directory (the default output_dir and the DeepSpeed
        // JSON path use them) and the values chosen for the target machine.
        let first = try builder.render(req)
        let shortModel = first.mapping["model_name_or_path"]?.stringValue ?? req.model
        // A real run claims its id (an exclusive mkdir): two lfm started in the same second get
        // two runs. Given back if planning stops; TrainCommand gives back an unused one.
        let runID = options.dryRun ? store.newID(stage: first.stage, model: shortModel)
            : try store.reserve(stage: first.stage, model: shortModel).id
        var claimed = false
        defer { if !claimed && !options.dryRun { store.directory(id: runID).release() } }
        req.runID = options.job ?? runID
        req.runDir = store.directory(id: runID).path

        var warnings: [String] = []
        let (environment, envWarnings, resolved) = try await resolveEnvironment(options: options) {
            try await resolver.resolve(flag: options.env, configured: workspace.config.env)
        }
        warnings += envWarnings
        let cli: String
        var installed = true
        do {
            cli = try resolver.locateCLI(in: environment)
        } catch {
            guard options.dryRun else { throw error }
            if resolved { warnings.append("\(error)") }
            cli = environment.cliPath ?? "llamafactory-cli"
            installed = false
        }
        let target = await probeTarget(environment: environment, cli: installed ? cli : nil, outputDir: first.outputDir)
        warnings += target.warnings
        let defaults = HardwareDefaults.choose(config: first.mapping, probe: target.probe, facts: target.facts,
                                               records: DatasetRecords.count(first.datasets),
                                               gpus: options.distributed.gpus)
        req.machineDefaults = defaults.choices.map { ($0.key, $0.value) }
        let rendered = try builder.render(req)
        try RayJob.checkRemovedKeys(rendered.mapping)
        let catalog = target.probe?.keys ?? .bundled
        let source = target.probe?.keys != nil ? "the installed LLaMA-Factory \(catalog.llamafactory ?? "")"
            : "lfm's list for LLaMA-Factory \(catalog.llamafactory ?? "")"
        var problems = catalog.check(rendered.mapping, subcommand: "train", origin: { Self.origin(of: $0, in: req) })
        if Self.allowsExtraKeys(baseEnvironment) {
            // LLaMA-Factory then ignores unknown keys itself; types are still checked.
            let unknown = problems.filter { $0.kind == .unknown }.map(\.key)
            if !unknown.isEmpty { warnings.append("ALLOW_EXTRA_ARGS is set: LLaMA-Factory will ignore \(unknown.joined(separator: ", "))") }
            problems.removeAll { $0.kind == .unknown }
        }
        if !problems.isEmpty { throw KeyCheckError(problems: problems, source: source) }
        if let model = rendered.mapping["model_name_or_path"]?.stringValue, model.hasPrefix("/") {
            warnings += try ModelCheck.check(modelDir: model, template: rendered.mapping["template"]?.stringValue,
                                             cutoffLen: rendered.mapping["cutoff_len"]?.intValue,
                                             resizeVocab: rendered.mapping["resize_vocab"]?.boolValue == true,
                                             templateTokens: target.probe?.templateTokens ?? TemplateTokens.bundled)
        }

        var distributed = options.distributed
        distributed.deepspeed = rendered.deepspeedConfig != nil
        var launch = TrainLaunch(rendered: rendered, model: rendered.mapping["model_name_or_path"]?.stringValue ?? req.model,
                                 template: rendered.mapping["template"]?.stringValue, method: req.method.rawValue,
                                 environment: environment, cli: cli, distributed: distributed,
                                 resume: req.resume, fresh: req.fresh, baseEnvironment: baseEnvironment)
        var planned: (plan: LaunchPlan, notes: [String])
        do {
            planned = try launcher.plan(launch, runID: runID)
        } catch let error as OutputDirError {
            let named = describe(error)
            guard options.dryRun else { throw named }
            warnings.append("a real run would stop here: \(named)")
            launch.fresh = true
            planned = try launcher.plan(launch, runID: runID)
            planned.notes.insert("the plan below shows --fresh", at: 0)
        }
        // The machine's values that survived (a flag, --config or --set may have replaced them).
        let applied = defaults.choices.filter { rendered.mapping[$0.key] == $0.value }
        warnings += Self.precisionConflicts(rendered.mapping, probe: target.probe, gpus: options.distributed.gpus)
        var notes = planned.notes
        notes += Self.describe(applied)
        claimed = true
        return TrainPlan(request: req, options: options, directory: store.directory(id: runID), rendered: rendered,
                         environment: environment, cli: cli, cliInstalled: installed, launch: launch,
                         launchPlan: planned.plan, notes: notes, warnings: warnings,
                         target: target.probe, machine: target.facts, defaults: applied, totalSteps: defaults.totalSteps)
    }

    /// The output-directory error with the run that wrote the directory named in its hint.
    func describe(_ error: OutputDirError) -> TrainSessionError {
        guard case .needsDecision(let dir, _) = error,
              let run = store.all().last(where: { $0.record.outputDir == dir })?.record.id
        else { return TrainSessionError(message: "\(error)") }
        return TrainSessionError(message: "\(error)".replacingOccurrences(of: "lfm train --resume RUN (lfm runs lists the runs)",
                                                                         with: resumeCommand(run)))
    }

    /// Resolves the environment; for a dry run a failure (a conda name without conda here, a path
    /// of another machine) is a warning and the plan names the environment unresolved.
    func resolveEnvironment(options: TrainLaunchOptions, _ resolve: () async throws -> CondaEnvironment) async throws
        -> (CondaEnvironment, [String], resolved: Bool)
    {
        do {
            return (try await resolve(), [], true)
        } catch let error as EnvironmentError where options.dryRun {
            let spec = options.env ?? workspace.config.env
            let origin = options.env != nil ? "--env" : "lfm.yaml env"
            let isPath = spec.map { $0.contains("/") || $0.hasPrefix("~") || $0.hasPrefix(".") } ?? false
            let env = CondaEnvironment(kind: isPath ? .prefix : .conda, prefix: isPath ? spec : nil, name: spec, origin: origin + ", not resolved here")
            return (env, ["\(error); the plan names the environment as given (it is resolved when the run starts)"], false)
        }
    }

    /// `bf16: true` / `fp16: true` that the probed machine cannot run (given with --set or
    /// --config, which win over lfm's choice): LLaMA-Factory would fail at start.
    static func precisionConflicts(_ config: YAMLMapping, probe: TargetProbe?, gpus: String?) -> [String] {
        guard let probe else { return [] }
        let chosen = HardwareDefaults.precision(probe: probe, gpus: gpus)
        var warnings: [String] = []
        if config["bf16"]?.boolValue == true, chosen.first(where: { $0.key == "bf16" })?.value.boolValue == false {
            warnings.append("bf16: true on a machine without bf16 (\(chosen[0].reason)): LLaMA-Factory will stop with \"Your setup doesn't support bf16/gpu\"; drop it or set bf16=false")
        }
        if config["fp16"]?.boolValue == true, !probe.hasGPU {
            warnings.append("fp16: true without a GPU: mixed precision needs CUDA/NPU and the trainer will refuse it; drop it or set fp16=false")
        }
        return warnings
    }

    /// LLaMA-Factory's `ALLOW_EXTRA_ARGS` (its `is_env_enabled`: true, y or 1).
    static func allowsExtraKeys(_ env: [String: String]) -> Bool {
        ["true", "y", "1"].contains((env["ALLOW_EXTRA_ARGS"] ?? "").lowercased())
    }

    /// Where a key of the rendered config came from, for messages.
    static func origin(of key: String, in request: TrainRequest) -> String {
        if request.overrides.contains(where: { $0.key == key }) { return "--set \(key)=..." }
        if let file = request.configFile { return "--config \(file) (or the template)" }
        if let base = request.baseTemplate { return "template \(base)" }
        return "the template or lfm.yaml defaults"
    }

    /// One note per group of choices with the same reason: `bf16: false, fp16: false (no GPU...)`.
    static func describe(_ choices: [HardwareDefaults.Choice]) -> [String] {
        var groups: [(reason: String, keys: [String])] = []
        for choice in choices {
            let text = "\(choice.key): \(choice.value.scalarText ?? "")"
            if let i = groups.firstIndex(where: { $0.reason == choice.reason }) { groups[i].keys.append(text) }
            else { groups.append((choice.reason, [text])) }
        }
        return groups.map { "\($0.keys.joined(separator: ", ")) - \($0.reason)" }
    }

    /// The probe of the target environment (cached), and the facts measured now. No environment
    /// or a failed probe: the warning says the plan uses defaults.
    func probeTarget(environment: CondaEnvironment, cli: String?, outputDir: String) async
        -> (probe: TargetProbe?, facts: MachineFacts, warnings: [String])
    {
        let facts = MachineFacts.measure(outputDir: outputDir)
        guard let cli, let python = TargetProber.python(for: environment, cli: cli, environment: prober.environment) else {
            return (nil, facts, ["no LLaMA-Factory environment to look at: the plan uses defaults (the templates' precision, this machine's cores); run `lfm doctor --env ENV` where it will train"])
        }
        do {
            return (try await prober.probe(python: python).probe, facts, [])
        } catch {
            return (nil, facts, ["could not look inside \(environment.prefix ?? python) (\(error)); the plan uses defaults. See `lfm doctor`"])
        }
    }

    /// Creates the run directory (train.yaml, DeepSpeed JSON, run.json) and starts the run:
    /// attached (streams to `console` and train.log, forwards signals) or, with
    /// `options.detach`, in its own session. Throws for a dry-run plan.
    /// - Parameter onPrepared: called once the run directory exists, before the child starts
    ///   (lfm prints the run id and log path there).
    public func run(_ plan: TrainPlan, console: any LaunchConsole,
                    onPrepared: @Sendable (PreparedRun) -> Void = { _ in }) async throws -> TrainOutcome {
        precondition(!plan.options.dryRun, "a dry-run plan is not started")
        _ = signalForwarder?.installSignalHandlers()
        let launcher = self.launcher
        let prepared = plan.resume != nil ? try launcher.prepareResume(plan)
            : try launcher.prepare(plan.launch, detached: plan.options.detach, id: plan.id)
        onPrepared(prepared)
        if plan.options.detach {
            let record = try await launcher.runDetached(prepared)
            return TrainOutcome(directory: prepared.directory, record: record, info: nil, notes: prepared.notes, exitCode: 0)
        }
        let record = try await launcher.runAttached(prepared, console: console)
        let info = try? store.info(prepared.directory)
        var code = record.exitCode ?? 0
        if let interrupted = signalForwarder?.interruptionExitCode { code = interrupted }
        return TrainOutcome(directory: prepared.directory, record: record, info: info, notes: prepared.notes, exitCode: code,
                            resumeHint: record.status == .finished ? nil : resumeHint(record))
    }

    /// "continue with: lfm train --resume ID" when a checkpoint exists (or, after Ctrl-C, even
    /// without one: the command then starts the run again).
    func resumeHint(_ record: RunRecord) -> String? {
        let complete = Checkpoint.scan(outputDir: record.outputDir).last(where: \.complete)
        if let complete {
            return "continue from \(complete.name) with: \(resumeCommand(record.id))"
        }
        guard record.status == .interrupted else { return nil }
        return "no checkpoint was saved yet; start it again with: \(resumeCommand(record.id))"
    }
}

/// A refusal with its message already worded for the user.
public struct TrainSessionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
