/// How bad a problem is.
public enum Severity: String, Sendable, Codable, Comparable {
    case warning, error

    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// One problem in one record (or in the file as a whole).
public struct ValidationIssue: Sendable, Equatable, Codable {
    public var severity: Severity
    /// A stable identifier of the rule, e.g. `response-not-string`; problems are grouped by it.
    public var code: String
    /// 0-based record index, nil for file-level problems.
    public var record: Int?
    /// 1-based line where the record starts.
    public var line: Int?
    /// JSON path inside the record, e.g. `conversations[2].from`.
    public var path: String?
    public var message: String
    /// How to fix it.
    public var hint: String?

    public init(_ severity: Severity, _ code: String, record: Int? = nil, line: Int? = nil, path: String? = nil, message: String, hint: String? = nil) {
        self.severity = severity
        self.code = code
        self.record = record
        self.line = line
        self.path = path
        self.message = message
        self.hint = hint
    }
}

/// The outcome of validating a whole file.
public struct ValidationReport: Sendable, Codable {
    public var path: String
    public var layout: RecordLayout?
    public var records: Int = 0
    public var validRecords: Int = 0
    /// Issues kept for display (at most `ValidationReport.keepPerCode` of each code).
    public var issues: [ValidationIssue] = []
    /// Total count of issues per code, including those not kept.
    public var counts: [String: Int] = [:]
    public var errorCount: Int = 0
    public var warningCount: Int = 0
    /// Records with at least one error (what `--drop-invalid` removes).
    public var invalidRecords: [Int] = []
    public var bytes: Int = 0
    /// Fields that occur in at least one valid record (what a cleaned copy can map).
    public var fieldsInValidRecords: Set<String> = []
    /// Which fields LLaMA-Factory reads and drops (nil when the pass stopped early).
    public var coverage: FieldReport?

    public static let keepPerCode = 1000

    public init(path: String) { self.path = path }

    public var hasErrors: Bool { errorCount > 0 }

    public mutating func add(_ issue: ValidationIssue) {
        let count = counts[issue.code, default: 0]
        counts[issue.code] = count + 1
        if issue.severity == .error { errorCount += 1 } else { warningCount += 1 }
        if count < Self.keepPerCode { issues.append(issue) }
    }

    /// Issues grouped by code, errors first, each group in record order.
    public var groups: [(code: String, severity: Severity, total: Int, issues: [ValidationIssue])] {
        var order: [String] = []
        var byCode: [String: [ValidationIssue]] = [:]
        for issue in issues {
            if byCode[issue.code] == nil { order.append(issue.code) }
            byCode[issue.code, default: []].append(issue)
        }
        return order.map { code in
            let list = byCode[code]!
            return (code, list[0].severity, counts[code] ?? list.count, list)
        }
        .sorted { $0.severity > $1.severity }
    }
}

/// The fields of a file as LLaMA-Factory reads them (``FieldCoverage``), for reports and `--json`.
public struct FieldReport: Sendable, Codable, Equatable {
    /// Fields read in at least one record.
    public var read: [String]
    /// Fields (or `MESSAGES[].KEY`) dropped in at least one record.
    public var dropped: [String]
    /// Dropped fields the user accepted (`--allow-unmapped`, `lfm_allow_unmapped`).
    public var allowed: [String]

    public init(_ coverage: FieldCoverage) {
        read = coverage.readFields
        dropped = coverage.droppedFields
        allowed = coverage.spec.allowUnmapped.sorted()
    }
}
