import LFMCore
import YAML

/// What the user asked `lfm train` for, before templates and the registry are consulted.
/// Flags that were not given are nil so templates and config defaults apply.
public struct TrainRequest: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable, Codable {
        case lora, qlora, full
    }

    /// A catalogue short name (`llama3`), a Hugging Face id, or a local model directory.
    public var model: String
    /// LLaMA-Factory chat template; from the catalogue when omitted.
    public var template: String?
    /// Registered dataset names.
    public var datasets: [String]
    /// `sft`, `dpo`, `kto`, `pt`, `rm`; inferred from the datasets when nil.
    public var stage: String?
    public var method: Method = .lora
    public var epochs: Double?
    public var learningRate: Double?
    public var cutoffLength: Int?
    public var batchSize: Int?
    public var gradientAccumulation: Int?
    public var maxSamples: Int?
    public var validationSize: Double?
    public var loraRank: Int?
    public var outputDir: String?
    /// `--set key=value`, applied last, in order. Values are YAML scalars (`1e-4`, `true`, `"no"`).
    public var overrides: [(key: String, value: String)] = []
    /// `--config FILE`: start from the user's own YAML instead of a template.
    public var configFile: String?
    /// `--deepspeed z0|z2|z3|z2-offload|z3-offload`.
    public var deepspeed: String?
    /// `--ray-workers N`.
    public var rayWorkers: Int?
    public var resume: Bool = false
    public var fresh: Bool = false
    /// A training template name from `lfm templates` to start from instead of the stage's own
    /// (`sft`, `dpo`, ...); ignored when `configFile` is given.
    public var baseTemplate: String?
    /// Run id used in the default output directory (`<stage>-<runID>`); a UTC timestamp when nil.
    public var runID: String?
    /// Where the launcher writes `train.yaml` and the DeepSpeed JSON; `deepspeed:` points there.
    /// Defaults to the output directory.
    public var runDir: String?
    /// Values chosen for the target machine (`HardwareDefaults`): they replace template values
    /// only; a `--config` file's own keys, lfm.yaml defaults, flags and `--set` win.
    public var machineDefaults: [(key: String, value: YAMLNode)] = []

    public init(model: String, datasets: [String]) {
        self.model = model
        self.datasets = datasets
    }

    public static func == (a: TrainRequest, b: TrainRequest) -> Bool {
        a.model == b.model && a.template == b.template && a.datasets == b.datasets && a.stage == b.stage
            && a.method == b.method && a.epochs == b.epochs && a.learningRate == b.learningRate
            && a.cutoffLength == b.cutoffLength && a.batchSize == b.batchSize
            && a.gradientAccumulation == b.gradientAccumulation && a.maxSamples == b.maxSamples
            && a.validationSize == b.validationSize && a.loraRank == b.loraRank && a.outputDir == b.outputDir
            && a.overrides.map(\.key) == b.overrides.map(\.key) && a.overrides.map(\.value) == b.overrides.map(\.value)
            && a.configFile == b.configFile && a.deepspeed == b.deepspeed && a.rayWorkers == b.rayWorkers
            && a.resume == b.resume && a.fresh == b.fresh && a.baseTemplate == b.baseTemplate
            && a.runID == b.runID && a.runDir == b.runDir
            && a.machineDefaults.map(\.key) == b.machineDefaults.map(\.key)
            && a.machineDefaults.map(\.value) == b.machineDefaults.map(\.value)
    }
}

/// A training config ready to write: the YAML text (grouped like LLaMA-Factory's examples) and
/// the facts the launcher needs.
public struct RenderedConfig: Sendable, Equatable {
    /// The whole config as one mapping (what LLaMA-Factory will read).
    public var mapping: YAMLMapping
    /// The YAML text to write as the run's `train.yaml`.
    public var yaml: String
    public var stage: String
    /// Absolute output directory (`output_dir`).
    public var outputDir: String
    /// Registered dataset names used, with their absolute data file paths (for checksums).
    public var datasets: [(name: String, path: String?)]
    /// The DeepSpeed JSON to write next to train.yaml (file name, contents), if any.
    public var deepspeedConfig: (fileName: String, json: String)?
    /// Notes for the user ("stage dpo inferred from preference dataset …").
    public var notes: [String]

    public init(mapping: YAMLMapping, yaml: String, stage: String, outputDir: String, datasets: [(name: String, path: String?)], deepspeedConfig: (fileName: String, json: String)? = nil, notes: [String] = []) {
        self.mapping = mapping
        self.yaml = yaml
        self.stage = stage
        self.outputDir = outputDir
        self.datasets = datasets
        self.deepspeedConfig = deepspeedConfig
        self.notes = notes
    }

    public static func == (a: RenderedConfig, b: RenderedConfig) -> Bool {
        a.yaml == b.yaml && a.stage == b.stage && a.outputDir == b.outputDir
            && a.datasets.map(\.name) == b.datasets.map(\.name) && a.notes == b.notes
    }
}
