import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain

/// `lfm train --slurm` and the checks for runs that span nodes.
extension TrainCommand {
    /// Paths a job on other nodes needs, and this host's /dev/shm: warnings, not errors.
    func clusterWarnings(_ launch: TrainLaunch, runDir: String, masterAddr: String? = nil) -> [String] {
        var paths: [(what: String, path: String)] = []
        if ClusterPreflight.isLocalPath(launch.model) { paths.append(("model", launch.model)) }
        if let dataDir = launch.rendered.mapping["dataset_dir"]?.stringValue { paths.append(("dataset_dir", dataDir)) }
        paths.append(("output_dir", launch.rendered.outputDir))
        if let prefix = launch.environment.prefix { paths.append(("env", prefix)) }
        paths.append(("run dir", runDir))
        var warnings = ClusterPreflight.warnings(paths: paths, shmBytes: ClusterPreflight.shmSize())
        if launch.cluster?.slurm == nil, launch.cluster != nil, masterAddr == nil {
            warnings.append("no --master-addr: every node connects to 127.0.0.1, which works only when all nodes are this machine; pass --master-addr RANK0_ADDRESS on every node")
        }
        return warnings
    }

    /// `--slurm` for a planned run.
    func runSlurm(_ plan: TrainPlan, session: TrainSession) async throws {
        for note in plan.notes { Terminal.note(note) }
        if !plan.defaults.isEmpty {
            Terminal.warning("the values above were chosen for this machine, not for the compute nodes: pass --set (e.g. --set bf16=true) for theirs")
        }
        try await runSlurm(plan.launch, launcher: TrainLauncher(store: session.store), store: session.store, workspace: session.workspace,
                     environment: plan.environment, id: plan.id)
    }

    /// Writes job.sbatch and submits it (or prints it with --dry-run).
    func runSlurm(_ launch: TrainLaunch, launcher: TrainLauncher, store: RunStore, workspace: Workspace,
                  environment: CondaEnvironment, id: String) async throws {
        let settings = try cluster.slurmSettings(workspace: workspace, nnodes: nnodes)
        let scheduler = SlurmClient()
        let submitter = SlurmSubmitter(launcher: launcher, scheduler: scheduler)
        let runDir = store.directory(id: id).path
        let warnings = clusterWarnings(launch, runDir: runDir)
        if dryRun {
            let planned = try submitter.plan(launch, settings: settings, runID: id)
            if output.json {
                return try Terminal.json(SlurmPlanReport(launch: launch, runId: id, runDir: runDir, script: planned.script, settings: settings,
                                                         sbatchAvailable: scheduler.isAvailable, warnings: warnings, notes: planned.notes))
            }
            for warning in warnings { Terminal.warning(warning) }
            for note in planned.notes { Terminal.note(note) }
            Terminal.out(Terminal.paint("# train.yaml (would be written to \(store.directory(id: id).configFile))", .dim))
            Terminal.out(launch.rendered.yaml.hasSuffix("\n") ? String(launch.rendered.yaml.dropLast()) : launch.rendered.yaml)
            Terminal.out(Terminal.paint("# \(planned.script.scriptPath) (submitted with: sbatch --parsable job.sbatch)", .dim))
            Terminal.out(String(planned.script.text.dropLast()))
            if !scheduler.isAvailable {
                Terminal.warning("sbatch is not on PATH here: submit from a Slurm login node")
            }
            return
        }
        guard scheduler.isAvailable else {
            throw SlurmError.notInstalled(command: "sbatch")
        }
        for warning in warnings { Terminal.warning(warning) }
        let result = try await submitter.submit(launch, settings: settings, id: id)
        for note in result.prepared.notes { Terminal.note(note) }
        let record = result.prepared.record
        if output.json { return try Terminal.json(record) }
        let job = record.cluster?.slurm
        Terminal.out("Submitted run \(id) to Slurm as job \(job?.jobID ?? "?") "
                     + "(\(settings.nnodes) node\(settings.nnodes == 1 ? "" : "s") × \(settings.processesPerNode) process\(settings.processesPerNode == 1 ? "" : "es"))")
        Terminal.out("  script:  \(result.script.scriptPath)")
        Terminal.out("  follow:  lfm logs \(id) -f")
        Terminal.out("  status:  lfm status \(id)")
        Terminal.out("  cancel:  lfm cancel \(id)")
    }
}

