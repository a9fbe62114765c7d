/// One element of `lfm templates --json` (docs/json.md): a template and where it comes from.
public struct TemplateSummary: Encodable, Sendable, Equatable {
    public var name: String
    /// `train`, `method`, `export`, `chat`, `deepspeed`, `models`.
    public var kind: String
    /// `stage:` of a training template (null for the others).
    public var stage: String?
    /// The method a method template applies (null for the others).
    public var method: String?
    /// `built-in`, `user` or `workspace`.
    public var source: String
    /// The file (null for a built-in template).
    public var path: String?
    /// The template's first `# ` comment line.
    public var summary: String?

    public init(_ t: TemplateLibrary.Template) {
        name = t.name
        kind = t.kind.rawValue
        stage = t.stage
        method = t.method
        source = t.source.label
        path = t.source.path
        summary = t.summary
    }
}

/// `lfm templates show --json`: a template's text and where it comes from.
public struct TemplateText: Encodable, Sendable, Equatable {
    public var name: String
    /// Path relative to a templates folder (`sft.yaml`, `methods/qlora.yaml`).
    public var relativePath: String
    public var source: String
    public var path: String?
    public var text: String

    public init(_ t: TemplateLibrary.Template) {
        name = t.name
        relativePath = t.relativePath
        source = t.source.label
        path = t.source.path
        text = t.text
    }
}

/// `lfm templates copy --json`: the copy written (or, with --dry-run, that would be).
public struct TemplateCopyReport: Encodable, Sendable, Equatable {
    public var name: String
    public var path: String
    /// A file was (or would be) replaced (--force).
    public var replaced: Bool
    public var dryRun: Bool

    public init(name: String, path: String, replaced: Bool, dryRun: Bool) {
        self.name = name
        self.path = path
        self.replaced = replaced
        self.dryRun = dryRun
    }
}
