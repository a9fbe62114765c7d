import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain

/// `lfm train --slurm` and the checks for runs that span nodes.
extension TrainCommand {
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
        let warnings = ClusterPreflight.warnings(for: launch, runDir: runDir)
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

/// `lfm train --k8s` and `--ray-address`: engines lfm renders for (`EngineRender`). A real run
/// writes the run's train.yaml (and DeepSpeed JSON) plus the manifest, and prints the command that
/// starts it; lfm does not track these runs (no run.json). `--dry-run` prints everything and
/// writes nothing.
extension TrainCommand {
    func renderForEngine(_ plan: TrainPlan, session: TrainSession) throws {
        for note in plan.notes { Terminal.note(note) }
        if !plan.defaults.isEmpty {
            Terminal.warning("the values above were chosen for this machine, not for the cluster's: pass --set (e.g. --set bf16=true) for theirs")
        }
        let engine: EngineRender.Engine = cluster.k8s
            ? .kubernetes(.init(kind: KubernetesManifest.Kind(rawValue: cluster.k8sKind) ?? .pytorchjob, image: cluster.image ?? "",
                                pvc: cluster.pvc ?? "", pvcMount: cluster.pvcMount, out: cluster.k8sOut, nnodes: nnodes ?? 1,
                                nprocPerNode: max(1, cluster.nprocPerNode ?? cluster.gpusPerNode ?? 1), gpusPerNode: cluster.gpusPerNode))
            : .ray(address: cluster.rayAddress ?? "")
        let render = try EngineRender.make(plan, session: session, engine: engine, currentDirectory: FileManager.default.currentDirectoryPath)
        if output.json {
            if !dryRun { try render.write() }
            return try Terminal.json(EngineRenderReport(dryRun: dryRun, engine: render.engine, runId: plan.id, runDir: render.runDirectory.path,
                                                        files: render.files, command: render.command, warnings: render.warnings,
                                                        notes: render.notes))
        }
        for warning in render.warnings { Terminal.warning(warning) }
        for note in render.notes { Terminal.note(note) }
        if dryRun {
            for file in render.files {
                Terminal.out(Terminal.paint("# \(file.path) (would be written)", .dim))
                Terminal.out(file.text.hasSuffix("\n") ? String(file.text.dropLast()) : file.text)
            }
            Terminal.out(Terminal.paint("# then run:", .dim))
            Terminal.out(render.command)
            return
        }
        try render.write()
        for file in render.files { Terminal.out("wrote \(file.path)") }
        Terminal.out("start it with:")
        Terminal.out("  " + render.command)
    }
}
