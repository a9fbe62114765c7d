import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List training runs (newest last).",
        discussion: """
        Each run lives in .lfm/runs/<id>/ (train.yaml, run.json, train.log). Any command that takes \
        RUN accepts the id, a unique prefix or part of it, or `last`.
        """)

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var tableOptions: TableOptions

    func run() async throws {
        let store: RunStore
        do { store = RunStore(stateDir: try workspaceOptions.workspace().stateDir) } catch { throw fail(error) }
        let runs = RunsJSON.grouped(await store.liveAll(scheduler: SlurmClient()))
        if output.json {
            Terminal.json(.array(runs.map(RunsJSON.summary)))
            return
        }
        if runs.isEmpty {
            Terminal.err("No runs yet. Start one with: lfm train --model MODEL --dataset NAME")
            return
        }
        let rows = runs.map { info -> [String] in
            [info.record.id, info.record.cluster?.isWorker == true
                ? "↳ node \(info.record.cluster?.nodeRank ?? 0)/\(info.record.cluster?.nnodes ?? 0)" : RunsJSON.shortModel(info.record.model),
             info.record.datasets.map(\.name).joined(separator: ","),
             info.record.stage,
             // A worker node's run sits under its job's node 0 (MODEL says which node, when shown).
             (info.record.cluster?.isWorker == true ? "↳ " : "") + RunsJSON.paintStatus(info.status),
             info.progress.total > 0 ? "\(info.progress.step)/\(info.progress.total)" : "-",
             info.progress.lastLoss.map { String(format: "%.4f", $0) } ?? "-",
             info.duration.map(RunsJSON.duration) ?? "-", RunsJSON.evalCell(info.record.eval)]
        }
        var columns: [TextTable.Column] = [
            .init("ID", elide: .middle, minWidth: 32), .init("MODEL", dropRank: 1, elide: .middle, minWidth: 12),
            .init("DATASETS", elide: .end, minWidth: 16), .init("STAGE", dropRank: 0), .init("STATUS"),
            .init("STEPS", rightAligned: true, dropRank: 3), .init("LOSS", rightAligned: true),
            .init("DURATION", rightAligned: true, dropRank: 2), .init("ROUGE-L", rightAligned: true, dropRank: 4),
        ]
        // ROUGE-L only once some run has been evaluated (`lfm eval`): an all-dash column would push out STEPS.
        var shown = rows
        if !runs.contains(where: { $0.record.eval != nil }) {
            columns.removeLast()
            shown = rows.map { Array($0.dropLast()) }
        }
        Terminal.out(TextTable(columns, shown).fitted(tableOptions))
    }
}

/// Helpers shared by runs/status/logs/plot/export/chat.
enum RunsJSON {
    static func shortModel(_ model: String) -> String {
        let last = (model as NSString).lastPathComponent
        return last.isEmpty ? model : last
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m"
    }

    static func paintStatus(_ status: RunRecord.Status) -> String {
        switch status {
        case .finished: return Terminal.paint(status.rawValue, .green)
        case .running, .pending: return Terminal.paint(status.rawValue, .cyan)
        case .failed, .killed: return Terminal.paint(status.rawValue, .red)
        case .interrupted, .cancelled: return Terminal.paint(status.rawValue, .yellow)
        }
    }

