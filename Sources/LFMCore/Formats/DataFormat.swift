/// The format names users type (`--format`), each a family plus an optional kind.
public struct DataFormat: Sendable, Equatable, CustomStringConvertible {
    public enum Family: String, Sendable, CaseIterable {
        /// `{instruction, input, output}` records.
        case alpaca
        /// `{conversations: [{from, value}]}` records.
        case sharegpt
        /// `{messages: [{role, content}]}` records (written as `formatting: sharegpt` plus tags).
        case openai
        /// `{text}` records or a `.txt` file.
        case pretrain
    }

    public var family: Family
    /// nil: detect from the records.
    public var kind: DatasetKind?

    public init(family: Family, kind: DatasetKind? = nil) {
        self.family = family
        self.kind = kind
    }

    /// Every name `--format` accepts.
    public static let names: [String] = [
        "alpaca", "sharegpt", "openai", "pretrain", "text",
        "alpaca-preference", "sharegpt-preference", "openai-preference", "dpo",
        "alpaca-kto", "sharegpt-kto", "openai-kto", "kto",
    ]

    /// Parses a `--format` value. `dpo`/`kto` alone pick the kind and leave the family to detection.
    public static func parse(_ text: String) -> (family: Family?, kind: DatasetKind?)? {
        let lower = text.lowercased()
        switch lower {
        case "dpo", "preference", "rm": return (nil, .preference)
        case "kto": return (nil, .kto)
        case "text", "pt", "pretrain": return (.pretrain, .pretrain)
        case "sft": return (nil, .sft)
        default: break
        }
        let parts = lower.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let family = Family(rawValue: first) else { return nil }
        guard parts.count == 2 else { return (family, nil) }
        switch parts[1] {
        case "preference", "dpo", "rm", "ranking": return (family, .preference)
        case "kto": return (family, .kto)
        case "sft": return (family, .sft)
        default: return nil
        }
    }

    public var description: String {
        let kindName: String
        switch kind {
        case .preference?: kindName = " preference"
        case .kto?: kindName = " KTO"
        case .sft?: kindName = " SFT"
        default: kindName = ""
        }
        switch family {
        case .alpaca: return "Alpaca\(kindName)"
        case .sharegpt: return "ShareGPT\(kindName)"
        case .openai: return "OpenAI messages\(kindName)"
        case .pretrain: return "pretraining text"
        }
    }
}
