import Foundation
import LFMCore

/// `lfm eval --json` (docs/json.md#lfm-eval): the run's id, then the eval entry saved in its
/// run.json.
public struct EvalResult: Encodable, Sendable {
    public var run: String
    public var record: EvalRecord

    public init(run: String, record: EvalRecord) {
        self.run = run
        self.record = record
    }

    enum CodingKeys: String, CodingKey { case run }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run, forKey: .run)
        try record.encode(to: encoder)
    }
}

/// `lfm eval --dry-run --json`: the predict configs and commands lfm would run.
public struct EvalDryRun: Encodable, Sendable {
    public struct Config: Encodable, Sendable {
        /// `adapter` or `base`.
        public var role: String
        public var configPath: String
        public var yaml: String
        public var outputDir: String
        public var argv: [String]
    }

    public var dryRun = true
    public var run: String
    public var datasets: [DatasetDigest]
    public var configs: [Config]
    public var notes: [String]

    public init(plan: EvalPlan, launches: [LaunchPlan]) {
        run = plan.runID
        datasets = plan.datasets.map(DatasetDigest.init)
        configs = zip(plan.configs, launches).map { config, launch in
            Config(role: config.role, configPath: config.configPath, yaml: config.yaml, outputDir: config.outputDir,
                   argv: launch.argv)
        }
        notes = plan.notes
    }
}

/// `lfm compare --json` (docs/json.md#lfm-compare).
public struct CompareReport: Encodable, Sendable {
    public struct Run: Encodable, Sendable {
        public var id: String
        public var model: String
        public var stage: String
        public var method: String
        public var status: String
        public var datasets: [DatasetDigest]
        public var finalLoss: Double?
        public var evalLoss: Double?
        /// The differing train.yaml keys, as text (null where the run's config lacks the key).
        public var hyperparameters: JSONObject
        public var eval: EvalSummary?
    }

    public var runs: [Run]
    public var differingHyperparameters: [String]
    public var notes: [String]

    public init(_ comparison: RunComparison) {
        let keys = comparison.differingKeys
        runs = comparison.entries.map { e in
            Run(id: e.id, model: e.model, stage: e.stage, method: e.method, status: e.status,
                datasets: e.datasets.map(DatasetDigest.init), finalLoss: e.finalLoss, evalLoss: e.evalLoss,
                hyperparameters: JSONObject(keys.map { JSONMember($0, e.settings[$0].map { .string($0) } ?? .null) }),
                eval: e.eval.map(EvalSummary.init))
        }
        differingHyperparameters = keys
        notes = comparison.notes
    }
}

/// `lfm export --dry-run --json`: the export config and command lfm would run.
public struct ExportDryRun: Encodable, Sendable {
    public var dryRun = true
    public var run: String
    public var configPath: String
    public var yaml: String
    public var argv: [String]
    public var exportDir: String

    public init(run: String, configPath: String, yaml: String, argv: [String], exportDir: String) {
        self.run = run
        self.configPath = configPath
        self.yaml = yaml
        self.argv = argv
        self.exportDir = exportDir
    }
}

/// `lfm chat --dry-run --json`: the chat config and command lfm would run.
public struct ChatDryRun: Encodable, Sendable {
    public var dryRun = true
    public var run: String
    public var configPath: String
    public var yaml: String
    public var argv: [String]

    public init(run: String, configPath: String, yaml: String, argv: [String]) {
        self.run = run
        self.configPath = configPath
        self.yaml = yaml
        self.argv = argv
    }
}
