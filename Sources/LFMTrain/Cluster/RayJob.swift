import Foundation
import YAML

/// LLaMA-Factory 0.9.5's Ray path, rendered as a `ray job submit` command: the job's runtime
/// environment sets `USE_RAY=1` (the YAML cannot enable Ray), the YAML carries `ray_num_workers`
/// (and `ray_init_kwargs` if you set it), and the env's absolute `llamafactory-cli` runs on the
/// cluster.
public struct RayJob: Sendable, Equatable {
    public var address: String
    /// `ray` next to the env's `llamafactory-cli` (Ray is installed with LLaMA-Factory's `ray` extra).
    public var rayCLI: String
    public var cli: String
    /// `train <run>/train.yaml [key=value …]`.
    public var arguments: [String]

    public init(address: String, rayCLI: String, cli: String, arguments: [String]) {
        self.address = address
        self.rayCLI = rayCLI
        self.cli = cli
        self.arguments = arguments
    }

    public static let runtimeEnv = #"{"env_vars":{"USE_RAY":"1"}}"#

    public var argv: [String] {
        [rayCLI, "job", "submit", "--address", address, "--runtime-env-json", Self.runtimeEnv, "--", cli] + arguments
    }

    public var shellLine: String { argv.map(LaunchPlan.quote).joined(separator: " ") }

    /// Keys that LLaMA-Factory 0.9.5's Ray rewrite removed (they came from the Ray Train
    /// `TorchTrainer` path): a config that still has them is refused with what replaces them.
    public static let removedKeys: [String: String] = [
        "ray_run_name": "Ray jobs are named by `ray job submit --submission-id`",
        "ray_storage_path": "checkpoints go to output_dir; put it on storage every Ray node shares",
        "resources_per_worker": "each worker gets one GPU (and 10 CPUs) from LLaMA-Factory's placement group",
        "placement_strategy": "LLaMA-Factory 0.9.5 always packs workers (PACK)",
    ]

    /// Throws for the first removed key in `mapping`.
    public static func checkRemovedKeys(_ mapping: YAMLMapping) throws {
        for key in removedKeys.keys.sorted() where mapping.contains(key: key) {
            throw RayError.removedKey(key, instead: removedKeys[key]!)
        }
    }
}

public enum RayError: Error, Sendable, Equatable, CustomStringConvertible {
    case removedKey(String, instead: String)

    public var description: String {
        switch self {
        case .removedKey(let key, let instead):
            return "`\(key)` was removed in LLaMA-Factory 0.9.5's Ray rewrite and would be refused; remove it (\(instead)); 0.9.5 reads ray_num_workers and ray_init_kwargs"
        }
    }
}
