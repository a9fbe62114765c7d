import Foundation
import LFMCore
import LFMSystem

/// Where a launched run's output and progress go (`TerminalConsole` in `lfm`, a buffer in tests).
public protocol LaunchConsole: Sendable {
    /// A line from the child, as it arrives.
    func childLine(_ line: OutputLine)
    /// New entries appeared in trainer_log.jsonl.
    func progress(_ summary: ProgressSummary)
    /// The child ended; clear any progress line.
    func finish()
}

/// Appends lines to train.log as they arrive (each line ends with `\n`, tqdm's `\r` redraws too).
final class LogWriter: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.notFound(path: path) }
    }

    func write(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        FileDescriptorIO.writeAll(fd, Array(text.utf8))
    }

    func close() { FileDescriptorIO.close(fd) }
}

/// Everything the launcher needs about one training run.
public struct TrainLaunch: Sendable {
    public var rendered: RenderedConfig
    public var model: String
    public var template: String?
    public var method: String
    public var environment: CondaEnvironment
    public var cli: String
    public var distributed: DistributedOptions
    public var resume: Bool
    public var fresh: Bool
    /// lfm's own environment (the base for the child's).
    public var baseEnvironment: [String: String]
    /// Extra variables to set (e.g. HF_HUB_OFFLINE passed through is already in base).
    public var extraVariables: [(String, String)]
    /// Multi-node membership (job name, node rank), recorded in run.json.
    public var cluster: ClusterInfo?

    public init(rendered: RenderedConfig, model: String, template: String?, method: String,
                environment: CondaEnvironment, cli: String, distributed: DistributedOptions = DistributedOptions(),
                resume: Bool = false, fresh: Bool = false,
                baseEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                extraVariables: [(String, String)] = []) {
        self.rendered = rendered
        self.model = model
        self.template = template
        self.method = method
        self.environment = environment
        self.cli = cli
        self.distributed = distributed
        self.resume = resume
        self.fresh = fresh
        self.baseEnvironment = baseEnvironment
        self.extraVariables = extraVariables
    }
}

/// A run prepared on disk (train.yaml, DeepSpeed JSON, run.json) and ready to start.
public struct PreparedRun: Sendable {
    public var directory: RunDirectory
    public var plan: LaunchPlan
    public var record: RunRecord
    public var notes: [String]
}

/// Starts `llamafactory-cli train` for a rendered config: attached (streaming, progress,
/// signals) or detached.
public struct TrainLauncher: Sendable {
    public var store: RunStore
    public var signalForwarder: SignalForwarder?
    /// How often trainer_log.jsonl is polled.
    public var pollInterval: Duration = .milliseconds(500)
    /// lfm's own binary: attached runs start through its `ParentWatch`, so the training group
    /// is ended if lfm dies (kill -9). nil runs the command directly.
    public var parentWatch: URL?
    /// Runs the attached child.
    public var runner: any ProcessRunner

    /// `runner` nil: a `FoundationProcessRunner` forwarding lfm's signals through `signalForwarder`.
    public init(store: RunStore, signalForwarder: SignalForwarder? = nil, parentWatch: URL? = nil,
                runner: (any ProcessRunner)? = nil) {
        self.store = store
        self.signalForwarder = signalForwarder
        self.parentWatch = parentWatch
        self.runner = runner ?? FoundationProcessRunner(signalForwarder: signalForwarder)
    }

    /// The plan without touching the disk (for `--dry-run`): the config path is where the
    /// run's train.yaml would be.
    public func plan(_ launch: TrainLaunch, runID: String) throws -> (plan: LaunchPlan, notes: [String]) {
        let dir = store.directory(id: runID)
        try Self.checkNoSpaces([dir.path, launch.rendered.outputDir])
        let decision = try ResumeDecision.decide(dir: launch.rendered.outputDir, resume: launch.resume, fresh: launch.fresh)
        var overrides = decision.overrides
        var dist = launch.distributed
        if let ds = launch.rendered.deepspeedConfig {
            // The JSON is written next to train.yaml; point the config there unless it already does.
            let path = "\(dir.path)/\(ds.fileName)"
            if launch.rendered.mapping["deepspeed"]?.stringValue != path { overrides.append("deepspeed=\(path)") }
            dist.deepspeed = true
        }
        let plan = LaunchPlan.make(cli: launch.cli, subcommand: "train", config: dir.configFile, overrides: overrides,
                                   env: launch.environment, distributed: dist, workingDirectory: dir.path,
                                   base: launch.baseEnvironment, extra: launch.extraVariables)
        return (plan, [decision.note].compactMap { $0 } + launch.rendered.notes)
    }

    static func checkNoSpaces(_ paths: [String]) throws {
        for path in paths where path.contains(where: { $0 == " " || $0 == "\t" }) {
            throw EnvironmentError.pathHasSpaces(path)
        }
    }

