import Foundation
import LFMCore
import YAML

/// `lfm compare`: what differs between runs (data, hyper-parameters) and how they ended (final
/// loss, eval scores).
public struct RunComparison: Sendable {
    public struct Entry: Sendable {
        public var id: String
        public var model: String
        public var stage: String
        public var method: String
        public var status: String
        public var datasets: [RunRecord.DatasetChecksum]
        public var finalLoss: Double?
        public var evalLoss: Double?
        public var eval: EvalRecord?
        /// train.yaml, flattened to `key: text` (nested values as compact text).
        public var settings: [String: String]
    }

    /// Keys that differ between any two runs by nature (paths of the run itself).
    public static let ignoredKeys: Set<String> = ["output_dir", "logging_dir", "run_name", "deepspeed", "resume_from_checkpoint"]

    public var entries: [Entry]

    public init(runs: [RunInfo]) {
        entries = runs.map { info in
            var settings: [String: String] = [:]
            if let text = try? String(contentsOfFile: info.record.config, encoding: .utf8),
               let mapping = (try? YAMLParser.parse(text))?.mapping {
                for (key, value) in mapping.entries where !Self.ignoredKeys.contains(key) {
                    settings[key] = value.scalarText ?? ((try? YAMLEmitter.emit(value))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?")
                }
            }
            return Entry(id: info.record.id, model: info.record.model, stage: info.record.stage, method: info.record.method,
                         status: info.status.rawValue, datasets: info.record.datasets, finalLoss: info.progress.lastLoss,
                         evalLoss: info.progress.lastEvalLoss, eval: info.record.eval, settings: settings)
        }
    }

    /// train.yaml keys whose values are not the same in every run (a missing key counts as a value).
    public var differingKeys: [String] {
        let keys = Set(entries.flatMap { $0.settings.keys })
        return keys.filter { key in Set(entries.map { $0.settings[key] ?? "(unset)" }).count > 1 }.sorted()
    }

    /// Warnings about comparisons that do not compare like with like.
    public var notes: [String] {
        var notes: [String] = []
        let evaluated = entries.filter { $0.eval != nil }
        let evalData = Set(evaluated.map { e in
            e.eval!.datasets.map { "\($0.name):\($0.sha256 ?? "-")" }.joined(separator: ",") + "/\(e.eval!.adapter.samples)"
        })
        if evalData.count > 1 {
            notes.append("the runs were evaluated on different data (name, SHA-256 or number of questions): their scores are not comparable")
        }
        if !evaluated.isEmpty && evaluated.count < entries.count {
            let missing = entries.filter { $0.eval == nil }.map(\.id)
            notes.append("not evaluated yet: \(missing.joined(separator: ", ")) (lfm eval RUN)")
        }
        let trainData = Set(entries.map { $0.datasets.map { "\($0.name):\($0.sha256 ?? "-")" }.joined(separator: ",") })
        if trainData.count > 1 { notes.append("the runs trained on different data") }
        return notes
    }
}
