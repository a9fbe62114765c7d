/// Why a config could not be rendered. Every message says what to do next.
public struct TrainConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unknownModel, missingModelPath, templateRequired, unknownTemplate
        case unknownDataset, noDatasets, stageMismatch, mixedDatasets, unknownStage
        case unknownMethod, unknownDeepSpeed, pathWithSpaces, badOverride, badConfigFile
        case unknownTrainingTemplate, contradictoryFlags, badValue, templateFile, missingAdapter
        case exists
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
