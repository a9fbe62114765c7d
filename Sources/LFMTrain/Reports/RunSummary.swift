import Foundation
import LFMCore

/// One run as `lfm runs --json` lists it (docs/json.md#lfm-runs); `lfm status`, `lfm cancel`
/// start their documents with the same keys.
public struct RunSummary: Encodable, Sendable {
    public var id: String
    public var status: RunRecord.Status
    public var model: String
    public var template: String?
    public var datasets: [String]
    public var stage: String
    public var method: String
    public var step: Int
    public var totalSteps: Int
    public var lastLoss: Double?
    public var exitCode: Int32?
    public var startTime: String
    public var endTime: String?
    /// Seconds, to a tenth.
    public var durationS: Double?
    public var outputDir: String
    public var adapter: String?
    public var runDir: String
    public var detached: Bool
    public var cluster: ClusterSummary?
    public var eval: EvalSummary?

    public init(_ info: RunInfo) {
        let r = info.record
        id = r.id
        status = info.status
        model = r.model
        template = r.template
        datasets = r.datasets.map(\.name)
        stage = r.stage
        method = r.method
        step = info.progress.step
        totalSteps = info.progress.total
        lastLoss = info.progress.lastLoss
        exitCode = r.exitCode
        startTime = r.startTime
        endTime = r.endTime
        durationS = info.duration.map { ($0 * 10).rounded() / 10 }
        outputDir = r.outputDir
        adapter = info.adapterPath
        runDir = info.directory.path
        detached = r.detached
        cluster = r.cluster.map(ClusterSummary.init)
        eval = r.eval.map(EvalSummary.init)
    }
}

/// `cluster` of a run summary: the run's part in a multi-node or Slurm job.
public struct ClusterSummary: Encodable, Sendable {
    public var job: String?
    public var nodeRank: Int?
    public var nnodes: Int
    public var nprocPerNode: Int
    /// `primary` (node 0) or `worker`.
    public var role: String
    /// Slurm runs only (null otherwise).
    public var slurmJobID: String?
    public var slurmState: String?
    public var slurmReason: String?
    public var script: String?
    public var scriptSHA256: String?

    public init(_ c: ClusterInfo) {
        job = c.job
        nodeRank = c.nodeRank
        nnodes = c.nnodes
        nprocPerNode = c.nprocPerNode
        role = c.isWorker ? "worker" : "primary"
        slurmJobID = c.slurm?.jobID
        slurmState = c.slurm?.state
        slurmReason = c.slurm?.reason
        script = c.slurm?.script
        scriptSHA256 = c.slurm?.scriptSHA256
    }
}

/// A dataset by name and content (`sha256` null when the file could not be hashed).
public struct DatasetDigest: Encodable, Sendable {
    public var name: String
    public var sha256: String?

    public init(_ checksum: RunRecord.DatasetChecksum) {
        name = checksum.name
        sha256 = checksum.sha256
    }
}

/// `eval` of a run summary: the run's latest `lfm eval`.
public struct EvalSummary: Encodable, Sendable {
    public var datasets: [DatasetDigest]
    public var samples: Int
    public var adapter: EvalMetrics
    public var base: EvalMetrics?
    /// adapter - base, metric by metric.
    public var delta: EvalMetrics?
    /// eval.md.
    public var report: String?
    public var time: String

    public init(_ eval: EvalRecord) {
        datasets = eval.datasets.map(DatasetDigest.init)
        samples = eval.adapter.samples
        adapter = eval.adapter.metrics
        base = eval.base?.metrics
        delta = eval.delta
        report = eval.reportMarkdown
        time = eval.time
    }
}
