/// A ``ValidationReport`` as `--json` prints it (docs/json.md, "The validation report"): the
/// `report` of `lfm register` and `lfm validate`, the `validation` of the commands that write a
/// dataset file.
public struct ValidationDocument: Encodable, Sendable, Equatable {
    public var path: String
    /// `json`, `jsonl` or `text`; null when the file could not be read that far.
    public var layout: RecordLayout?
    public var records: Int
    public var validRecords: Int
    public var errors: Int
    public var warnings: Int
    /// Issues per rule code, all of them (`issues` keeps at most 1000 of each), sorted by code.
    public var counts: JSONObject
    public var issues: [ValidationIssue]
    /// Which record fields LLaMA-Factory reads and drops; null when the pass stopped early.
    public var fields: FieldReport?

    public init(_ report: ValidationReport) {
        path = report.path
        layout = report.layout
        records = report.records
        validRecords = report.validRecords
        errors = report.errorCount
        warnings = report.warningCount
        counts = JSONObject(report.counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .int($0.value)) })
        issues = report.issues
        fields = report.coverage
    }
}
