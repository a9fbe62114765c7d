import Foundation
import LFMCore

/// `lfm train --dry-run --json` (docs/json.md#lfm-train): the config, the command, the
/// variables lfm sets, the machine's defaults and the dataset check.
public struct TrainPlanReport: Encodable, Sendable {
    public struct DeepSpeedFile: Encodable, Sendable {
        public var file: String
        public var json: String
    }

    /// A multi-node run: what to run on each node.
    public struct Node: Encodable, Sendable {
        public var nodeRank: Int
        public var environment: JSONObject
        public var command: String
    }

    public struct Default: Encodable, Sendable {
        public var key: String
        public var value: String
        public var reason: String
    }

    /// What the probe found in the environment.
    public struct Target: Encodable, Sendable {
        public var llamafactory: String?
        public var torch: String?
        public var accelerator: String
        public var devices: Int
    }

    public var dryRun = true
    public var runId: String
    public var runDir: String
    public var stage: String
    public var outputDir: String
    public var yaml: String
    public var argv: [String]
    public var cwd: String?
    /// The variables lfm sets (null: unset), in the order they are applied.
    public var environment: JSONObject
    public var deepspeedConfig: DeepSpeedFile?
    /// Multi-node runs (null for one node).
    public var nodes: [Node]?
    public var llamafactoryInstalled: Bool
    public var notes: [String]
    public var warnings: [String]
    /// Records, fields and tokens as LLaMA-Factory will read them (null for `--resume`).
    public var datasetsCheck: DatasetPreflight?
    /// `--drop-long`: the copies written without the long examples (null for `--resume`).
    public var droppedLong: [LongRecordFilter.Outcome]?
    public var defaults: [Default]
    public var totalSteps: Int?
    public var target: Target?
    /// `--resume`: the checkpoint the run continues from (null: from the start, or not resuming).
    public var resumeFrom: String?

    public init(_ plan: TrainPlan, datasetsCheck: DatasetPreflight? = nil, droppedLong: [LongRecordFilter.Outcome]? = nil) {
        let launch = plan.launchPlan
        let rendered = plan.rendered
        runId = plan.id
        runDir = plan.directory.path
        stage = rendered.stage
        outputDir = rendered.outputDir
        yaml = rendered.yaml
        argv = launch.argv
        cwd = launch.workingDirectory
        environment = Self.variables(launch.changes)
        deepspeedConfig = rendered.deepspeedConfig.map { DeepSpeedFile(file: $0.fileName, json: $0.json) }
        nodes = launch.perNode.isEmpty ? nil : launch.perNode.enumerated().map { rank, changes in
            Node(nodeRank: rank, environment: Self.variables(changes), command: launch.shellLine(changes: changes))
        }
        llamafactoryInstalled = plan.cliInstalled
        notes = plan.notes
        warnings = plan.warnings
        self.datasetsCheck = datasetsCheck
        self.droppedLong = droppedLong
        defaults = plan.defaults.map { Default(key: $0.key, value: $0.value.scalarText ?? "", reason: $0.reason) }
        totalSteps = plan.totalSteps
        target = plan.target.map { t in
            Target(llamafactory: t.llamaFactoryVersion, torch: t.torchVersion, accelerator: t.accelerator, devices: t.devices.count)
        }
        resumeFrom = plan.resume?.checkpoint?.path
    }

    /// Variables as a JSON object in their order (names are data: kept as they are).
    static func variables(_ changes: [LaunchPlan.EnvChange]) -> JSONObject {
        JSONObject(changes.map { JSONMember($0.key, $0.value.map { .string($0) } ?? .null) })
    }
}

/// `lfm train --slurm --dry-run --json`: the config and the batch script lfm would submit.
public struct SlurmPlanReport: Encodable, Sendable {
    public var dryRun = true
    public var runId: String
    public var runDir: String
    public var stage: String
    public var outputDir: String
    public var yaml: String
    public var scriptPath: String
    public var script: String
    public var jobName: String
    public var nnodes: Int
    public var nprocPerNode: Int
    /// Whether `sbatch` is on PATH here.
    public var sbatchAvailable: Bool
    public var warnings: [String]
    public var notes: [String]

    public init(launch: TrainLaunch, runId: String, runDir: String, script: SbatchScript, settings: SlurmSettings,
                sbatchAvailable: Bool, warnings: [String], notes: [String]) {
        self.runId = runId
        self.runDir = runDir
        stage = launch.rendered.stage
        outputDir = launch.rendered.outputDir
        yaml = launch.rendered.yaml
        scriptPath = script.scriptPath
        self.script = script.text
        jobName = script.jobName
        nnodes = settings.nnodes
        nprocPerNode = settings.processesPerNode
        self.sbatchAvailable = sbatchAvailable
        self.warnings = warnings
        self.notes = notes
    }
}

/// `lfm train --k8s/--ray-address --json`: the files lfm writes (or would write) and the
/// command that starts the job.
public struct EngineRenderReport: Encodable, Sendable {
    public var dryRun: Bool
    /// `k8s` or `ray`.
    public var engine: String
    public var runId: String
    public var runDir: String
    /// Path → text of each file, in the order written.
    public var files: JSONObject
    public var command: String
    public var warnings: [String]
    public var notes: [String]

    public init(dryRun: Bool, engine: String, runId: String, runDir: String, files: [(path: String, text: String)],
                command: String, warnings: [String], notes: [String]) {
        self.dryRun = dryRun
        self.engine = engine
        self.runId = runId
        self.runDir = runDir
        self.files = JSONObject(files.map { JSONMember($0.path, .string($0.text)) })
        self.command = command
        self.warnings = warnings
        self.notes = notes
    }
}
