/// One element of `lfm models --json`: a short name `lfm train --model` understands.
public struct ModelSummary: Encodable, Sendable, Equatable {
    public var name: String
    /// The Hugging Face id.
    public var hf: String
    /// LLaMA-Factory's chat template.
    public var template: String
    public var note: String?
    /// `built-in`, `user` or `workspace`.
    public var source: String

    public init(_ e: ModelCatalog.Entry) {
        name = e.name
        hf = e.hfID
        template = e.template
        note = e.note
        source = e.source.label
    }
}
