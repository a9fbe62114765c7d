import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's state, progress, loss curve and adapter.",
        discussion: """
        States: running, finished, failed, interrupted (Ctrl-C), killed (the process is gone \
        and left no exit status); Slurm runs also pending (in the queue, with Slurm's reason) \
        and cancelled. Slurm's state comes from scontrol and the exit status the job script \
        writes into the run directory (no accounting database needed).
        """)

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String = "last"
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let workspace = try workspaceOptions.workspace()
        let info = try await RunStore(workspace: workspace).liveInfo(runRef, scheduler: SlurmClient())
        let r = info.record
        let p = info.progress
        let report = RunStatusReport(info, workspace: workspace)
        if output.json { return try Terminal.json(report) }
        let checkpoints = report.checkpoints
        let resumable = RunStatusReport.resumable(info.status)
        let resumeCommand = TrainSession.resumeCommand(r.id, workspace: workspace)
        var status = RunsFormat.paintStatus(info.status)
        if let code = r.exitCode { status += " (exit \(code))" }
        Terminal.out("\(Terminal.paint("run", .bold)) \(r.id)  \(status)")
        var rows: [(String, String)] = []
        rows.append(("model", r.model + (r.template.map { "  (template \($0))" } ?? "")))
        rows.append(("datasets", r.datasets.map { d in d.name + (d.sha256.map { " sha256:\($0.prefix(12))" } ?? "") }.joined(separator: ", ")))
        rows.append(("stage", "\(r.stage) / \(r.method)"))
        if p.total > 0 {
            var line = "\(p.step)/\(p.total)"
            if let pc = p.percentage { line += String(format: " (%.0f%%)", pc) }
            if let l = p.lastLoss { line += String(format: "  loss %.4f", l) }
            if let e = p.lastEvalLoss { line += String(format: "  eval_loss %.4f", e) }
            if info.status == .running, let eta = p.remaining { line += "  ETA \(eta)" }
            rows.append(("steps", line))
        } else {
            rows.append(("steps", info.status == .running ? "starting (no trainer_log.jsonl yet)" : "-"))
        }
        if !p.losses.isEmpty {
            let first = p.losses.first!.loss, last = p.losses.last!.loss
            rows.append(("loss", p.sparkline() + String(format: "  %.4f → %.4f", first, last)))
        }
        if let c = r.cluster {
            if let job = c.slurm {
                var line = "job \(job.jobID.isEmpty ? "(not submitted)" : job.jobID)"
                if let state = job.state { line += "  \(state)" + (job.reason.map { " (\($0))" } ?? "") }
                rows.append(("slurm", line))
                rows.append(("script", "\(job.script)  sha256:\(job.scriptSHA256.prefix(12))"))
                rows.append(("nodes", "\(c.nnodes) × \(c.nprocPerNode) process\(c.nprocPerNode == 1 ? "" : "es")"))
            } else {
                rows.append(("job", c.job ?? "?"))
                rows.append(("node", "\(c.nodeRank ?? 0) of \(c.nnodes)" + (c.isWorker ? " (worker)" : "")
                             + ", \(c.nprocPerNode) process\(c.nprocPerNode == 1 ? "" : "es"), master \(c.master ?? "?")"))
            }
        }
        if r.cluster?.isWorker == true {
            rows.append(("adapter", "(written by node 0) \(r.outputDir)"))
        } else {
            rows.append(("adapter", info.adapterPath ?? "(not written yet) \(r.outputDir)"))
        }
        if !checkpoints.isEmpty {
            // The newest, the newest complete one when that differs, and a count of the rest.
            var shown = [checkpoints.last!]
            if let complete = checkpoints.last(where: \.complete), complete != checkpoints.last { shown.append(complete) }
            let older = checkpoints.count - shown.count
            rows.append(("ckpts", shown.map(\.summary).joined(separator: ", ") + (older > 0 ? "; \(older) older" : "")))
        }
        if resumable, checkpoints.contains(where: \.complete) { rows.append(("resume", resumeCommand)) }
        if let eval = r.eval {
            rows.append(("eval", eval.summary + "  on " + eval.datasets.map(\.name).joined(separator: ",")
                         + " (\(eval.adapter.samples) answers)"))
            if let md = eval.reportMarkdown { rows.append(("report", md)) }
        }
        if let export = r.export {
            let state = export.merged == true ? "merged" : export.merged == false ? "NOT merged" : "not verified"
            rows.append(("export", "\(export.exportDir) (\(state)\(export.ok ? "" : ", a check failed"))"))
        }
        rows.append(("started", r.startTime + (info.duration.map { "  (\(RunsFormat.duration($0)))" } ?? "")))
        if r.detached, r.cluster?.slurm == nil { rows.append(("pid", r.pid.map { "\($0) (detached)" } ?? "-")) }
        rows.append(("log", info.directory.logFile))
        rows.append(("config", r.config))
        for (k, v) in rows { Terminal.out("  " + k.padding(toLength: 9, withPad: " ", startingAt: 0) + v) }
    }
}
