import Foundation
import LFMCore
import LFMTrain

/// How `lfm train` shows a plan (`--dry-run`) and what came of a run.
enum TrainPrinter {
    /// `extra`: more members for the JSON (the dataset check).
    static func dryRun(_ plan: TrainPlan, json: Bool, extra: [JSONMember] = []) {
        let launch = plan.launchPlan
        let rendered = plan.rendered
        let nodes: [(rank: Int, changes: [LaunchPlan.EnvChange])] = launch.perNode.isEmpty
            ? [] : launch.perNode.enumerated().map { ($0.offset, $0.element) }
        if json {
            var object = JSONObject()
            object["dry_run"] = .bool(true)
            object["run_id"] = .string(plan.id)
            object["run_dir"] = .string(plan.directory.path)
            object["stage"] = .string(rendered.stage)
            object["output_dir"] = .string(rendered.outputDir)
            object["yaml"] = .string(rendered.yaml)
            object["argv"] = .array(launch.argv.map { .string($0) })
            object["cwd"] = launch.workingDirectory.map { .string($0) } ?? .null
            object["environment"] = .object(JSONObject(launch.changes.map { JSONMember($0.key, $0.value.map { .string($0) } ?? .null) }))
            if let ds = rendered.deepspeedConfig {
                object["deepspeed_config"] = .object(JSONObject(["file": .string(ds.fileName), "json": .string(ds.json)]))
            }
            if !nodes.isEmpty {
                object["nodes"] = .array(nodes.map { node in
                    .object(JSONObject([
                        "node_rank": .int(node.rank),
                        "environment": .object(JSONObject(node.changes.map { JSONMember($0.key, $0.value.map { .string($0) } ?? .null) })),
                        "command": .string(launch.shellLine(changes: node.changes)),
                    ]))
                })
            }
            object["llamafactory_installed"] = .bool(plan.cliInstalled)
            object["notes"] = .array(plan.notes.map { .string($0) })
            object["warnings"] = .array(plan.warnings.map { .string($0) })
            for member in extra { object[member.key] = member.value }
            object["defaults"] = .array(plan.defaults.map { choice in
                .object(JSONObject(["key": .string(choice.key), "value": .string(choice.value.scalarText ?? ""), "reason": .string(choice.reason)]))
            })
            object["total_steps"] = plan.totalSteps.map { .int($0) } ?? .null
            object["target"] = plan.target.map { t in
                .object(JSONObject([
                    "llamafactory": t.llamaFactoryVersion.map { .string($0) } ?? .null, "torch": t.torchVersion.map { .string($0) } ?? .null,
                    "accelerator": .string(t.accelerator), "devices": .int(t.devices.count),
                ]))
            } ?? .null
            object["resume_from"] = plan.resume.map { $0.checkpoint.map { .string($0.path) } ?? .null } ?? .null
            Terminal.json(.object(object))
            return
        }
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

    static func outcome(_ outcome: TrainOutcome, json: Bool) {
        let id = outcome.directory.id
        let record = outcome.record
        if json {
            if let data = try? record.encoded() { Terminal.out(String(decoding: data, as: UTF8.self)) }
            return
        }
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
