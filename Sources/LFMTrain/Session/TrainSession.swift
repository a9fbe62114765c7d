import Foundation
import LFMCore
import LFMSystem

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

    public init(workspace: Workspace, baseEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                signalForwarder: SignalForwarder? = nil, resolver: EnvironmentResolver? = nil) {
        self.workspace = workspace
        self.store = RunStore(stateDir: workspace.stateDir)
        self.baseEnvironment = baseEnvironment
        self.resolver = resolver ?? EnvironmentResolver(environment: baseEnvironment)
        self.signalForwarder = signalForwarder
    }

    var launcher: TrainLauncher { TrainLauncher(store: store, signalForwarder: signalForwarder) }

    /// Renders the config for a new run id, resolves the environment and `llamafactory-cli`, and
    /// plans the command. Writes nothing. A real run throws where it could not start (no
    /// LLaMA-Factory, an output directory that needs `--resume`/`--fresh`); a dry run warns.
    public func plan(_ request: TrainRequest, options: TrainLaunchOptions) async throws -> TrainPlan {
        var req = request
        let builder = try TrainConfigBuilder.standard(workspace: workspace, environment: baseEnvironment)
        // Render once to learn the stage (it may be inferred), then for real with the run's id
        // and directory (the default output_dir and the DeepSpeed JSON path use them).
        let first = try builder.render(req)
        let runID = store.newID(stage: first.stage, model: first.mapping["model_name_or_path"]?.stringValue ?? req.model)
        req.runID = runID
        req.runDir = store.directory(id: runID).path
        let rendered = try builder.render(req)

        var warnings: [String] = []
        let environment = try await resolver.resolve(flag: options.env, configured: workspace.config.env)
        let cli: String
        var installed = true
        do {
            cli = try resolver.locateCLI(in: environment)
        } catch {
            guard options.dryRun else { throw error }
            warnings.append("\(error)")
            cli = environment.cliPath ?? "llamafactory-cli"
            installed = false
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
        } catch let error as OutputDirError where options.dryRun {
            warnings.append("a real run would stop here: \(error)")
            launch.fresh = true
            planned = try launcher.plan(launch, runID: runID)
            planned.notes.insert("the plan below shows --fresh", at: 0)
        }
        return TrainPlan(request: req, options: options, directory: store.directory(id: runID), rendered: rendered,
                         environment: environment, cli: cli, cliInstalled: installed, launch: launch,
                         launchPlan: planned.plan, notes: planned.notes, warnings: warnings)
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
        let prepared = try launcher.prepare(plan.launch, detached: plan.options.detach, id: plan.id)
        onPrepared(prepared)
        if plan.options.detach {
            let record = try await launcher.runDetached(prepared)
            return TrainOutcome(directory: prepared.directory, record: record, info: nil, notes: prepared.notes, exitCode: 0)
        }
        let record = try await launcher.runAttached(prepared, console: console)
        let info = try? store.info(prepared.directory)
        var code = record.exitCode ?? 0
        if let interrupted = signalForwarder?.interruptionExitCode { code = interrupted }
        return TrainOutcome(directory: prepared.directory, record: record, info: info, notes: prepared.notes, exitCode: code)
    }
}
