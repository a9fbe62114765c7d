extension DatasetSpec {
    /// The documented default columns and tags of `family` (LLaMA-Factory's data/README: alpaca
    /// `instruction`/`input`/`output`, sharegpt `conversations` with from/value, OpenAI
    /// `messages` with role/content, pretraining `text`), with `chosen`/`rejected` for
    /// preference data and `kto_tag` for KTO. The one owner of these defaults: what `register`
    /// assumes for files it cannot read, what `convert` writes and what `generate` produces.
    public static func defaults(family: DataFormat.Family, kind: DatasetKind) -> DatasetSpec {
        var spec = DatasetSpec()
        var columns = ColumnMap()
        switch family {
        case .pretrain:
            columns.prompt = "text"
        case .alpaca:
            columns.prompt = "instruction"
            columns.query = "input"
            if kind == .preference { columns.chosen = "chosen"; columns.rejected = "rejected" } else { columns.response = "output" }
        case .sharegpt, .openai:
            spec.formatting = .sharegpt
            columns.messages = family == .openai ? "messages" : "conversations"
            spec.tags = family == .openai ? .openAI : .sharegpt
            if kind == .preference { columns.chosen = "chosen"; columns.rejected = "rejected" }
        }
        if kind == .kto && family != .pretrain { columns.ktoTag = "kto_tag" }
        spec.columns = columns
        spec.ranking = kind == .preference
        return spec
    }
}
