/// LLaMA-Factory's `formatting` key: which converter reads the records.
public enum Formatting: String, Sendable, Codable, CaseIterable {
    case alpaca, sharegpt, openai
}

/// What a dataset trains: the stage family it belongs to.
public enum DatasetKind: String, Sendable, Codable, CaseIterable {
    /// Supervised fine-tuning (instruction → response, or conversations).
    case sft
    /// Pairwise preference data (`ranking: true`): DPO, ORPO, SimPO, reward modelling.
    case preference
    /// KTO: one response with a boolean desirable/undesirable tag.
    case kto
    /// Pretraining text.
    case pretrain

    /// The LLaMA-Factory stages this kind of data is valid for (REFERENCE a.5).
    public var stages: [String] {
        switch self {
        case .sft: return ["sft", "ppo"]
        case .preference: return ["dpo", "rm"]
        case .kto: return ["kto"]
        case .pretrain: return ["pt"]
        }
    }
}

/// The `columns` of an entry: which record field plays which role. `nil` means "not mapped".
public struct ColumnMap: Sendable, Equatable, Codable {
    public var prompt: String?
    public var query: String?
    public var response: String?
    public var history: String?
    public var messages: String?
    public var system: String?
    public var tools: String?
    public var images: String?
    public var videos: String?
    public var audios: String?
    public var chosen: String?
    public var rejected: String?
    public var ktoTag: String?

    public init() {}

    /// Column roles in the order LLaMA-Factory's docs list them, with their JSON key names.
    public static var roles: [(key: String, path: WritableKeyPath<ColumnMap, String?>)] { [
        ("prompt", \.prompt), ("query", \.query), ("response", \.response), ("history", \.history),
        ("messages", \.messages), ("chosen", \.chosen), ("rejected", \.rejected), ("kto_tag", \.ktoTag),
        ("system", \.system), ("tools", \.tools), ("images", \.images), ("videos", \.videos), ("audios", \.audios),
    ] }

    /// LLaMA-Factory's defaults when an entry has no `columns` object at all.
    public static var defaults: ColumnMap {
        var map = ColumnMap()
        map.prompt = "instruction"
        map.query = "input"
        map.response = "output"
        map.messages = "conversations"
        return map
    }

    /// Every mapped (role, field) pair in canonical order.
    public var mapped: [(role: String, field: String)] {
        Self.roles.compactMap { role in self[keyPath: role.path].map { (role.key, $0) } }
    }

    public subscript(role role: String) -> String? {
        get { Self.roles.first { $0.key == role }.flatMap { self[keyPath: $0.path] } }
        set { if let path = Self.roles.first(where: { $0.key == role })?.path { self[keyPath: path] = newValue } }
    }
}

/// The `tags` of a ShareGPT-style entry: which message keys and role values mean what.
public struct TagMap: Sendable, Equatable, Codable {
    public var roleTag = "from"
    public var contentTag = "value"
    public var userTag = "human"
    public var assistantTag = "gpt"
    /// nil when an entry's `tags` leaves it out: LLaMA-Factory then matches no message with it.
    public var observationTag: String? = "observation"
    public var functionTag: String? = "function_call"
    public var systemTag: String? = "system"

    public init() {}

    public static let sharegpt = TagMap()

    /// OpenAI-style messages (`role`/`content`, `user`/`assistant`/`system`/`tool`).
    public static var openAI: TagMap {
        var tags = TagMap()
        tags.roleTag = "role"
        tags.contentTag = "content"
        tags.userTag = "user"
        tags.assistantTag = "assistant"
        tags.observationTag = "tool"
        tags.functionTag = "function_call"
        tags.systemTag = "system"
        return tags
    }

    public static let keys = ["role_tag", "content_tag", "user_tag", "assistant_tag", "observation_tag", "function_tag", "system_tag"]

    public subscript(key key: String) -> String? {
        get {
            switch key {
            case "role_tag": return roleTag
            case "content_tag": return contentTag
            case "user_tag": return userTag
            case "assistant_tag": return assistantTag
            case "observation_tag": return observationTag
            case "function_tag": return functionTag
            case "system_tag": return systemTag
            default: return nil
            }
        }
        set {
            switch key {
            case "role_tag": roleTag = newValue ?? roleTag
            case "content_tag": contentTag = newValue ?? contentTag
            case "user_tag": userTag = newValue ?? userTag
            case "assistant_tag": assistantTag = newValue ?? assistantTag
            case "observation_tag": observationTag = newValue
            case "function_tag": functionTag = newValue
            case "system_tag": systemTag = newValue
            default: break
            }
        }
    }
}

/// Everything needed to read a dataset's records the way LLaMA-Factory will.
public struct DatasetSpec: Sendable, Equatable {
    public var formatting: Formatting
    public var ranking: Bool
    public var columns: ColumnMap
    public var tags: TagMap
    /// Record fields (or `MESSAGES[].KEY` message keys) whose drop the user accepted
    /// (`--allow-unmapped`, or the entry's `lfm_allow_unmapped` list): not reported by
    /// ``FieldCoverage``. lfm's own key; LLaMA-Factory ignores it.
    public var allowUnmapped: Set<String> = []

    public init(formatting: Formatting = .alpaca, ranking: Bool = false, columns: ColumnMap = .defaults, tags: TagMap = .sharegpt) {
        self.formatting = formatting
        self.ranking = ranking
        self.columns = columns
        self.tags = tags
    }

    /// True for ShareGPT and OpenAI converters (message lists); false for Alpaca.
    public var usesMessages: Bool { formatting != .alpaca }

    /// The column roles the converter for this formatting reads (others are ignored by it).
    public var relevantColumns: [(role: String, field: String)] {
        let alpacaOnly: Set<String> = ["prompt", "query", "response", "history"]
        return columns.mapped.filter { usesMessages ? (!alpacaOnly.contains($0.role)) : $0.role != "messages" }
    }

    /// Optional column roles: a file that lacks their field reads fine once they are unmapped.
    public static let optionalRoles = ["query", "history", "system", "tools", "images", "videos", "audios"]

    /// This spec for a file whose records carry only `fields` (a part of a split, a cleaned copy):
    /// optional columns no record has are unmapped (mapping them would raise KeyError).
    public func restricted(toFields fields: Set<String>) -> DatasetSpec {
        var spec = self
        for role in Self.optionalRoles {
            if let field = spec.columns[role: role], !fields.contains(field) { spec.columns[role: role] = nil }
        }
        return spec
    }

    public var kind: DatasetKind {
        if ranking { return .preference }
        if columns.ktoTag != nil { return .kto }
        if formatting == .alpaca, columns.prompt != nil, columns.response == nil, columns.query == nil, columns.history == nil {
            return .pretrain
        }
        return .sft
    }
}
