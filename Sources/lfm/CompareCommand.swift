import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs: their data (name + SHA-256), differing hyper-parameters, final loss and eval scores.",
        discussion: """
        Runs are the columns (A, B, ...; the ids are listed above the table). Only the \
        train.yaml keys whose values differ are shown. Eval scores come from the latest \
        `lfm eval` of each run; runs evaluated on different data (or not at all) are flagged.

        Examples:
          lfm compare sft-qwen sft-llama
          lfm compare 20261124-211500 20261125-093000 --json
        """)

    @Argument(help: ArgumentHelp("Two or more runs (id, unique prefix, or `last`).", valueName: "run")) var runRefs: [String]
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if runRefs.count < 2 { throw ValidationError("give at least two runs to compare (see lfm runs)") }
    }

    func run() throws {
        let store = RunStore(workspace: try workspaceOptions.workspace())
        let comparison = RunComparison(runs: try runRefs.map { try store.info($0) })
        let keys = comparison.differingKeys
        if output.json { return try Terminal.json(CompareReport(comparison)) }

        let labels = comparison.entries.indices.map { String(UnicodeScalar(UInt8(65 + $0 % 26))) + ($0 >= 26 ? "\($0 / 26)" : "") }
        for (label, e) in zip(labels, comparison.entries) { Terminal.out("\(label)  \(e.id)  (\(e.status))") }
        Terminal.out("")
        func row(_ name: String, _ cell: (RunComparison.Entry) -> String) -> [String] { [name] + comparison.entries.map(cell) }
        var rows: [[String]] = []
        rows.append(row("model") { RunsFormat.shortModel($0.model) })
        rows.append(row("stage/method") { "\($0.stage)/\($0.method)" })
        rows.append(row("datasets") { Self.datasets($0.datasets) })
        for key in keys where !["model_name_or_path", "dataset", "stage", "finetuning_type"].contains(key) {
            rows.append(row(key) { $0.settings[key] ?? "-" })
        }
        rows.append(row("final loss") { $0.finalLoss.map { String(format: "%.4f", $0) } ?? "-" })
        if comparison.entries.contains(where: { $0.evalLoss != nil }) {
            rows.append(row("eval loss") { $0.evalLoss.map { String(format: "%.4f", $0) } ?? "-" })
        }
        rows.append(row("eval data") { $0.eval.map { Self.datasets($0.datasets) } ?? "-" })
        rows.append(row("questions") { $0.eval.map { "\($0.adapter.samples)" } ?? "-" })
        for (label, path) in [("BLEU-4", \EvalMetrics.bleu4), ("ROUGE-L", \EvalMetrics.rougeL)] {
            rows.append(row(label) { e in
                guard let eval = e.eval, let v = eval.adapter.metrics[keyPath: path] else { return "-" }
                return String(format: "%.2f", v) + (eval.delta?[keyPath: path].map { " (\(EvalRecord.signed($0)))" } ?? "")
            })
        }
        Terminal.out(Terminal.table([""] + labels, rows.map { $0.map { Self.clip($0) } }))
        Terminal.err("  BLEU-4/ROUGE-L: adapter score (change from the base model)")
        for note in comparison.notes { Terminal.note(note) }
    }

    static func datasets(_ list: [RunRecord.DatasetChecksum]) -> String {
        list.map { d in d.name + (d.sha256.map { " \($0.prefix(8))" } ?? "") }.joined(separator: ",")
    }

    static func clip(_ text: String, width: Int = 28) -> String {
        text.count > width ? String(text.prefix(width - 1)) + "…" : text
    }
}
