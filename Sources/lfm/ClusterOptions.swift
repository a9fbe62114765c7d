import ArgumentParser
import Foundation
import LFMCore
import LFMTrain
import YAML

/// `lfm train` options for runs beyond one machine: Slurm, and torchrun across nodes.
struct ClusterOptions: ParsableArguments {
    @Flag(help: ArgumentHelp("Submit to Slurm: write <run>/job.sbatch, sbatch it and return (like --detach).",
                             discussion: "Site defaults go in a `slurm:` block of lfm.yaml (partition, account, time, gpus_per_node, cpus_per_task, nproc_per_node, nnodes, sbatch_args, requeue_before)."))
    var slurm = false
    @Option(name: .customLong("nproc-per-node"),
            help: "Training processes per node (NPROC_PER_NODE; default: the GPU count, 1 without GPUs).")
    var nprocPerNode: Int?
    @Option(help: "Slurm partition (--slurm).") var partition: String?
    @Option(help: ArgumentHelp("Slurm time limit, e.g. 4:00:00 (--slurm).", valueName: "time")) var time: String?
    @Option(help: "Slurm account (--slurm).") var account: String?
    @Option(name: .customLong("gpus-per-node"), help: "GPUs per node (--slurm, --k8s).") var gpusPerNode: Int?
    @Option(name: .customLong("cpus-per-task"), help: "CPUs per node's task (--slurm).") var cpusPerTask: Int?
    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Extra #SBATCH line, repeatable (--sbatch-arg=--exclusive).", valueName: "arg"))
    var sbatchArgs: [String] = []
    @Option(name: .customLong("requeue-before"),
            help: ArgumentHelp("Requeue the job this many seconds before its time limit; it resumes from its newest checkpoint (default 300; 0: off).", valueName: "seconds"))
    var requeueBefore: Int?
    @Option(help: "Name shared by every node's run of a multi-node job (default: date, node count, master address and port).")
    var job: String?
    @Flag(help: "Write a Kubernetes manifest (one pod per node) instead of launching; print the kubectl command.")
    var k8s = false
    @Option(name: .customLong("k8s-kind"), help: "pytorchjob (Kubeflow training operator) or job (indexed Job + headless Service).")
    var k8sKind: String = "pytorchjob"
    @Option(name: .customLong("k8s-out"), help: ArgumentHelp("Where to write the manifest (default <run>/k8s.yaml).", valueName: "file"))
    var k8sOut: String?
    @Option(help: "Container image with LLaMA-Factory (--k8s).") var image: String?
    @Option(help: "PersistentVolumeClaim holding the workspace (--k8s).") var pvc: String?
    @Option(name: .customLong("pvc-mount"), help: ArgumentHelp("Where the PVC is mounted in the pods (default: the workspace's own path).", valueName: "path"))
    var pvcMount: String?
    @Option(name: .customLong("ray-address"), help: ArgumentHelp("Render `ray job submit --address ADDR` for LLaMA-Factory's Ray path (USE_RAY=1).", valueName: "addr"))
    var rayAddress: String?

    /// An engine lfm renders for (it writes train.yaml and prints the command; it launches nothing).
    var rendersOnly: Bool { k8s || rayAddress != nil }

