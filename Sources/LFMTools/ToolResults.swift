import Foundation
import LFMCore

/// What `lfm convert` and `lfm merge` print with `--json` before their own keys (docs/json.md):
/// the output, what was written, skipped and changed, the entry it needs and its validation.
public struct ConversionResult: Encodable, Sendable {
    public var output: String
    public var format: String
    public var read: Int
    public var written: Int
    /// Records left out, by reason.
    public var skipped: [LossLedger.Entry]
    /// Records written with something changed or lost, by what.
    public var lossy: [LossLedger.Entry]
    /// The dataset_info.json entry the output needs.
    public var entry: JSONObject
    /// Whether the output passes `lfm validate`; null in a dry run (nothing was written to check).
    public var valid: Bool?
    public var validation: ValidationDocument?
    public var dryRun: Bool

    public init(_ report: Converter.Report, dryRun: Bool) {
        output = report.output
        format = report.format.description
        read = report.read
        written = report.written
        skipped = report.skipped.entries
        lossy = report.lossy.entries
        entry = DatasetEntry.makeObject(fileName: (report.output as NSString).lastPathComponent, spec: report.spec)
        valid = dryRun ? nil : (report.validation.map { !$0.hasErrors } ?? true)
        validation = report.validation.map(ValidationDocument.init)
        self.dryRun = dryRun
    }
}

/// `lfm convert --json`: the conversion, then the input, its format and the registered name.
public struct ConvertResult: Encodable, Sendable {
    public var conversion: ConversionResult
    public var input: String
    public var from: String
    /// The registry name with --register (also in a dry run), else null.
    public var registered: String?

    public init(_ conversion: ConversionResult, input: DatasetInput, registered: String?) {
        self.conversion = conversion
        self.input = input.path
        self.from = input.format.description
        self.registered = registered
    }

    enum CodingKeys: String, CodingKey { case input, from, registered }

    public func encode(to encoder: Encoder) throws {
        try conversion.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(from, forKey: .from)
        try container.encodeIfPresent(registered, forKey: .registered)
    }
}

/// `lfm merge --json`: the conversion, then the inputs and the registered name.
public struct MergeResult: Encodable, Sendable {
    public var conversion: ConversionResult
    public var inputs: [String]
    public var registered: String?

    public init(_ conversion: ConversionResult, inputs: [DatasetInput], registered: String?) {
        self.conversion = conversion
        self.inputs = inputs.map(\.path)
        self.registered = registered
    }

    enum CodingKeys: String, CodingKey { case inputs, registered }

    public func encode(to encoder: Encoder) throws {
        try conversion.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inputs, forKey: .inputs)
        try container.encodeIfPresent(registered, forKey: .registered)
    }
}

/// `lfm split --json`.
public struct SplitResult: Encodable, Sendable {
    public struct Part: Encodable, Sendable {
        public var name: String
        public var path: String
        public var records: Int
    }

    public var records: Int
    public var seed: UInt64
    public var parts: [Part]
    /// Registry names of the parts with --register (also in a dry run).
    public var registered: [String]
    /// Whether every part passes `lfm validate`; null in a dry run.
    public var valid: Bool?
    public var written: Bool
    public var dryRun: Bool

    public init(_ report: Splitter.Report, seed: UInt64, registered: [String], dryRun: Bool) {
        records = report.records
        self.seed = seed
        parts = report.parts.map { Part(name: $0.name, path: $0.path, records: $0.records) }
        self.registered = registered
        valid = dryRun ? nil : !report.validation.contains { $0.hasErrors }
        written = report.written
        self.dryRun = dryRun
    }
}

/// `lfm sample --out FILE --json`.
public struct SampleResult: Encodable, Sendable {
    public var output: String
    /// Records written (or that would be in a dry run).
    public var written: Int
    /// Records in the input.
    public var total: Int
    public var seed: UInt64
    public var dryRun: Bool
    /// Whether the sample passes `lfm validate`; null in a dry run.
    public var valid: Bool?
    public var validation: ValidationDocument?

    public init(output: String, written: Int, total: Int, seed: UInt64, dryRun: Bool, validation: ValidationReport?) {
        self.output = output
        self.written = written
        self.total = total
        self.seed = seed
        self.dryRun = dryRun
        valid = validation.map { !$0.hasErrors }
        self.validation = validation.map(ValidationDocument.init)
    }
}
