import Foundation

/// Validates a whole data file in one streaming pass: every record against the converter rules,
/// plus what only the whole file shows (duplicates, a column that changes type, KTO labels).
public struct FileValidator {
    public var spec: DatasetSpec
    /// Called now and then with (bytes read, file size).
    public var onProgress: ((Int, Int) -> Void)?
    /// How much of the duplicate index stays in memory (``DuplicateIndex``); tests make it tiny.
    var duplicateLimits = DuplicateLimits.standard

    public init(spec: DatasetSpec, onProgress: ((Int, Int) -> Void)? = nil) {
        self.spec = spec
        self.onProgress = onProgress
    }

    /// Reads up to `limit` records for format detection.
    public static func sample(path: String, limit: Int = 200, layoutHint: RecordLayout? = nil) throws -> (records: [JSONValue], layout: RecordLayout) {
        let reader = try RecordReader(path: path, layoutHint: layoutHint)
        var records: [JSONValue] = []
        struct Enough: Error {}
        do {
            try reader.forEach { _, value in
                records.append(value)
                if records.count >= limit { throw Enough() }
            }
        } catch is Enough {}
        return (records, reader.layout)
    }

    /// Validates the file: in two parts on two cores when it is large enough and splits cleanly
    /// (``validateInParts(path:layoutHint:minimumSize:)``), else in one pass. The report is the
    /// same either way.
    public func validate(path: String, layoutHint: RecordLayout? = nil) throws -> ValidationReport {
        try validateInParts(path: path, layoutHint: layoutHint, minimumSize: Self.partsMinimumSize).report
    }

    /// The one-pass validator: records in file order, parsed ahead on a second thread. The
    /// reference that the two-part path must reproduce exactly (`lfm-bench selfcheck` compares them).
    public func validateSequentially(path: String, layoutHint: RecordLayout? = nil) throws -> ValidationReport {
        var report = ValidationReport(path: path)
        let reader = try RecordReader(path: path, layoutHint: layoutHint)
        let validator = RecordValidator(spec: spec)
        let seen = DuplicateIndex(.leading, limits: duplicateLimits)  // perf: compact hash → first record table, bounded
        var fields = RecordFieldTracker(spec: spec)
        var issues: [ValidationIssue] = []
        var lastProgress = 0

        do {
            // perf: parses (and hashes, for duplicates) on a second thread.
            try reader.forEachParsingAhead(preparing: RecordHasher.hash) { location, record, hash in
                issues.removeAll(keepingCapacity: true)
                validator.validate(record, at: location, into: &issues)
                fields.observe(record, at: location, issues: &issues)
                // perf: `hash` is of what the compact printer would print, without printing (RecordHash.swift).
                // Repeated lines in running text (.txt) are normal, not duplicated examples.
                if reader.layout != .text, let first = seen.add(hash: hash, line: location.line) {
                    issues.append(.duplicate(record: location.index, line: location.line, first: first))
                }
                report.records += 1
                var invalid = false
                for issue in issues {
                    if issue.severity == .error { invalid = true }
                    report.add(issue)
                }
                fields.count(record, at: location, invalid: invalid, in: &report)
                if let onProgress, reader.bytesRead - lastProgress > (8 << 20) {
                    lastProgress = reader.bytesRead
                    onProgress(reader.bytesRead, reader.fileSize)
                }
            }
        } catch let error as RecordReadError {
            guard try addSpilledDuplicates(seen, to: &report) else { return try validateInMemory(path: path, layoutHint: layoutHint) }
            report.layout = reader.layout
            report.add(ValidationIssue(.error, "syntax", record: error.recordIndex, line: error.syntax.line, path: nil,
                message: "\(error.syntax.message) (line \(error.syntax.line), column \(error.syntax.column), byte \(error.syntax.offset))",
                hint: "fix the JSON syntax; nothing after this point could be checked"))
            report.bytes = reader.fileSize
            return report
        }
        guard try addSpilledDuplicates(seen, to: &report) else { return try validateInMemory(path: path, layoutHint: layoutHint) }
        report.layout = reader.layout
        report.bytes = reader.fileSize
        onProgress?(reader.fileSize, reader.fileSize)

        RecordFieldTracker.addFileIssues(to: &report, spec: spec, present: fields.present, ktoTrue: fields.ktoTrue, ktoFalse: fields.ktoFalse, coverage: fields.coverage)
        return report
    }

    /// The duplicates a spilled index left for the end, placed in `report` (before any file-level
    /// issue). False when the spill file failed: the caller validates again in memory.
    func addSpilledDuplicates(_ seen: DuplicateIndex, to report: inout ValidationReport) throws -> Bool {
        guard seen.spilled else { return true }
        guard !seen.failed else { return false }
        do {
            let found = try DuplicateIndex.resolve([(seen, 0, 0)], keep: ValidationReport.keepPerCode, memory: duplicateLimits.mergeMemory)
            report.addDuplicates(count: found.count, kept: found.kept)
            return true
        } catch is SpillError {
            return false
        }
    }

    /// One pass with the whole duplicate index in memory: when the spill file failed (`ENOSPC`).
    func validateInMemory(path: String, layoutHint: RecordLayout?) throws -> ValidationReport {
        var copy = self
        copy.duplicateLimits = .unbounded
        return try copy.validateSequentially(path: path, layoutHint: layoutHint)
    }

    /// The Arrow type family pyarrow infers for a value, nil for null.
    static func arrowType(_ value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

// MARK: Performance

/// Remembers the previous record's keys and value types so that the per-field bookkeeping of
/// ``FileValidator/validate(path:layoutHint:)`` (type consistency, present columns, fields of valid
/// records: several hash lookups per field) is skipped when a record repeats them, which is the
/// common case. Skipping is exact: a repeated shape whose fields all matched the recorded types
/// cannot add a type, a present column, or an issue.
struct RecordShapeMemo {
    private var keys: [String] = []
    private var types: [String?] = []
    private var consistent = false
    private var validKeys: [String]?

    func repeatsFieldShape(_ members: [JSONMember]) -> Bool {
        guard consistent, members.count == keys.count else { return false }
        for i in members.indices where members[i].key != keys[i] || FileValidator.arrowType(members[i].value) != types[i] {
            return false
        }
        return true
    }

    mutating func rememberFieldShape(_ members: [JSONMember], consistent: Bool) {
        keys = members.map(\.key)
        types = members.map { FileValidator.arrowType($0.value) }
        self.consistent = consistent
    }

    func repeatsValidKeys(_ members: [JSONMember]) -> Bool {
        guard let validKeys, validKeys.count == members.count else { return false }
        for i in members.indices where members[i].key != validKeys[i] { return false }
        return true
    }

    mutating func rememberValidKeys(_ members: [JSONMember]) {
        validKeys = members.map(\.key)
    }
}
