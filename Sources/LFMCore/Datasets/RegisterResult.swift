/// `lfm register --json` (docs/json.md): what was registered, or would be in a dry run.
public struct RegisterResult: Encodable, Sendable {
    /// False in a dry run.
    public var registered: Bool
    public var dryRun: Bool
    public var name: String
    public var fileName: String
    public var destination: String
    public var placement: Registrar.Placement
    public var replaced: Bool
    /// Null for files lfm cannot read (csv, parquet, arrow, folders) registered without --format.
    public var format: String?
    public var checked: Bool
    /// Records in the registered file (after --drop-invalid); null when not checked.
    public var records: Int?
    public var dropped: Int
    public var entry: JSONObject
    public var notes: [String]
    public var report: ValidationDocument?

    public init(_ outcome: Registrar.Outcome) {
        registered = !outcome.dryRun
        dryRun = outcome.dryRun
        name = outcome.name
        fileName = outcome.fileName
        destination = outcome.destination
        placement = outcome.placement
        replaced = outcome.replaced
        format = outcome.format?.description
        checked = outcome.checked
        records = outcome.report.map { $0.records - outcome.dropped }
        dropped = outcome.dropped
        entry = outcome.entry
        notes = outcome.notes
        report = outcome.report.map(ValidationDocument.init)
    }
}

/// `lfm register --json` when the file has errors: nothing was registered, the report says why.
public struct RegisterRefusal: Encodable, Sendable {
    public var registered = false
    public var report: ValidationDocument

    public init(_ report: ValidationReport) { self.report = ValidationDocument(report) }
}
