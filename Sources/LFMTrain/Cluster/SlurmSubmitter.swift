import Foundation
import LFMSystem

/// `lfm train --slurm`: the run directory as for a local run (train.yaml, run.json, train.log),
/// plus `job.sbatch`, submitted with `sbatch --parsable`; run.json records the job id and the
/// script's SHA-256. Returns at once, like `--detach`.
public struct SlurmSubmitter: Sendable {
    public var launcher: TrainLauncher
    public var scheduler: any JobScheduler

    public init(launcher: TrainLauncher, scheduler: any JobScheduler) {
        self.launcher = launcher
        self.scheduler = scheduler
    }

    /// The script for a run, without touching the disk (`--dry-run`).
    public func plan(_ launch: TrainLaunch, settings: SlurmSettings, runID: String) throws
        -> (script: SbatchScript, plan: LaunchPlan, notes: [String])
    {
        let (plan, notes) = try launcher.plan(launch, runID: runID)
        let dir = launcher.store.directory(id: runID)
        let script = SbatchScript(runID: runID, runDirectory: dir, outputDir: launch.rendered.outputDir, settings: settings,
                                  environment: launch.environment, cli: launch.cli, arguments: plan.arguments,
                                  variables: launch.extraVariables.map { (key: $0.0, value: $0.1) },
                                  deepspeed: launch.rendered.deepspeedConfig != nil)
        return (script, plan, notes)
    }

    /// Writes the run and submits it. A refused submission leaves the run recorded as failed,
    /// with sbatch's message in its notes and on the error.
    public func submit(_ launch: TrainLaunch, settings: SlurmSettings, id: String) async throws
        -> (prepared: PreparedRun, script: SbatchScript)
    {
        let (script, _, _) = try plan(launch, settings: settings, runID: id)
        var launch = launch
        launch.cluster = ClusterInfo(job: script.jobName, nodeRank: nil, nnodes: settings.nnodes,
                                     nprocPerNode: settings.processesPerNode)
        var prepared = try launcher.prepare(launch, detached: true, id: id)
        let text = script.text
        try AtomicFile.write(text, to: script.scriptPath)
        _ = chmod(script.scriptPath, 0o755)
        var job = SlurmJob(jobID: "", script: script.scriptPath, scriptSHA256: SHA256Digest.hex(text),
                           submitTime: RunRecord.timestamp(Date()))
        do {
            job.jobID = try await scheduler.submit(script: script.scriptPath, workingDirectory: prepared.directory.path)
        } catch {
            prepared.record.finish(exitCode: 1)
            prepared.record.notes.append("not submitted: \(error)")
            prepared.record.cluster?.slurm = job
            try? prepared.directory.write(prepared.record)
            throw error
        }
        job.state = "PENDING"
        prepared.record.cluster?.slurm = job
        try prepared.directory.write(prepared.record)
        return (prepared, script)
    }
}