/// `lfm train --k8s` and `--ray-address`: engines lfm renders for. A real run writes the run's
/// train.yaml (and DeepSpeed JSON) plus the manifest, and prints the command that starts it; lfm
/// does not track these runs (no run.json). `--dry-run` prints everything and writes nothing.
extension TrainCommand {
    func renderForEngine(_ plan: TrainPlan, session: TrainSession) throws {
        for note in plan.notes { Terminal.note(note) }
        if !plan.defaults.isEmpty {
            Terminal.warning("the values above were chosen for this machine, not for the cluster's: pass --set (e.g. --set bf16=true) for theirs")
        }
        try renderForEngine(plan.launch, launcher: TrainLauncher(store: session.store), store: session.store,
                            workspace: session.workspace, id: plan.id)
    }

    func renderForEngine(_ launch: TrainLaunch, launcher: TrainLauncher, store: RunStore, workspace: Workspace, id: String) throws {
        let dir = store.directory(id: id)
        let planned = try launcher.plan(launch, runID: id)
        var warnings: [String] = []
        var files: [(path: String, text: String)] = [(dir.configFile, launch.rendered.yaml)]
        if let ds = launch.rendered.deepspeedConfig { files.append((dir.path + "/" + ds.fileName, ds.json)) }
        let command: String
        let kind: String
        if cluster.k8s {
            let mount = cluster.pvcMount.map { Workspace.absolute($0, from: FileManager.default.currentDirectoryPath) } ?? workspace.root
            let manifest = KubernetesManifest(
                kind: KubernetesManifest.Kind(rawValue: cluster.k8sKind) ?? .pytorchjob, runID: id, image: cluster.image ?? "",
                pvc: cluster.pvc ?? "", mountPath: mount, arguments: planned.plan.arguments, workingDirectory: dir.path,
                nnodes: nnodes ?? 1, nprocPerNode: max(1, cluster.nprocPerNode ?? cluster.gpusPerNode ?? 1),
                gpusPerNode: cluster.gpusPerNode)
            var paths: [(what: String, path: String)] = [("run dir", dir.path), ("output_dir", launch.rendered.outputDir)]
            if let dataDir = launch.rendered.mapping["dataset_dir"]?.stringValue { paths.append(("dataset_dir", dataDir)) }
            if ClusterPreflight.isLocalPath(launch.model) { paths.append(("model", launch.model)) }
            warnings = KubernetesManifest.pathsOutside(mount, paths)
            let out = cluster.k8sOut.map { Workspace.absolute($0, from: FileManager.default.currentDirectoryPath) } ?? dir.path + "/k8s.yaml"
            files.append((out, try manifest.text()))
            command = "kubectl apply -f \(LaunchPlan.quote(out))"
            kind = "k8s"
        } else {
            let prefix = launch.environment.prefix
            let job = RayJob(address: cluster.rayAddress ?? "", rayCLI: prefix.map { $0 + "/bin/ray" } ?? "ray", cli: launch.cli,
                             arguments: planned.plan.arguments)
            if let prefix, !FileManager.default.isExecutableFile(atPath: prefix + "/bin/ray") {
                warnings.append("Ray is not installed in \(prefix): \(prefix)/bin/pip install \"llamafactory[ray]==0.9.5\"")
            }
            command = job.shellLine
            kind = "ray"
        }
        if output.json {
            if !dryRun { try writeEngineFiles(files) }
            return try Terminal.json(EngineRenderReport(dryRun: dryRun, engine: kind, runId: id, runDir: dir.path, files: files,
                                                        command: command, warnings: warnings, notes: planned.notes))
        }
        for warning in warnings { Terminal.warning(warning) }
        for note in planned.notes { Terminal.note(note) }
        if dryRun {
            for file in files {
                Terminal.out(Terminal.paint("# \(file.path) (would be written)", .dim))
                Terminal.out(file.text.hasSuffix("\n") ? String(file.text.dropLast()) : file.text)
            }
            Terminal.out(Terminal.paint("# then run:", .dim))
            Terminal.out(command)
            return
        }
        try writeEngineFiles(files)
        for file in files { Terminal.out("wrote \(file.path)") }
        Terminal.out("start it with:")
        Terminal.out("  " + command)
    }

    private func writeEngineFiles(_ files: [(path: String, text: String)]) throws {
        for file in files {
            try FileManager.default.createDirectory(atPath: (file.path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try AtomicFile.write(file.text, to: file.path)
        }
    }
}
