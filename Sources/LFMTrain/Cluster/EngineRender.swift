import Foundation
import LFMCore
import LFMSystem

/// `lfm train --k8s` and `--ray-address`: engines lfm renders for. The run's train.yaml (and
/// DeepSpeed JSON) plus, for Kubernetes, the manifest; and the command that starts the job. lfm
/// does not track these runs (no run.json).
public struct EngineRender: Sendable {
    /// What `--k8s` needs besides the run.
    public struct Kubernetes: Sendable {
        public var kind: KubernetesManifest.Kind
        public var image: String
        public var pvc: String
        /// Where the PVC is mounted in the pods (nil: the workspace's own path).
        public var pvcMount: String?
        /// Where to write the manifest (nil: `<run>/k8s.yaml`).
        public var out: String?
        public var nnodes: Int
        public var nprocPerNode: Int
        public var gpusPerNode: Int?

        public init(kind: KubernetesManifest.Kind, image: String, pvc: String, pvcMount: String?, out: String?, nnodes: Int,
                    nprocPerNode: Int, gpusPerNode: Int?) {
            self.kind = kind
            self.image = image
            self.pvc = pvc
            self.pvcMount = pvcMount
            self.out = out
            self.nnodes = nnodes
            self.nprocPerNode = nprocPerNode
            self.gpusPerNode = gpusPerNode
        }
    }

    public enum Engine: Sendable {
        case kubernetes(Kubernetes)
        /// `ray job submit --address ADDR`.
        case ray(address: String)
    }

    /// `k8s` or `ray`.
    public var engine: String
    public var runDirectory: RunDirectory
    /// Path and text of each file, in the order they are written.
    public var files: [(path: String, text: String)]
    /// The command that starts the job.
    public var command: String
    public var warnings: [String]
    public var notes: [String]

    /// The files and the command for `plan` (nothing written). Relative `--pvc-mount`/`--k8s-out`
    /// are resolved from `currentDirectory`.
    public static func make(_ plan: TrainPlan, session: TrainSession, engine: Engine, currentDirectory: String) throws -> EngineRender {
        let store = session.store
        let launch = plan.launch
        let dir = store.directory(id: plan.id)
        let planned = try TrainLauncher(store: store).plan(launch, runID: plan.id)
        var warnings: [String] = []
        var files: [(path: String, text: String)] = [(dir.configFile, launch.rendered.yaml)]
        if let ds = launch.rendered.deepspeedConfig { files.append((dir.path + "/" + ds.fileName, ds.json)) }
        switch engine {
        case .kubernetes(let k):
            let mount = k.pvcMount.map { Workspace.absolute($0, from: currentDirectory) } ?? session.workspace.root
            let manifest = KubernetesManifest(
                kind: k.kind, runID: plan.id, image: k.image, pvc: k.pvc, mountPath: mount, arguments: planned.plan.arguments,
                workingDirectory: dir.path, nnodes: k.nnodes, nprocPerNode: k.nprocPerNode, gpusPerNode: k.gpusPerNode)
            var paths: [(what: String, path: String)] = [("run dir", dir.path), ("output_dir", launch.rendered.outputDir)]
            if let dataDir = launch.rendered.mapping["dataset_dir"]?.stringValue { paths.append(("dataset_dir", dataDir)) }
            if ClusterPreflight.isLocalPath(launch.model) { paths.append(("model", launch.model)) }
            warnings = KubernetesManifest.pathsOutside(mount, paths)
            let out = k.out.map { Workspace.absolute($0, from: currentDirectory) } ?? dir.path + "/k8s.yaml"
            files.append((out, try manifest.text()))
            return EngineRender(engine: "k8s", runDirectory: dir, files: files, command: "kubectl apply -f \(LaunchPlan.quote(out))",
                                warnings: warnings, notes: planned.notes)
        case .ray(let address):
            let prefix = launch.environment.prefix
            let job = RayJob(address: address, rayCLI: prefix.map { $0 + "/bin/ray" } ?? "ray", cli: launch.cli,
                             arguments: planned.plan.arguments)
            if let prefix, !FileManager.default.isExecutableFile(atPath: prefix + "/bin/ray") {
                warnings.append("Ray is not installed in \(prefix): \(prefix)/bin/pip install \"llamafactory[ray]==0.9.5\"")
            }
            return EngineRender(engine: "ray", runDirectory: dir, files: files, command: job.shellLine, warnings: warnings,
                                notes: planned.notes)
        }
    }

    /// Writes the files (creating their folders).
    public func write() throws {
        for file in files {
            try FileManager.default.createDirectory(atPath: (file.path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try AtomicFile.write(file.text, to: file.path)
        }
    }
}

extension ClusterPreflight {
    /// The paths a job on other nodes needs (model, dataset_dir, output_dir, env, run dir) and
    /// this host's /dev/shm: warnings, not errors. A torchrun job without `masterAddr` is
    /// warned that every node would connect to 127.0.0.1.
    public static func warnings(for launch: TrainLaunch, runDir: String, masterAddr: String? = nil) -> [String] {
        var paths: [(what: String, path: String)] = []
        if isLocalPath(launch.model) { paths.append(("model", launch.model)) }
        if let dataDir = launch.rendered.mapping["dataset_dir"]?.stringValue { paths.append(("dataset_dir", dataDir)) }
        paths.append(("output_dir", launch.rendered.outputDir))
        if let prefix = launch.environment.prefix { paths.append(("env", prefix)) }
        paths.append(("run dir", runDir))
        var warnings = Self.warnings(paths: paths, shmBytes: shmSize())
        if launch.cluster?.slurm == nil, launch.cluster != nil, masterAddr == nil {
            warnings.append("no --master-addr: every node connects to 127.0.0.1, which works only when all nodes are this machine; pass --master-addr RANK0_ADDRESS on every node")
        }
        return warnings
    }
}
