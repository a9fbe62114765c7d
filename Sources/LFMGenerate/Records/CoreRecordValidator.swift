import LFMCore

/// Checks every generated record with LFMCore's ``RecordValidator``, the rules `lfm register`
/// applies (LLaMA-Factory's converters and processors), so what `generate` writes registers and
/// trains without surprises. A record is dropped for an error, and for the warnings that make a
/// generated example worthless although LLaMA-Factory would accept it (an empty answer or turn,
/// identical chosen and rejected answers).
public struct CoreRecordValidator: RecordValidating {
    /// Warning codes that drop a generated record.
    public static let rejectedWarnings: Set<String> = ["empty-response", "empty-message", "empty-text", "same-answers"]

    public init() {}

    public func problems(in record: JSONValue, format: GenerateFormat) -> [String] {
        var issues: [ValidationIssue] = []
        RecordValidator(spec: Self.spec(for: format)).validate(record, at: RecordLocation(record: 0), into: &issues)
        return issues.filter { $0.severity == .error || Self.rejectedWarnings.contains($0.code) }
            .map { issue in issue.path.map { "\($0): \(issue.message)" } ?? issue.message }
    }

    /// The dataset spec `lfm register` would write for records of `format`.
    public static func spec(for format: GenerateFormat) -> DatasetSpec {
        let family: DataFormat.Family
        switch format.style {
        case .alpaca: family = .alpaca
        case .sharegpt: family = .sharegpt
        case .openai: family = .openai
        }
        var spec = DatasetSpec.defaults(family: family, kind: format.preference ? .preference : .sft)
        spec.columns.system = "system"
        return spec
    }
}
