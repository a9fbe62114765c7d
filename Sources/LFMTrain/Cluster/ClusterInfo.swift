import Foundation

/// `run.json` → `cluster`: how a run takes part in a job spread over nodes (torchrun across
/// nodes, or a Slurm batch job). Absent for a plain local run.
public struct ClusterInfo: Codable, Sendable, Equatable {
    /// The name shared by every node's run of one multi-node job (`lfm runs` groups by it).
    public var job: String?
    /// This node's rank (torchrun without a scheduler; nil for Slurm, where srun sets it per node).
    public var nodeRank: Int?
    public var nnodes: Int
    /// Training processes per node (`NPROC_PER_NODE`).
    public var nprocPerNode: Int
    public var master: String?
    public var slurm: SlurmJob?

    public init(job: String?, nodeRank: Int?, nnodes: Int, nprocPerNode: Int, master: String? = nil, slurm: SlurmJob? = nil) {
        self.job = job
        self.nodeRank = nodeRank
        self.nnodes = nnodes
        self.nprocPerNode = nprocPerNode
        self.master = master
        self.slurm = slurm
    }

    /// A node other than rank 0: it trains, but rank 0 writes the adapter and the trainer log.
    public var isWorker: Bool { (nodeRank ?? 0) > 0 }

    enum CodingKeys: String, CodingKey {
        case job, nnodes, master, slurm
        case nodeRank = "node_rank", nprocPerNode = "nproc_per_node"
    }
}

/// A submitted Slurm batch job, as recorded in `run.json` (`cluster.slurm`).
public struct SlurmJob: Codable, Sendable, Equatable {
    public var jobID: String
    /// `<run>/job.sbatch` and the SHA-256 of the bytes submitted.
    public var script: String
    public var scriptSHA256: String
    public var submitTime: String
    /// The last state Slurm reported (`PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, …)
    /// and why (`Resources`, `Priority`, `NonZeroExitCode`, …), saved so it is known after Slurm
    /// forgets the job (no accounting storage is needed).
    public var state: String?
    public var reason: String?
    /// Set by `lfm cancel`.
    public var cancelledByUser: Bool?

    public init(jobID: String, script: String, scriptSHA256: String, submitTime: String) {
        self.jobID = jobID
        self.script = script
        self.scriptSHA256 = scriptSHA256
        self.submitTime = submitTime
    }

    enum CodingKeys: String, CodingKey {
        case script, state, reason
        case jobID = "job_id", scriptSHA256 = "script_sha256", submitTime = "submit_time"
        case cancelledByUser = "cancelled_by_user"
    }
}