    /// Creates the run directory with train.yaml, the DeepSpeed JSON and run.json.
    /// - Parameter id: the run id the config was rendered for, already claimed with
    ///   `RunStore.reserve`; when nil a new one is reserved here.
    public func prepare(_ launch: TrainLaunch, detached: Bool, id: String? = nil) throws -> PreparedRun {
        let reserved = id == nil ? try store.reserve(stage: launch.rendered.stage, model: launch.model) : nil
        let id = id ?? reserved!.id
        let planned: (plan: LaunchPlan, notes: [String])
        do { planned = try self.plan(launch, runID: id) } catch {
            reserved?.release()
            throw error
        }
        let (plan, notes) = planned
        let dir = try store.create(id: id)
        try AtomicFile.write(launch.rendered.yaml, to: dir.configFile)
        if let ds = launch.rendered.deepspeedConfig {
            try AtomicFile.write(ds.json, to: dir.path + "/" + ds.fileName)
        }
        let checksums = launch.rendered.datasets.map { RunRecord.DatasetChecksum(name: $0.name, path: $0.path) }
        var record = RunRecord(id: id, model: launch.model, template: launch.template, datasets: checksums,
                               stage: launch.rendered.stage, method: launch.method, outputDir: launch.rendered.outputDir,
                               config: dir.configFile, plan: plan, envPrefix: launch.environment.prefix,
                               detached: detached, notes: notes)
        record.cluster = launch.cluster
        try dir.write(record)
        _ = FileManager.default.createFile(atPath: dir.logFile, contents: nil)
        return PreparedRun(directory: dir, plan: plan, record: record, notes: notes)
    }

    /// Runs attached: streams output to `console` and train.log, polls trainer_log.jsonl,
    /// forwards signals, records the outcome. Returns the final record (its `exitCode` is the
    /// child's, 128+signal if it died of one).
    public func runAttached(_ prepared: PreparedRun, console: any LaunchConsole) async throws -> RunRecord {
        let dir = prepared.directory
        let log = try LogWriter(path: dir.logFile)
        defer { log.close() }
        let recordBox = RecordBox(prepared.record)
        let tail = TrainerLogTail(path: prepared.record.outputDir + "/trainer_log.jsonl")
        // A trainer_log.jsonl from an earlier run in this dir (resume): start after it.
        _ = tail.poll()

        let watcher = Task.detached { [pollInterval] in
            var summary = ProgressSummary()
            while !Task.isCancelled {
                let entries = tail.poll()
                if !entries.isEmpty {
                    for e in entries { summary.add(e) }
                    console.progress(summary)
                }
                try? await Task.sleep(for: pollInterval)
            }
        }
        let outcome: ProcessOutcome
        do {
            // Through the watcher when there is one (a command that cannot start is reported by the runner as usual).
            let spec = parentWatch.flatMap { try? ParentWatch.wrap(prepared.plan.spec, watcher: $0) } ?? prepared.plan.spec
            outcome = try await runner.run(spec, onStart: { pid in
                recordBox.update { $0.pid = pid }
                try? dir.write(recordBox.value)
            }, onLine: { line in
                log.write(line.text + "\n")
                console.childLine(line)
            })
        } catch {
            watcher.cancel()
            console.finish()
            recordBox.update { $0.finish(exitCode: 127); $0.notes.append("launch failed: \(error)") }
            try? dir.write(recordBox.value)
            throw error
        }
        watcher.cancel()
        _ = await watcher.value
        console.finish()
        let interrupted = signalForwarder?.interruptionExitCode != nil
        recordBox.update { $0.finish(exitCode: outcome.exitCode, interrupted: interrupted) }
        try dir.write(recordBox.value)
        return recordBox.value
    }

    /// Starts the run in its own session (survives the terminal); output goes to train.log.
    public func runDetached(_ prepared: PreparedRun, detacher: Detacher = Detacher()) async throws -> RunRecord {
        let dir = prepared.directory
        var record = prepared.record
        let pid = try await detacher.launch(DetachedLaunch(
            command: prepared.plan.spec, logFile: URL(fileURLWithPath: dir.logFile),
            pidFile: URL(fileURLWithPath: dir.pidFile), exitCodeFile: URL(fileURLWithPath: dir.exitFile)))
        record.pid = pid
        try dir.write(record)
        return record
    }
}

final class RecordBox: @unchecked Sendable {
    private let lock = NSLock()
    private var record: RunRecord
    init(_ record: RunRecord) { self.record = record }
    var value: RunRecord { lock.lock(); defer { lock.unlock() }; return record }
    func update(_ body: (inout RunRecord) -> Void) { lock.lock(); body(&record); lock.unlock() }
}
