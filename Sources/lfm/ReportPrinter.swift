import LFMCore

/// The human rendering of validation reports (`ValidationDocument` is the `--json` one).
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
}
