import LFMCore

/// Runs every generated record through the same rules `lfm register` applies (LLaMA-Factory's
/// converters and processors), on top of the built-in shape checks, so what `generate` writes
/// registers and trains without surprises.
public struct CoreRecordValidator: RecordValidating {
    private let builtin = BuiltinRecordValidator()

    public init() {}

    public func problems(in record: JSONValue, format: GenerateFormat) -> [String] {
        var problems = builtin.problems(in: record, format: format)
        var issues: [ValidationIssue] = []
        RecordValidator(spec: Self.spec(for: format))
            .validate(record, at: RecordLocation(record: 0), into: &issues)
        for issue in issues where issue.severity == .error && !problems.contains(issue.message) {
            problems.append(issue.message)
        }
        return problems
    }

    /// The dataset spec `lfm register` would write for records of `format`.
    public static func spec(for format: GenerateFormat) -> DatasetSpec {
        var columns = ColumnMap()
        var spec = DatasetSpec()
        switch format.style {
        case .alpaca:
            columns.prompt = "instruction"
            columns.query = "input"
            if format.preference {
                columns.chosen = "chosen"
                columns.rejected = "rejected"
            } else {
                columns.response = "output"
            }
        case .sharegpt, .openai:
            spec.formatting = .sharegpt
            columns.messages = format.style == .openai ? "messages" : "conversations"
            spec.tags = format.style == .openai ? .openAI : .sharegpt
            if format.preference {
                columns.chosen = "chosen"
                columns.rejected = "rejected"
            }
        }
        columns.system = "system"
        spec.columns = columns
        spec.ranking = format.preference
        return spec
    }
}
