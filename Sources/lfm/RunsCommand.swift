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
        let store = RunStore(workspace: try workspaceOptions.workspace())
        let runs = RunStore.grouped(await store.liveAll(scheduler: SlurmClient()))
        if output.json {
            return try Terminal.json(runs.map(RunSummary.init))
        }
        if runs.isEmpty {
            Terminal.err("No runs yet. Start one with: lfm train --model MODEL --dataset NAME")
            return
        }
        let rows = runs.map { info -> [String] in
            [info.record.id, info.record.cluster?.isWorker == true
                ? "↳ node \(info.record.cluster?.nodeRank ?? 0)/\(info.record.cluster?.nnodes ?? 0)" : RunsFormat.shortModel(info.record.model),
             info.record.datasets.map(\.name).joined(separator: ","),
             info.record.stage,
             // A worker node's run sits under its job's node 0 (MODEL says which node, when shown).
             (info.record.cluster?.isWorker == true ? "↳ " : "") + RunsFormat.paintStatus(info.status),
             info.progress.total > 0 ? "\(info.progress.step)/\(info.progress.total)" : "-",
             info.progress.lastLoss.map { String(format: "%.4f", $0) } ?? "-",
             info.duration.map(RunsFormat.duration) ?? "-", RunsFormat.evalCell(info.record.eval)]
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

/// Text helpers shared by runs/status/logs/plot/export/chat.
enum RunsFormat {
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

    /// `ROUGE-L` column of `lfm runs`: the adapter's score and its change from base.
    static func evalCell(_ eval: EvalRecord?) -> String {
        guard let eval, let rougeL = eval.adapter.metrics.rougeL else { return "-" }
        return String(format: "%.1f", rougeL) + (eval.delta?.rougeL.map { " (\(String(format: "%+.1f", $0)))" } ?? "")
    }

    /// A model name Ollama accepts: lower case letters, digits, `-`, `_`, `.`.
    static func ollamaName(_ id: String) -> String {
        String(id.lowercased().map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" })
    }
}