    /// Checks that need the rest of `lfm train`'s flags.
    func check(gpus: String?, nodeRank: Int?, masterAddr: String?, masterPort: Int?, nnodes: Int?, detach: Bool,
               rayWorkers: Int?) throws {
        if let n = nprocPerNode, n < 1 { throw ValidationError("--nproc-per-node must be at least 1") }
        if let n = requeueBefore, n < 0 { throw ValidationError("--requeue-before must be 0 or more seconds") }
        let engines = [("--slurm", slurm), ("--k8s", k8s), ("--ray-address", rayAddress != nil)].filter { $0.1 }.map(\.0)
        if engines.count > 1 { throw ValidationError("\(engines.joined(separator: " and ")) cannot be combined: pick one engine") }
        if rendersOnly && detach { throw ValidationError("\(engines[0]) writes the files and prints the command; it launches nothing to --detach") }
        if k8s {
            guard KubernetesManifest.Kind(rawValue: k8sKind) != nil else {
                throw ValidationError("--k8s-kind must be pytorchjob or job; got \"\(k8sKind)\"")
            }
            if image == nil { throw ValidationError("--k8s needs --image (a container image with LLaMA-Factory installed)") }
            if pvc == nil { throw ValidationError("--k8s needs --pvc NAME (the PersistentVolumeClaim that holds the workspace)") }
            if gpus != nil || nodeRank != nil || masterAddr != nil {
                throw ValidationError("--gpus, --node-rank and --master-addr cannot be combined with --k8s: the pods get them from Kubernetes")
            }
        } else {
            for (flag, given) in [("--image", image != nil), ("--pvc", pvc != nil), ("--pvc-mount", pvcMount != nil),
                                  ("--k8s-out", k8sOut != nil), ("--k8s-kind", k8sKind != "pytorchjob")] where given {
                throw ValidationError("\(flag) needs --k8s")
            }
        }
        if rayAddress != nil && (nnodes != nil || nodeRank != nil || masterAddr != nil || gpus != nil) {
            throw ValidationError("--ray-address cannot be combined with --nnodes/--node-rank/--master-addr/--gpus: Ray places the workers (--ray-workers N)")
        }
        if slurm {
            if gpus != nil { throw ValidationError("--gpus cannot be combined with --slurm: Slurm picks the GPUs; use --gpus-per-node N") }
            if nodeRank != nil || masterAddr != nil || masterPort != nil {
                throw ValidationError("--node-rank, --master-addr and --master-port cannot be combined with --slurm: the job script sets them on every node")
            }
            if detach { throw ValidationError("--slurm already returns once the job is submitted; drop --detach") }
            if rayWorkers != nil { throw ValidationError("--ray-workers cannot be combined with --slurm") }
            if job != nil { throw ValidationError("--job names a torchrun job without a scheduler; a Slurm job is named lfm-<run id>") }
        } else {
            if gpusPerNode != nil && k8s { /* --k8s uses it too */ } else if gpusPerNode != nil {
                throw ValidationError("--gpus-per-node needs --slurm or --k8s")
            }
            let slurmOnly: [(String, Bool)] = [("--partition", partition != nil), ("--time", time != nil),
                                               ("--account", account != nil),
                                               ("--cpus-per-task", cpusPerTask != nil), ("--sbatch-arg", !sbatchArgs.isEmpty),
                                               ("--requeue-before", requeueBefore != nil)]
            if let flag = slurmOnly.first(where: { $0.1 })?.0 { throw ValidationError("\(flag) needs --slurm") }
            if job != nil && (nnodes ?? 1) < 2 { throw ValidationError("--job needs --nnodes 2 or more") }
        }
    }

    /// The Slurm request: lfm.yaml's `slurm:` block, then these flags.
    func slurmSettings(workspace: Workspace, nnodes: Int?) throws -> SlurmSettings {
        var settings = try SlurmSettings.configured(in: workspace)
        if let nnodes { settings.nnodes = nnodes }
        if let v = nprocPerNode { settings.nprocPerNode = v }
        if let v = partition { settings.partition = v }
        if let v = time { settings.time = v }
        if let v = account { settings.account = v }
        if let v = gpusPerNode { settings.gpusPerNode = v }
        if let v = cpusPerTask { settings.cpusPerTask = v }
        if !sbatchArgs.isEmpty { settings.extraArgs += sbatchArgs }
        if let v = requeueBefore { settings.requeueBefore = v }
        return settings
    }

    /// `NPROC_PER_NODE` for a local launch: the flag, else one per GPU (given or found), else 1.
    /// Only set when torchrun is in play (several nodes or processes, DeepSpeed).
    func processesPerNode(gpus: String?, nnodes: Int?, masterAddr: String?, deepspeed: Bool) -> Int? {
        if let nprocPerNode { return nprocPerNode }
        guard (nnodes ?? 1) > 1 || masterAddr != nil || deepspeed else { return nil }
        return LocalGPUs.defaultProcessesPerNode(gpus: gpus)
    }

    /// The shared job name of a multi-node torchrun run: `--job`, else one every node derives
    /// alike from the same command line.
    func multiNodeJob(nnodes: Int?, masterAddr: String?, masterPort: Int?) -> String? {
        guard let nnodes, nnodes > 1 else { return nil }
        if let job { return job }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd"
        let raw = "\(f.string(from: Date()))-n\(nnodes)-\(masterAddr ?? "127.0.0.1")-\(masterPort ?? Self.defaultMasterPort)"
        return String(raw.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "-" })
    }

    /// torchrun's own default: every node must use the same port, so lfm never lets
    /// LLaMA-Factory pick a free one per node.
    static let defaultMasterPort = 29500
}