    static func summary(_ info: RunInfo) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(info.record.id)
        o["status"] = .string(info.status.rawValue)
        o["model"] = .string(info.record.model)
        o["template"] = info.record.template.map { .string($0) } ?? .null
        o["datasets"] = .array(info.record.datasets.map { .string($0.name) })
        o["stage"] = .string(info.record.stage)
        o["method"] = .string(info.record.method)
        o["step"] = .int(info.progress.step)
        o["total_steps"] = .int(info.progress.total)
        o["last_loss"] = info.progress.lastLoss.map { .number(String($0)) } ?? .null
        o["exit_code"] = info.record.exitCode.map { .int(Int($0)) } ?? .null
        o["start_time"] = .string(info.record.startTime)
        o["end_time"] = info.record.endTime.map { .string($0) } ?? .null
        o["duration_s"] = info.duration.map { .number(String(format: "%.1f", $0)) } ?? .null
        o["output_dir"] = .string(info.record.outputDir)
        o["adapter"] = info.adapterPath.map { .string($0) } ?? .null
        o["run_dir"] = .string(info.directory.path)
        o["detached"] = .bool(info.record.detached)
        if let c = info.record.cluster {
            var cluster = JSONObject()
            cluster["job"] = c.job.map { .string($0) } ?? .null
            cluster["node_rank"] = c.nodeRank.map { .int($0) } ?? .null
            cluster["nnodes"] = .int(c.nnodes)
            cluster["nproc_per_node"] = .int(c.nprocPerNode)
            cluster["role"] = .string(c.isWorker ? "worker" : "primary")
            if let job = c.slurm {
                cluster["slurm_job_id"] = .string(job.jobID)
                cluster["slurm_state"] = job.state.map { .string($0) } ?? .null
                cluster["slurm_reason"] = job.reason.map { .string($0) } ?? .null
                cluster["script"] = .string(job.script)
                cluster["script_sha256"] = .string(job.scriptSHA256)
            }
            o["cluster"] = .object(cluster)
        } else {
            o["cluster"] = .null
        }
        o["eval"] = evalSummary(info.record.eval)
        return .object(o)
    }

    /// Runs in time order, except that the runs of one multi-node job follow its first run,
    /// by node rank.
    static func grouped(_ runs: [RunInfo]) -> [RunInfo] {
        var result: [RunInfo] = []
        var placed = Set<String>()
        for run in runs where !placed.contains(run.record.id) {
            guard let job = run.record.cluster?.job, run.record.cluster?.slurm == nil else {
                result.append(run)
                placed.insert(run.record.id)
                continue
            }
            let members = runs.filter { $0.record.cluster?.job == job && $0.record.cluster?.slurm == nil }
                .sorted { ($0.record.cluster?.nodeRank ?? 0, $0.record.id) < ($1.record.cluster?.nodeRank ?? 0, $1.record.id) }
            for member in members where !placed.contains(member.record.id) {
                result.append(member)
                placed.insert(member.record.id)
            }
        }
        return result
    }

    /// `ROUGE-L` column of `lfm runs`: the adapter's score and its change from base.
    static func evalCell(_ eval: EvalRecord?) -> String {
        guard let eval, let rougeL = eval.adapter.metrics.rougeL else { return "-" }
        return String(format: "%.1f", rougeL) + (eval.delta?.rougeL.map { " (\(String(format: "%+.1f", $0)))" } ?? "")
    }

    /// The run's latest eval for `--json`: dataset, adapter and base metrics, delta, report.
    static func evalSummary(_ eval: EvalRecord?) -> JSONValue {
        guard let eval else { return .null }
        func metrics(_ m: EvalMetrics?) -> JSONValue {
            guard let m else { return .null }
            return .object(JSONObject(m.rows.map { JSONMember($0.key, $0.value.map { .number(String($0)) } ?? .null) }))
        }
        return .object(JSONObject([
            "datasets": .array(eval.datasets.map { d in
                .object(JSONObject(["name": .string(d.name), "sha256": d.sha256.map { .string($0) } ?? .null]))
            }),
            "samples": .int(eval.adapter.samples),
            "adapter": metrics(eval.adapter.metrics), "base": metrics(eval.base?.metrics), "delta": metrics(eval.delta),
            "report": eval.reportMarkdown.map { .string($0) } ?? .null, "time": .string(eval.time),
        ]))
    }

    /// A model name Ollama accepts: lower case letters, digits, `-`, `_`, `.`.
    static func ollamaName(_ id: String) -> String {
        String(id.lowercased().map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" })
    }

    static func store(_ options: WorkspaceOptions) throws -> RunStore {
        RunStore(stateDir: try options.workspace().stateDir)
    }
}
