import LFMCore

/// Checks a generated record before it is kept: ``CoreRecordValidator`` (LFMCore's rules) in
/// `lfm generate`; tests may plug in their own.
public protocol RecordValidating: Sendable {
    /// Human-readable problems; empty = valid.
    func problems(in record: JSONValue, format: GenerateFormat) -> [String]
}
