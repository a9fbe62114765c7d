import Foundation
import LFMCore
import LFMTrain

/// How `lfm train` shows a plan (`--dry-run`) and what came of a run.
enum TrainPrinter {
    /// The plan for people (`--json`: `TrainPlanReport`).
    static func dryRun(_ plan: TrainPlan) {
        let launch = plan.launchPlan
        let rendered = plan.rendered
        let nodes: [(rank: Int, changes: [LaunchPlan.EnvChange])] = launch.perNode.isEmpty
            ? [] : launch.perNode.enumerated().map { ($0.offset, $0.element) }
        for note in plan.notes { Terminal.note(note) }
        let where_ = plan.resume != nil ? "the run's own, \(plan.directory.configFile)" : "would be written to \(plan.directory.configFile)"
        Terminal.out(Terminal.paint("# train.yaml (\(where_))", .dim))
        Terminal.out(rendered.yaml.hasSuffix("\n") ? String(rendered.yaml.dropLast()) : rendered.yaml)
        if let ds = rendered.deepspeedConfig {
            Terminal.out(Terminal.paint("# \(ds.fileName)", .dim))
            Terminal.out(ds.json)
        }
        Terminal.out(Terminal.paint("# environment: \(plan.environment.description)", .dim))
        Terminal.out(Terminal.paint("# variables lfm sets (everything else is inherited):", .dim))
        for change in launch.changes {
            Terminal.out(change.value.map { "\(change.key)=\($0)" } ?? "unset \(change.key)")
        }
        Terminal.out(Terminal.paint("# command (cwd \(launch.workingDirectory ?? ".")):", .dim))
        Terminal.out(launch.argv.map { LaunchPlan.quote($0) }.joined(separator: " "))
        for node in nodes {
            Terminal.out(Terminal.paint("# node \(node.rank) of \(nodes.count): run on that node", .dim))
            Terminal.out(launch.shellLine(changes: node.changes))
        }
    }

    /// What came of a run, for people (`--json`: the run record).
    static func outcome(_ outcome: TrainOutcome) {
        let id = outcome.directory.id
        let record = outcome.record
        if record.detached {
            let pid = record.pid.map(String.init)
            Terminal.out("Started run \(id) in the background (pid \(pid ?? "?"))")
            Terminal.out("  follow:  lfm logs \(id) -f")
            Terminal.out("  status:  lfm status \(id)")
            Terminal.out("  stop:    lfm cancel \(id)")
            return
        }
        let info = outcome.info
        let steps = info.map { "step \($0.progress.step)/\($0.progress.total)" } ?? ""
        let loss = info?.progress.lastLoss.map { String(format: ", last loss %.4f", $0) } ?? ""
        switch record.status {
        case .finished where record.cluster?.isWorker == true:
            let c = record.cluster!
            Terminal.err(Terminal.paint("✔ ", .green, stderr: true) + "run \(id) finished: worker node \(c.nodeRank ?? 0) of \(c.nnodes) of job \(c.job ?? "?")")
            Terminal.err("  the adapter and trainer log are written by node 0's run, in \(record.outputDir)")
        case .finished:
            Terminal.err(Terminal.paint("✔ ", .green, stderr: true) + "run \(id) finished (\(steps)\(loss))")
            if let adapter = info?.adapterPath { Terminal.err("  adapter: \(adapter)") }
            Terminal.err("  next:    lfm eval \(id)   (against the base model)")
            Terminal.err("           lfm chat \(id)")
            Terminal.err("           lfm export \(id)")
        case .interrupted:
            Terminal.err("run \(id) interrupted (\(steps))")
        default:
            Terminal.err(Terminal.paint("✘ ", .red, stderr: true) + "run \(id) failed with exit \(record.exitCode ?? -1); see \(outcome.directory.logFile)")
        }
        if let hint = outcome.resumeHint { Terminal.err("  \(hint)") }
    }
}
