import Foundation

/// `lfm validate NAME`: an existing registry entry, read the way LLaMA-Factory reads it, against
/// its file. Catches partial `columns`, misspelled keys, tags that do not match the data, and
/// columns that no record has.
public struct EntryValidator {
    public let registry: Registry

    public init(registry: Registry) { self.registry = registry }

    /// nil `path` in the result means the entry is not a local file (hub, cloud, script).
    public func validate(_ entry: DatasetEntry) throws -> (report: ValidationReport, path: String?) {
        guard case .file(let fileName) = entry.source else {
            var report = ValidationReport(path: entry.source.label)
            for problem in entry.problems { report.add(ValidationIssue(.error, "entry", message: problem)) }
            return (report, nil)
        }
        let path = registry.resolve(fileName: fileName)
        var report = ValidationReport(path: path)
        if !FileManager.default.fileExists(atPath: path) {
            report.add(ValidationIssue(.error, "missing-file", path: "file_name", message: "\(path) does not exist",
                hint: "LLaMA-Factory fails with \"File \(path) not found.\"; register the file again or fix file_name"))
        } else {
            let file = try DataFile(path: path)
            if file.type.isCheckable && !file.isDirectory {
                report = try DatasetCheck().validate(path: path, spec: entry.spec)
            }
        }
        for problem in entry.problems {
            report.add(ValidationIssue(.error, "entry", message: problem))
        }
        return (report, path)
    }
}
