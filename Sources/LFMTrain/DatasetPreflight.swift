import Foundation
import LFMCore
import LFMTools

/// What `lfm train` checks about its datasets before launch (and shows in `--dry-run`): every
/// record and field as LLaMA-Factory will read it (``EntryValidator``, with field coverage), how
/// many records the run really trains on (`max_samples`, `val_size`), and how many examples are
/// longer than `cutoff_len` (``TruncationReport``).
public struct DatasetPreflight: Sendable, Encodable {
    public struct Dataset: Sendable, Encodable {
        public var name: String
        public var path: String?
        /// Records in the file (nil when lfm cannot read it: hub, csv/parquet, folders).
        public var records: Int?
        /// Records LLaMA-Factory takes from it: `min(max_samples, records)`.
        public var used: Int?
        public var errors: [String] = []
        public var warnings: [String] = []
        public var truncation: TruncationReport?
    }

    public var datasets: [Dataset] = []
    /// What the run trains on, in words ("trains on 1000 of 5000 records of big5k").
    public var statements: [String] = []
    /// Examples held out by `val_size` from the merged datasets, and the merged count.
    public var heldOut: Int?
    public var merged: Int?
    /// A `cutoff_len` chosen by `--cutoff-len auto`.
    public var autoCutoff: Int?
    /// The token counting used for the truncation report.
    public var tokenMethod: String?

    public var errors: [String] { datasets.flatMap { d in d.errors.map { "\(d.name): \($0)" } } }
    public var warnings: [String] { datasets.flatMap { d in d.warnings.map { "\(d.name): \($0)" } } }
    public var hasErrors: Bool { datasets.contains { !$0.errors.isEmpty } }

    enum CodingKeys: String, CodingKey {
        case datasets, statements, heldOut = "held_out", merged, autoCutoff = "auto_cutoff_len", tokenMethod = "token_method"
    }

    /// Datasets with more records are measured on a random sample of this many.
    public static let tokenSampleSize = 20_000

    public struct Options {
        public var stage: String
        public var maxSamples: Int?
        /// `val_size` as LLaMA-Factory reads it: a fraction below 1, else a count.
        public var valSize: Double?
        public var cutoffLen: Int?
        /// Pick `cutoff_len` from the token lengths (`--cutoff-len auto`).
        public var autoCutoff = false
        /// The model's `max_position_embeddings`, when known: caps the automatic cutoff.
        public var maxPositions: Int?
        /// Count tokens at all (the truncation report); off for hub/remote-only runs.
        public var truncation = true

        public init(stage: String) { self.stage = stage }
    }

    /// Checks `names` in `workspace`. `counter` counts tokens (the model's tokenizer, or the
    /// estimate); it is asked for once, only when a dataset can be read.
    public static func check(_ names: [String], workspace: Workspace, options: Options,
                             counter: () -> TokenCounter) throws -> DatasetPreflight {
        var result = DatasetPreflight()
        let document = try workspace.registry.read()
        var tokens: TokenCounter?
        var measured: [Int: StatsCollector.Report] = [:]
        var sampled: [Int: Int] = [:]
        for name in names {
            var dataset = Dataset(name: name)
            guard let entry = document.entry(named: name) else {
                dataset.errors.append("not registered in \(workspace.registry.path)")
                result.datasets.append(dataset)
                continue
            }
            let (report, path) = try EntryValidator(registry: workspace.registry).validate(entry)
            dataset.path = path
            if path != nil, report.layout != nil || report.records > 0 { dataset.records = report.records }
            for group in report.groups {
                let line = "\(group.total)× [\(group.code)] \(group.issues[0].message)" + (group.issues[0].hint.map { " (fix: \($0))" } ?? "")
                if group.severity == .error { dataset.errors.append(line) } else if group.code.hasPrefix("field-") { dataset.warnings.append(line) }
            }
            if let records = dataset.records {
                dataset.used = options.maxSamples.map { min($0, records) } ?? records
                if let used = dataset.used, used < records {
                    result.statements.append("trains on \(used) of \(records) records of \(name) (max_samples: \(options.maxSamples!))")
                }
            }
            if options.truncation, dataset.errors.isEmpty, dataset.records ?? 0 > 0,
               let input = try? DatasetInput.registered(name, in: workspace) {
                if tokens == nil { tokens = counter() }
                var measuredInput = input
                var sample: String?
                defer {
                    if let sample {
                        try? FileManager.default.removeItem(atPath: sample)
                        rmdir(workspace.stateDir + "/tmp")  // only when empty
                    }
                }
                if let records = dataset.records, records > Self.tokenSampleSize {
                    // perf: a large dataset is measured on a seeded random sample (a tokenizer in
                    // Python would otherwise take minutes before every launch).
                    let picked = try Sampler(count: Self.tokenSampleSize, seed: 42).sample(input)
                    let path = workspace.stateDir + "/tmp/preflight-\(getpid())-\(result.datasets.count).jsonl"
                    try FileManager.default.createDirectory(atPath: workspace.stateDir + "/tmp", withIntermediateDirectories: true)
                    sample = path
                    try Sampler(count: Self.tokenSampleSize).write(picked.records, to: path, force: true, protecting: [input.path])
                    measuredInput.path = path
                    measuredInput.layoutHint = nil
                    sampled[result.datasets.count] = picked.records.count
                }
                let stats = try StatsCollector(counter: tokens!).collect(measuredInput, cutoffLen: options.cutoffLen)
                measured[result.datasets.count] = stats
                result.tokenMethod = stats.tokenMethod
            }
            result.datasets.append(dataset)
        }
        var cutoff = options.cutoffLen ?? 0
        if options.autoCutoff {
            let needed = measured.values.map(\.suggestedCutoff).max() ?? 1024
            cutoff = options.maxPositions.map { min(needed, $0) } ?? needed
            result.autoCutoff = cutoff
        }
        for (i, stats) in measured {
            result.datasets[i].truncation = TruncationReport(stats: stats, stage: options.stage, cutoffLen: cutoff, used: result.datasets[i].used)
            result.datasets[i].truncation?.sampled = sampled[i]
        }
        let used = result.datasets.map { $0.used }
        if let valSize = options.valSize, valSize > 0, !used.contains(where: { $0 == nil }) {
            let total = used.reduce(0) { $0 + $1! }
            // datasets' train_test_split: ceil(fraction × n) for a fraction, else the count.
            let held = valSize < 1 ? Int((valSize * Double(total)).rounded(.up)) : Int(valSize)
            result.merged = total
            result.heldOut = held
            result.statements.append("holds out \(held) of \(total) records for evaluation (val_size: \(valSize < 1 ? String(valSize) : String(Int(valSize)))); trains on \(max(0, total - held))")
        }
        return result
    }

    /// A local model directory's `max_position_embeddings` (config.json), nil when unknown.
    public static func maxPositions(modelDirectory: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: modelDirectory + "/config.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        if let n = object["max_position_embeddings"] as? Int { return n }
        if let text = object["text_config"] as? [String: Any], let n = text["max_position_embeddings"] as? Int { return n }
        return nil
    }
}
