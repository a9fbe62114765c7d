/// The whole-file field bookkeeping both validation paths share (one pass, and each half of the
/// two-part path): which mapped columns occur, each field's first JSON type and the record that
/// had it ("type-changes" when a later record differs), and the KTO label counts.
struct RecordFieldTracker {
    let spec: DatasetSpec
    private let mapped: Set<String>
    var fieldTypes: [String: (type: String, record: Int)] = [:]
    var present: Set<String> = []
    var ktoTrue = 0
    var ktoFalse = 0
    /// Which fields LLaMA-Factory reads and which it drops (every record, not memoized).
    var coverage: FieldCoverage
    /// perf: a record with the previous record's keys and types changes nothing here.
    var shapes = RecordShapeMemo()

    init(spec: DatasetSpec) {
        self.spec = spec
        mapped = Set(spec.relevantColumns.map(\.field))
        coverage = FieldCoverage(spec: spec)
    }

    /// Records `record`'s fields; appends a "type-changes" issue for each field whose type differs
    /// from its first one (unless the record already has an error on that field). Returns the
    /// types of the issues it added, in order.
    @discardableResult
    mutating func observe(_ record: JSONValue, at location: RecordLocation, issues: inout [ValidationIssue]) -> [String] {
        guard let object = record.objectValue else { return [] }
        var typeChanges: [String] = []
        coverage.observe(object)
        if !shapes.repeatsFieldShape(object.members) {
            var consistent = true
            for member in object.members {
                if mapped.contains(member.key) { present.insert(member.key) }
                guard let type = FileValidator.arrowType(member.value) else { continue }
                if let first = fieldTypes[member.key] {
                    if first.type != type { consistent = false }
                    if first.type != type, !issues.contains(where: { $0.severity == .error && $0.path == member.key }) {
                        issues.append(ValidationIssue(.error, "type-changes", record: location.index, line: location.line, path: member.key,
                            message: "\"\(member.key)\" is \(type) here but \(first.type) in record \(first.record)",
                            hint: "LLaMA-Factory's loader (pyarrow) needs one type per field across the file"))
                        typeChanges.append(type)
                    }
                } else {
                    fieldTypes[member.key] = (type, location.index)
                }
            }
            shapes.rememberFieldShape(object.members, consistent: consistent)
        }
        if let tag = spec.columns.ktoTag, spec.kind == .kto, let value = object[tag]?.boolValue {
            if value { ktoTrue += 1 } else { ktoFalse += 1 }
        }
        return typeChanges
    }

    /// Counts `record` as valid or invalid in `report`; a valid record's fields join
    /// `fieldsInValidRecords` (what a cleaned copy can map).
    mutating func count(_ record: JSONValue, at location: RecordLocation, invalid: Bool, in report: inout ValidationReport) {
        if invalid {
            report.invalidRecords.append(location.index)
            return
        }
        report.validRecords += 1
        if let object = record.objectValue, !shapes.repeatsValidKeys(object.members) {
            for key in object.keys where !report.fieldsInValidRecords.contains(key) { report.fieldsInValidRecords.insert(key) }
            shapes.rememberValidKeys(object.members)
        }
    }

    /// What only the whole file shows, added at the end of a pass: no records, a mapped column no
    /// record has, KTO data with one label only.
    static func addFileIssues(to report: inout ValidationReport, spec: DatasetSpec, present: Set<String>, ktoTrue: Int, ktoFalse: Int, coverage: FieldCoverage) {
        report.coverage = FieldReport(coverage)
        if report.records == 0 {
            report.add(ValidationIssue(.error, "no-records", message: "the file holds no records", hint: "LLaMA-Factory would fail with \"Cannot find valid samples\""))
        }
        for (role, field) in spec.relevantColumns where !present.contains(field) && report.records > 0 {
            report.add(ValidationIssue(.error, "column-absent", path: field,
                message: "columns.\(role) maps \"\(field)\" but no record has it",
                hint: "LLaMA-Factory raises KeyError: '\(field)'; remove the mapping or add the field"))
        }
        if spec.kind == .kto, report.records > 0, ktoTrue == 0 || ktoFalse == 0 {
            report.add(ValidationIssue(.error, "kto-one-label", path: spec.columns.ktoTag,
                message: "every record is labelled \(ktoTrue > 0 ? "true" : "false") (\(ktoTrue) true, \(ktoFalse) false)",
                hint: "KTO needs both desirable (true) and undesirable (false) examples (\"Your dataset only has one preference type\")"))
        }
        for issue in coverage.issues(records: report.records) { report.add(issue) }
    }
}
