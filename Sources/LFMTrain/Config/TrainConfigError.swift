import LFMCore

/// Why a config could not be rendered: the problem (naming the flag, file or key) and, on the
/// `hint:` line, what to do next.
public struct TrainConfigError: Error, Sendable, Equatable, CustomStringConvertible, UserFacingError {
    public enum Kind: String, Sendable {
        case unknownModel, missingModelPath, templateRequired, unknownTemplate
        case unknownDataset, noDatasets, stageMismatch, mixedDatasets, unknownStage
        case unknownMethod, unknownDeepSpeed, pathWithSpaces, badOverride, badConfigFile
        case unknownTrainingTemplate, contradictoryFlags, badValue, templateFile, missingAdapter
        case exists
    }

    public var kind: Kind
    /// The problem, without the fix.
    public var message: String
    /// What to do about it.
    public var hint: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var errorMessage: String { message }

    /// The problem, then "; " and the fix (where the error is shown on one line).
    public var description: String { message + (hint.map { "; " + $0 } ?? "") }
}
