import LFMCore

/// Human and JSON renderings of validation reports.
enum ReportPrinter {
    /// Prints issues grouped by rule, `perGroup` examples each, to stderr.
    static func printIssues(_ report: ValidationReport, perGroup: Int = 5, file: String? = nil) {
        let name = file ?? report.path
        for group in report.groups {
            let label = group.severity == .error ? Terminal.paint("error", .red, stderr: true) : Terminal.paint("warning", .yellow, stderr: true)
            let unit = group.issues.first?.record == nil ? (group.code.hasPrefix("field-") ? "field" : "problem") : "record"
            Terminal.err("\(label) [\(group.code)] \(group.total) \(unit)\(group.total == 1 ? "" : "s")")
            for issue in group.issues.prefix(perGroup) {
                var location = name
                if let line = issue.line { location += ":\(line)" }
                var text = "  \(location):"
                var subject = ""
                if let record = issue.record { subject += " record \(record)" }
                if let path = issue.path { subject += " \(Terminal.paint(path, .bold, stderr: true))" }
                // No `file:1::` when the issue has neither record nor field.
                text += subject.isEmpty ? " \(issue.message)" : subject + ": \(issue.message)"
                Terminal.err(text)
            }
            if group.total > perGroup { Terminal.err("  … and \(group.total - perGroup) more (--json lists them all)") }
            if let hint = group.issues.first?.hint { Terminal.err("  " + Terminal.paint("fix:", .cyan, stderr: true) + " \(hint)") }
        }
    }

    static func json(_ report: ValidationReport) -> JSONValue {
        var object = JSONObject()
        object["path"] = .string(report.path)
        object["layout"] = report.layout.map { .string($0.rawValue) } ?? .null
        object["records"] = .int(report.records)
        object["valid_records"] = .int(report.validRecords)
        object["errors"] = .int(report.errorCount)
        object["warnings"] = .int(report.warningCount)
        object["counts"] = .object(JSONObject(report.counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .int($0.value)) }))
        object["issues"] = .array(report.issues.map(json))
        if let fields = report.coverage {
            // Which record fields LLaMA-Factory reads and drops for this entry (FieldCoverage).
            object["fields"] = .object(JSONObject([
                "read": .array(fields.read.map { .string($0) }),
                "dropped": .array(fields.dropped.map { .string($0) }),
                "allowed": .array(fields.allowed.map { .string($0) }),
            ]))
        }
        return .object(object)
    }

    static func json(_ issue: ValidationIssue) -> JSONValue {
        var object = JSONObject()
        object["severity"] = .string(issue.severity.rawValue)
        object["code"] = .string(issue.code)
        object["record"] = issue.record.map { .int($0) } ?? .null
        object["line"] = issue.line.map { .int($0) } ?? .null
        object["path"] = issue.path.map { .string($0) } ?? .null
        object["message"] = .string(issue.message)
        object["hint"] = issue.hint.map { .string($0) } ?? .null
        return .object(object)
    }
}
