import Foundation
import LFMCore
import YAML

/// What `lfm train --slurm` asks Slurm for. Flags win over the `slurm:` block of lfm.yaml (site
/// defaults such as the partition and account), which wins over lfm's defaults.
public struct SlurmSettings: Sendable, Equatable {
    public var nnodes: Int = 1
    /// Training processes per node (`NPROC_PER_NODE`): the GPUs per node, 1 on CPU.
    public var nprocPerNode: Int?
    public var partition: String?
    public var time: String?
    public var account: String?
    public var gpusPerNode: Int?
    public var cpusPerTask: Int?
    /// `--sbatch-arg`, each written as its own `#SBATCH` line after lfm's.
    public var extraArgs: [String] = []
    /// Seconds before the time limit at which Slurm sends USR1 to the batch script, which then
    /// requeues the job (it resumes from the newest checkpoint). 0 disables the requeue.
    public var requeueBefore: Int = 300

    public init() {}

    /// The keys of the `slurm:` block in lfm.yaml.
    public static let configKeys = ["nnodes", "nproc_per_node", "partition", "time", "account", "gpus_per_node",
                                    "cpus_per_task", "sbatch_args", "requeue_before"]

    /// The site defaults of `workspace`: its lfm.yaml's `slurm:` block (flags are applied
    /// afterwards).
    public static func configured(in workspace: Workspace) throws -> SlurmSettings {
        var settings = SlurmSettings()
        if let block = workspace.config.extra["slurm"] {
            guard let mapping = block.mapping else {
                throw SlurmError.badConfig(file: workspace.configPath ?? "lfm.yaml", key: "", message: "expected a mapping")
            }
            try settings.apply(config: mapping, file: workspace.configPath ?? "lfm.yaml")
        }
        return settings
    }

    /// Fills in what the `slurm:` block of lfm.yaml sets (flags are applied afterwards).
    public mutating func apply(config mapping: YAMLMapping, file: String) throws {
        func int(_ key: String, _ node: YAMLNode) throws -> Int {
            guard let value = node.intValue, value >= 0 else {
                throw SlurmError.badConfig(file: file, key: key, message: "expected a whole number, got \(node.scalarText ?? "a non-scalar")")
            }
            return value
        }
        func text(_ key: String, _ node: YAMLNode) throws -> String {
            guard let value = node.scalarText, !value.isEmpty, !node.isNull else {
                throw SlurmError.badConfig(file: file, key: key, message: "expected a value")
            }
            return value
        }
        for (key, node) in mapping {
            switch key {
            case "nnodes": nnodes = max(1, try int(key, node))
            case "nproc_per_node": nprocPerNode = try int(key, node)
            case "partition": partition = try text(key, node)
            case "time": time = try text(key, node)
            case "account": account = try text(key, node)
            case "gpus_per_node": gpusPerNode = try int(key, node)
            case "cpus_per_task": cpusPerTask = try int(key, node)
            case "requeue_before": requeueBefore = try int(key, node)
            case "sbatch_args":
                if let items = node.sequence {
                    extraArgs = try items.map { try text(key, $0) }
                } else {
                    extraArgs = [try text(key, node)]
                }
            default:
                throw SlurmError.badConfig(file: file, key: key,
                                           message: "unknown key; the slurm: block takes \(Self.configKeys.joined(separator: ", "))")
            }
        }
    }

    /// Processes per node: the flag, else the GPUs per node, else 1 (a CPU node). Never 0:
    /// LLaMA-Factory counts 0 devices on a CPU node and would start `torchrun --nproc_per_node 0`.
    public var processesPerNode: Int { max(1, nprocPerNode ?? gpusPerNode ?? 1) }
}

public enum SlurmError: Error, Sendable, CustomStringConvertible, Equatable {
    case badConfig(file: String, key: String, message: String)
    case notInstalled(command: String)
    case submitFailed(status: String, stderr: String)
    case badReply(command: String, output: String)
    case commandFailed(command: String, stderr: String)

    public var description: String {
        switch self {
        case .badConfig(let file, let key, let message):
            return "\(file): slurm.\(key): \(message)"
        case .notInstalled(let command):
            return "\(command) was not found on PATH; run lfm on a Slurm login node (or install slurm-client and point it at your cluster)"
        case .submitFailed(let status, let stderr):
            return "sbatch failed (\(status)): \(stderr.isEmpty ? "no message" : stderr)"
        case .badReply(let command, let output):
            return "unexpected reply from \(command): \(output.isEmpty ? "(nothing)" : output)"
        case .commandFailed(let command, let stderr):
            return "\(command) failed: \(stderr.isEmpty ? "no message" : stderr)"
        }
    }
}
