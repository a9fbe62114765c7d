import Foundation

/// The one dataset check of lfm: sample the records, detect the format (or apply the requested
/// one and its overrides), validate every record against LLaMA-Factory's rules, including which
/// fields it reads and drops (``FieldCoverage``). `register`, `validate`, `convert`, `split`,
/// `merge`, `sample` and `generate --register` all check through it, so they agree on
/// what a file is and what is wrong with it.
public struct DatasetCheck {
    /// How to read the file when detection needs help (`--format`, `--columns`, `--tags`).
    public struct Request: Sendable {
        public var family: DataFormat.Family?
        public var kind: DatasetKind?
        public var columns: [String: String] = [:]
        public var tags: [String: String] = [:]
        /// Record fields whose drop is accepted (`--allow-unmapped`).
        public var allowUnmapped: Set<String> = []

        public init(family: DataFormat.Family? = nil, kind: DatasetKind? = nil) {
            self.family = family
            self.kind = kind
        }
    }

    /// What the records are: the detected (or requested) format and the entry's columns and tags.
    public struct Detection: Sendable {
        public var format: DataFormat
        public var spec: DatasetSpec
        /// What was inferred and why ("prompt ← question").
        public var notes: [String]
        /// `.text` for `.txt` files, nil for JSON (array or lines, found from the bytes).
        public var layoutHint: RecordLayout?
    }

    /// A detection and the full report.
    public struct Result: Sendable {
        public var detection: Detection
        public var report: ValidationReport
    }

    public var request: Request
    /// Called now and then with (bytes read, file size) while validating.
    public var onProgress: ((Int, Int) -> Void)?

    public init(_ request: Request = Request(), onProgress: ((Int, Int) -> Void)? = nil) {
        self.request = request
        self.onProgress = onProgress
    }

    /// `.text` for `.txt` files (one record per line, as LLaMA-Factory reads them), nil otherwise.
    public static func layoutHint(forPath path: String) -> RecordLayout? {
        (path as NSString).pathExtension.lowercased() == "txt" ? .text : nil
    }

    /// Samples the first records and detects the format. Throws ``DatasetCheckError/invalid(_:)``
    /// with a syntax report when the sample cannot be read, ``DatasetCheckError/undetectable(path:message:)``
    /// when the records match no format.
    public func detect(path: String) throws -> Detection {
        let hint = Self.layoutHint(forPath: path)
        let sample: (records: [JSONValue], layout: RecordLayout)
        do {
            sample = try FileValidator.sample(path: path, layoutHint: hint)
        } catch let error as RecordReadError {
            throw DatasetCheckError.invalid(Self.syntaxReport(path: path, error))
        }
        let detector = FormatDetector(columnOverrides: request.columns, tagOverrides: request.tags, family: request.family, kind: request.kind)
        var detected: FormatDetector.Result
        do { detected = try detector.detect(sample: sample.records, layout: sample.layout) } catch {
            throw DatasetCheckError.undetectable(path: path, message: error.message)
        }
        detected.spec.allowUnmapped = request.allowUnmapped
        return Detection(format: detected.format, spec: detected.spec, notes: detected.notes, layoutHint: hint)
    }

    /// Detects, then validates every record. The report's errors are the caller's to act on (a
    /// report with errors is returned, not thrown); an unreadable sample throws as ``detect(path:)``.
    public func run(path: String) throws -> Result {
        let detection = try detect(path: path)
        let report = try validate(path: path, spec: detection.spec)
        return Result(detection: detection, report: report)
    }

    /// Validates every record of `path` against a known `spec` (a registered entry, or the entry
    /// lfm writes for a file it produced).
    public func validate(path: String, spec: DatasetSpec) throws -> ValidationReport {
        try FileValidator(spec: spec, onProgress: onProgress).validate(path: path, layoutHint: Self.layoutHint(forPath: path))
    }

    /// The report of a file whose first records cannot be parsed: one `syntax` error, no record checked.
    public static func syntaxReport(path: String, _ error: RecordReadError) -> ValidationReport {
        var report = ValidationReport(path: path)
        report.add(ValidationIssue(.error, "syntax", record: error.recordIndex, line: error.syntax.line,
            message: "\(error.syntax.message) (line \(error.syntax.line), column \(error.syntax.column), byte \(error.syntax.offset))", hint: "fix the JSON syntax"))
        return report
    }
}

/// Why a dataset check could not produce a detection.
public enum DatasetCheckError: Error, Sendable, CustomStringConvertible {
    /// The first records cannot be read: the report holds the syntax error.
    case invalid(ValidationReport)
    /// The records match no format.
    case undetectable(path: String, message: String)

    public var description: String {
        switch self {
        case .invalid(let report):
            return "\(report.path): \(Plural.count(report.errorCount, "error")) in \(report.invalidRecords.count) of \(Plural.count(report.records, "record"))"
        case .undetectable(let path, let message): return "\(path): \(message)"
        }
    }
}

extension DatasetCheckError: UserFacingError {
    public var errorMessage: String {
        switch self {
        case .invalid(let report):
            let syntax = report.issues.first { $0.code == "syntax" }
            return syntax.map { "\(report.path):\($0.line.map { "\($0)" } ?? "?"): \($0.message)" } ?? description
        case .undetectable: return description
        }
    }

    public var hint: String? {
        switch self {
        case .invalid: return "fix the JSON syntax; `lfm validate FILE --json` lists every problem"
        case .undetectable: return nil  // the message names the option to pass
        }
    }
}
