import Foundation
import LFMSystem

/// Multi-GPU, multi-node, DeepSpeed and Ray settings for a launch (all optional).
public struct DistributedOptions: Sendable, Equatable {
    /// `--gpus 0,1` → `CUDA_VISIBLE_DEVICES`.
    public var gpus: String?
    public var nnodes: Int?
    public var nodeRank: Int?
    public var masterAddr: String?
    public var masterPort: Int?
    /// Set when a DeepSpeed config is used: DeepSpeed needs torchrun (`FORCE_TORCHRUN=1`).
    public var deepspeed: Bool = false
    /// `--ray-workers N` → `USE_RAY=1` (the count itself goes into the YAML as `ray_num_workers`).
    public var rayWorkers: Int?
    /// `--nproc-per-node N` (default: the GPU count, 1 without GPUs) → `NPROC_PER_NODE` whenever
    /// torchrun is used. Never left to LLaMA-Factory on a node without GPUs: it would count 0
    /// devices there and start `torchrun --nproc_per_node 0`.
    public var nprocPerNode: Int?

    public init(gpus: String? = nil, nnodes: Int? = nil, nodeRank: Int? = nil, masterAddr: String? = nil,
                masterPort: Int? = nil, deepspeed: Bool = false, rayWorkers: Int? = nil, nprocPerNode: Int? = nil) {
        self.gpus = gpus
        self.nnodes = nnodes
        self.nodeRank = nodeRank
        self.masterAddr = masterAddr
        self.masterPort = masterPort
        self.deepspeed = deepspeed
        self.rayWorkers = rayWorkers
        self.nprocPerNode = nprocPerNode
    }

    public var isMultiNode: Bool { (nnodes ?? 1) > 1 }

    /// The variables for node `rank` (the launcher in LLaMA-Factory hands them to torchrun).
    public func variables(rank: Int?) -> [(key: String, value: String?)] {
        var vars: [(key: String, value: String?)] = []
        if let gpus, !gpus.isEmpty {
            vars.append(("CUDA_VISIBLE_DEVICES", gpus))
        }
        if let nnodes, nnodes > 1 || nodeRank != nil || masterAddr != nil {
            vars.append(("NNODES", String(nnodes)))
            vars.append(("NODE_RANK", String(rank ?? 0)))
            if let n = processesPerNode { vars.append(("NPROC_PER_NODE", String(n))) }
        }
        if let masterAddr { vars.append(("MASTER_ADDR", masterAddr)) }
        if let masterPort { vars.append(("MASTER_PORT", String(masterPort))) }
        if rayWorkers != nil {
            vars.append(("USE_RAY", "1"))
        } else if deepspeed || isMultiNode || masterAddr != nil || (nprocPerNode ?? 1) > 1 {
            if !vars.contains(where: { $0.key == "NPROC_PER_NODE" }), let n = processesPerNode {
                vars.append(("NPROC_PER_NODE", String(n)))
            }
            vars.append(("FORCE_TORCHRUN", "1"))
        }
        return vars
    }

    /// `--nproc-per-node`, else the number of `--gpus`.
    public var processesPerNode: Int? {
        if let nprocPerNode { return max(1, nprocPerNode) }
        if let gpus, !gpus.isEmpty { return gpus.split(separator: ",").count }
        return nil
    }
}

/// Exactly what lfm will run: program, arguments, working directory and the environment
/// variables it sets or unsets on top of its own environment.
public struct LaunchPlan: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]
    public var workingDirectory: String?
    /// Only what lfm sets (value) or unsets (nil), in order.
    public var changes: [EnvChange]
    /// For multi-node runs: the changes for each node rank (rank 0 first); empty otherwise.
    public var perNode: [[EnvChange]]
    /// The environment lfm itself runs with (the base the changes apply to).
    public var base: [String: String]

    public struct EnvChange: Sendable, Equatable {
        public var key: String
        public var value: String?
        public init(_ key: String, _ value: String?) {
            self.key = key
            self.value = value
        }
    }

    public init(executable: String, arguments: [String], workingDirectory: String?, changes: [EnvChange],
                perNode: [[EnvChange]] = [], base: [String: String]) {
        self.executable = executable
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.changes = changes
        self.perNode = perNode
        self.base = base
    }

    /// Builds the plan for `llamafactory-cli <subcommand> <config> [overrides]`.
    public static func make(
        cli: String, subcommand: String, config: String, overrides: [String] = [],
        env: CondaEnvironment, distributed: DistributedOptions = DistributedOptions(),
        workingDirectory: String?, base: [String: String], extra: [(String, String)] = []
    ) -> LaunchPlan {
        var changes = env.activation(base: base).map { EnvChange($0.key, $0.value) }
        for (key, value) in extra { changes.append(EnvChange(key, value)) }
        let common = changes
        changes += distributed.variables(rank: distributed.nodeRank).map { EnvChange($0.key, $0.value) }
        var perNode: [[EnvChange]] = []
        if let nnodes = distributed.nnodes, nnodes > 1 {
            perNode = (0..<nnodes).map { rank in
                common + distributed.variables(rank: rank).map { EnvChange($0.key, $0.value) }
            }
        }
        return LaunchPlan(executable: cli, arguments: [subcommand, config] + overrides,
                          workingDirectory: workingDirectory, changes: changes, perNode: perNode, base: base)
    }

    /// The child's full environment.
    public var environment: [String: String] {
        var env = base
        for change in changes {
            if let value = change.value { env[change.key] = value } else { env.removeValue(forKey: change.key) }
        }
        return env
    }

    public var argv: [String] { [executable] + arguments }

    /// The changes as a dictionary for run.json (unset variables map to nil).
    public var changedVariables: [String: String?] {
        var result: [String: String?] = [:]
        for change in changes { result[change.key] = .some(change.value) }
        return result
    }

    public var spec: ProcessSpec {
        ProcessSpec(executable: .path(URL(fileURLWithPath: executable)), arguments: arguments,
                    environment: environment,
                    workingDirectory: workingDirectory.map { URL(fileURLWithPath: $0) })
    }

    /// A shell line someone could paste: `env -u PYTHONHOME K=V ... cli args`.
    public func shellLine(changes override: [EnvChange]? = nil) -> String {
        let list = override ?? changes
        var parts: [String] = []
        if let workingDirectory { parts.append("cd \(Self.quote(workingDirectory)) &&") }
        let unsets = list.filter { $0.value == nil }.map(\.key)
        let sets = list.compactMap { c in c.value.map { "\(c.key)=\(Self.quote($0))" } }
        if !unsets.isEmpty || !sets.isEmpty {
            parts.append("env")
            parts += unsets.map { "-u \($0)" }
            parts += sets
        }
        parts += argv.map(Self.quote)
        return parts.joined(separator: " ")
    }

    /// Shell-quotes one word (only when needed).
    public static func quote(_ s: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%")
        if !s.isEmpty && s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
