import LFMCore

/// `lfm dedupe --json` (docs/json.md): what `Deduper` found and, with --out, wrote.
public struct DedupeDocument: Encodable, Sendable {
    /// Records removed per kind of duplicate.
    public struct Removed: Encodable, Sendable, Equatable {
        public var exact: Int
        public var normalized: Int
        public var near: Int
    }

    /// A removed record and the kept one it duplicates.
    public struct Example: Encodable, Sendable, Equatable {
        /// 0-based index of the removed record.
        public var record: Int
        public var duplicateOf: Int
        public var kind: String
        /// Estimated Jaccard similarity (3 decimals; 1 for exact and normalized duplicates).
        public var similarity: Double
        public var text: String
        public var keptText: String
    }

    public var records: Int
    public var kept: Int
    public var removed: Removed
    /// 0-based, ascending.
    public var removedIndexes: [Int]
    public var examples: [Example]
    /// Records written with --out (or that would be, with --dry-run); null without --out.
    public var written: Int?
    /// The written file passes validation; null for a dry run with --out (nothing to check).
    public var valid: Bool?
    public var dryRun: Bool

    public init(_ report: Deduper.Report, wroteOutput: Bool, dryRun: Bool) {
        records = report.records
        kept = report.kept
        removed = Removed(exact: report.removed[.exact] ?? 0, normalized: report.removed[.normalized] ?? 0,
                          near: report.removed[.near] ?? 0)
        removedIndexes = report.removedIndexes.sorted()
        examples = report.examples.map {
            Example(record: $0.index, duplicateOf: $0.duplicateOf, kind: $0.kind.rawValue,
                    similarity: StatsDocument.rounded($0.similarity, places: 3), text: $0.text, keptText: $0.keptText)
        }
        written = report.written
        valid = dryRun && wroteOutput ? nil : report.validation.map { !$0.hasErrors } ?? true
        self.dryRun = dryRun
    }
}
