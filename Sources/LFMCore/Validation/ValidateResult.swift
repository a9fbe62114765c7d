import Foundation

/// `lfm validate`: a data file or a registered entry checked without changing anything, and its
/// `--json` document (docs/json.md).
public struct ValidateResult: Encodable, Sendable {
    /// No error (warnings allowed).
    public var valid: Bool
    /// "alpaca sft", "sharegpt preference"...; null when the records could not be read.
    public var format: String?
    /// The entry as `lfm register` would write it (a file) or as it is (a name); null when the
    /// records could not be read.
    public var entry: JSONObject?
    public var report: ValidationDocument
    /// False for hub and cloud datasets, whose records lfm does not read.
    public var checked: Bool

    /// The report itself (the document has its `--json` form).
    public let validation: ValidationReport
    /// Why the records were not read (a hub or cloud dataset), when they were not.
    public let unchecked: String?

    enum CodingKeys: String, CodingKey { case valid, format, entry, report, checked }

    public init(_ report: ValidationReport, format: String?, entry: JSONObject?, unchecked: String? = nil) {
        valid = !report.hasErrors
        self.format = format
        self.entry = entry
        self.report = ValidationDocument(report)
        checked = unchecked == nil
        validation = report
        self.unchecked = unchecked
    }
}

extension DatasetCheck {
    /// `lfm validate FILE`: the same check as `lfm register`; a file whose first records cannot
    /// be parsed gives the same syntax report as register's, not an error.
    public func validateFile(path: String) throws -> ValidateResult {
        do {
            let result = try run(path: path)
            let fileName = (path as NSString).lastPathComponent
            return ValidateResult(result.report, format: result.detection.format.description,
                                  entry: DatasetEntry.makeObject(fileName: fileName, spec: result.detection.spec))
        } catch DatasetCheckError.invalid(let report) {
            return ValidateResult(report, format: nil, entry: nil)
        }
    }

    /// `lfm validate NAME`: the entry `name` of `workspace`'s registry, with the record fields
    /// in `allowUnmapped` accepted as dropped (on top of the entry's own list).
    public static func validateRegistered(_ name: String, in workspace: Workspace, allowUnmapped: Set<String> = []) throws -> ValidateResult {
        let document = try workspace.registry.read()
        guard var entry = document.entry(named: name) else {
            throw RegistryError.notFound(name: name, path: workspace.registry.path, suggestion: Suggestion.closest(to: name, in: document.names))
        }
        entry.spec.allowUnmapped.formUnion(allowUnmapped)
        return try validateEntry(entry, registry: workspace.registry)
    }

    /// The registered entry as LLaMA-Factory reads it, against its file.
    public static func validateEntry(_ entry: DatasetEntry, registry: Registry) throws -> ValidateResult {
        let (report, path) = try EntryValidator(registry: registry).validate(entry)
        return ValidateResult(report, format: "\(entry.spec.formatting.rawValue) \(entry.kind.rawValue)", entry: entry.object,
                              unchecked: path == nil ? "\(entry.source.label): lfm checks only local files" : nil)
    }
}
