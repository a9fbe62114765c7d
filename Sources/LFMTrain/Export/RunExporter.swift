import Foundation
import LFMCore
import LFMSystem

/// `lfm export` without the command line: plan the merge of a run's LoRA adapter into its base
/// model (export.yaml + `llamafactory-cli export`), run it in the run's environment, and check
/// and record what LLaMA-Factory wrote.
public struct RunExporter: Sendable {
    /// The export of one run, planned (nothing written yet).
    public struct Plan: Sendable {
        public var exportDir: String
        public var configPath: String
        public var yaml: String
        public var launch: LaunchPlan
    }

    public var context: RunLaunchContext
    public var signalForwarder: SignalForwarder?
    /// Runs `llamafactory-cli export`.
    public var runner: any ProcessRunner

    /// `runner` nil: a `FoundationProcessRunner` forwarding lfm's signals through `signalForwarder`.
    public init(context: RunLaunchContext, signalForwarder: SignalForwarder? = nil, runner: (any ProcessRunner)? = nil) {
        self.context = context
        self.signalForwarder = signalForwarder
        self.runner = runner ?? FoundationProcessRunner(signalForwarder: signalForwarder)
    }

    /// Where the merged model goes: `out` (relative to `currentDirectory`), else
    /// `<workspace>/exports/<run id>`.
    public func exportDir(out: String?, currentDirectory: String) -> String {
        out.map { Workspace.absolute($0, from: currentDirectory) } ?? context.workspace.root + "/exports/" + context.info.record.id
    }

    /// Refuses a run that has nothing to merge (a full fine-tune; no adapter yet, unless a dry run).
    public func checkMergeable(dryRun: Bool) throws {
        let record = context.info.record
        guard context.finetuningType != "full" else { throw ExportError.fullModel(run: record.id, outputDir: record.outputDir) }
        guard context.info.adapterPath != nil || dryRun else { throw ExportError.noAdapter(run: record.id, outputDir: record.outputDir) }
    }

    /// export.yaml and the command, for `exportDir`.
    public func plan(exportDir: String, baseEnvironment: [String: String] = ProcessInfo.processInfo.environment) throws -> Plan {
        let c = context
        let configPath = c.info.directory.path + "/export.yaml"
        let yaml = try TrainConfigBuilder.standard(workspace: c.workspace)
            .renderExport(adapterDir: c.info.record.outputDir, model: c.model, template: c.template, exportDir: exportDir).yaml
        let launch = LaunchPlan.make(cli: c.cli, subcommand: "export", config: configPath, env: c.environment,
                                     workingDirectory: c.info.directory.path, base: baseEnvironment)
        return Plan(exportDir: exportDir, configPath: configPath, yaml: yaml, launch: launch)
    }

    /// Writes export.yaml and runs `llamafactory-cli export`, its output to `console`.
    public func run(_ plan: Plan, console: any LaunchConsole) async throws -> ProcessOutcome {
        try AtomicFile.write(plan.yaml, to: plan.configPath)
        let outcome = try await runner.run(plan.launch.spec, onStart: { _ in }, onLine: { console.childLine($0) })
        console.finish()
        return outcome
    }

    /// Checks the export in `exportDir` (merged weights, chat template, base model) and records
    /// the verdict in run.json. `recordError`: why it could not be recorded (the verdict stands).
    public func verify(exportDir: String) -> (verdict: ExportVerdict, recordError: (any Error)?) {
        let c = context
        let verdict = ExportVerifier(exportDir: exportDir, adapterDir: c.info.record.outputDir, baseModel: c.model,
                                     template: c.template).verify()
        do {
            var record = try c.info.directory.readRecord()
            record.export = verdict
            try c.info.directory.write(record)
        } catch { return (verdict, error) }
        return (verdict, nil)
    }
}

/// Why a run cannot be exported (or checked).
public enum ExportError: Error, Sendable, Equatable, UserFacingError {
    case fullModel(run: String, outputDir: String)
    case noAdapter(run: String, outputDir: String)
    case noExport(run: String, exportDir: String)
    case noModelfile(run: String, exportDir: String)

    public var errorMessage: String {
        switch self {
        case .fullModel(let run, let dir):
            return "run \(run) trained the full model: \(dir) already is the model, there is no adapter to merge"
        case .noAdapter(let run, let dir): return "run \(run) has no adapter yet (\(dir)/adapter_model.safetensors)"
        case .noExport(_, let dir): return "no export in \(dir)"
        case .noModelfile(_, let dir): return "no Ollama Modelfile in \(dir) (LLaMA-Factory 0.9.5 writes one on every export)"
        }
    }

    public var hint: String? {
        switch self {
        case .fullModel(_, let dir): return "use \(dir) directly"
        case .noAdapter(let run, _): return "`lfm status \(run)` shows how far training got"
        case .noExport(let run, _): return "lfm export \(run) writes it"
        case .noModelfile(let run, _): return "run lfm export \(run) again"
        }
    }

    public var description: String { errorMessage + (hint.map { "\nhint: " + $0 } ?? "") }
}
