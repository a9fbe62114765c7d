import Foundation
import LFMCore
import LFMSystem

/// Where and how to launch a training run: everything `lfm train` is told that is not part of
/// the LLaMA-Factory config itself.
public struct TrainLaunchOptions: Sendable {
    /// `--env NAME|PATH`; nil: lfm.yaml's `env:`, then the active conda env / venv, then PATH.
    public var env: String?
    /// GPUs, nodes, master address/port, Ray workers (`deepspeed` is set from the config).
    public var distributed: DistributedOptions
    /// Start in its own session and return (`--detach`).
    public var detach: Bool
    /// Plan only: nothing is written, a missing LLaMA-Factory is a warning, an output directory
    /// that would stop a real run is reported and the plan shows `--fresh`.
    public var dryRun: Bool
    /// A multi-node torchrun job's name, the same on every node: the default output_dir is
    /// named after it (so all ranks write to one), and run.json records it.
    public var job: String? = nil

    public init(env: String? = nil, distributed: DistributedOptions = DistributedOptions(),
                detach: Bool = false, dryRun: Bool = false) {
        self.env = env
        self.distributed = distributed
        self.detach = detach
        self.dryRun = dryRun
    }
}

/// A training run fully worked out and not yet started: the rendered config, the environment,
/// the exact command, the run id and directory, and what the user should be told.
public struct TrainPlan: Sendable {
    public var request: TrainRequest
    public var options: TrainLaunchOptions
    /// The run's id and directory (`.lfm/runs/<id>/`, not created yet).
    public var directory: RunDirectory
    public var rendered: RenderedConfig
    public var environment: CondaEnvironment
    /// `llamafactory-cli` (its path in the env; for a dry run without it, where it would be).
    public var cli: String
    /// Whether `cli` exists and is executable.
    public var cliInstalled: Bool
    /// What the launcher is given.
    public var launch: TrainLaunch
    /// The command, working directory and variables (for a dry run that would have stopped on
    /// the output directory: the `--fresh` plan).
    public var launchPlan: LaunchPlan
    /// For the user, in order (stage inferred, resuming from…, defaults chosen…).
    public var notes: [String]
    /// Problems that do not stop this plan (a dry run without LLaMA-Factory, an output directory
    /// a real run would refuse).
    public var warnings: [String]
    /// What the probe found in the environment (nil: no environment, or the probe failed).
    public var target: TargetProbe?
    /// Free disk, /dev/shm and cores measured now.
    public var machine: MachineFacts
    /// The machine's values the config uses (each with its reason).
    public var defaults: [HardwareDefaults.Choice]
    /// The plan's estimate of optimizer steps (nil when a dataset's size is unknown).
    public var totalSteps: Int?
    /// `--resume RUN`: the checkpoint it continues from (the run directory is the run's own).
    public var resume: ResumePoint? = nil

    public var id: String { directory.id }
    public var stage: String { rendered.stage }
    public var model: String { launch.model }
}

/// What a started run came to.
public struct TrainOutcome: Sendable {
    public var directory: RunDirectory
    /// The final record (attached), or the record at start (detached).
    public var record: RunRecord
    /// Progress and live state read back after an attached run (nil when unreadable or detached).
    public var info: RunInfo?
    /// Notes printed before the launch (resume decision, rendering notes).
    public var notes: [String]
    /// The exit code lfm should end with: the child's (128+signal when it died of one), 130/143
    /// when the user interrupted, 0 otherwise.
    public var exitCode: Int32
    /// For an interrupted or failed run: the command that continues it and what it would do.
    public var resumeHint: String?
}
