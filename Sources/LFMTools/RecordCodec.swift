import LFMCore

/// A format lfm can write: a family (alpaca, sharegpt, openai) and a kind (sft, preference, kto).
public struct OutputFormat: Sendable, Equatable, CustomStringConvertible {
    public var family: DataFormat.Family
    public var kind: DatasetKind
    public init(family: DataFormat.Family, kind: DatasetKind) {
        self.family = family
        self.kind = kind
    }
    public var description: String { DataFormat(family: family, kind: kind).description }

    /// The format family of a spec as LLaMA-Factory reads it (OpenAI = sharegpt with role/content tags).
    public static func family(of spec: DatasetSpec) -> DataFormat.Family {
        if spec.kind == .pretrain { return .pretrain }
        if !spec.usesMessages { return .alpaca }
        return spec.tags.roleTag == "role" && spec.tags.contentTag == "content" ? .openai : .sharegpt
    }
}

/// Why a record could not be read or written in a format; also used as a loss category.
public struct CodecIssue: Error, Sendable, Equatable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Reads records into ``Conversation``s exactly as LLaMA-Factory's converters would
/// (REFERENCE a.6), and writes conversations in any format.
public struct RecordCodec: Sendable {
    public let spec: DatasetSpec
    /// The record fields the converter for `spec` reads (all others are extras). perf: computed
    /// once, not per decoded record.
    public let conversationFields: Set<String>
    /// `spec.kind`, computed once.
    private let kind: DatasetKind

    public init(spec: DatasetSpec) {
        self.spec = spec
        // Media columns keep their field names in every format, so they travel as extras.
        var fields = Set(spec.relevantColumns.filter { !["images", "videos", "audios"].contains($0.role) }.map(\.field))
        if let kto = spec.columns.ktoTag { fields.insert(kto) }
        conversationFields = fields
        kind = spec.kind
    }

    // MARK: Reading

    /// The conversation of `record`; without its `extras` when `keepingExtras` is false (perf:
    /// `lfm stats` reads no extras, and finding them hashes every key of every record).
    public func decode(_ record: JSONValue, keepingExtras: Bool = true) throws(CodecIssue) -> Conversation {
        guard let object = record.objectValue else { throw CodecIssue("record is \(record.typeName), not an object") }
        let used = conversationFields
        let extras = keepingExtras ? object.members.filter { !used.contains($0.key) } : []
        var conversation: Conversation
        if kind == .pretrain {
            let field = spec.columns.prompt ?? "text"
            guard let text = object[field]?.stringValue else { throw CodecIssue("no \"\(field)\" string") }
            conversation = Conversation(turns: [Turn(.user, text)], answer: .none)
        } else if spec.usesMessages {
            conversation = try decodeMessages(object)
        } else {
            conversation = try decodeAlpaca(object)
        }
        if let field = spec.columns.tools, let tools = object[field], tools.isTruthy { conversation.tools = tools }
        conversation.extras = extras
        return conversation
    }

    private func string(_ object: JSONObject, _ field: String?) -> String? {
        guard let field else { return nil }
        return object[field]?.stringValue
    }

    private func decodeAlpaca(_ object: JSONObject) throws(CodecIssue) -> Conversation {
        let columns = spec.columns
        var turns: [Turn] = []
        let history = columns.history.flatMap { object[$0]?.arrayValue }
        // perf: one allocation for the turns (decoded for every record by `lfm stats`).
        turns.reserveCapacity(2 + 2 * (history?.count ?? 0))
        if let history {
            for pair in history {
                guard let items = pair.arrayValue, items.count == 2, let old = items[0].stringValue, let answer = items[1].stringValue else {
                    throw CodecIssue("history entry is not a [prompt, response] pair of strings")
                }
                turns.append(Turn(.user, old))
                turns.append(Turn(.assistant, answer))
            }
        }
        // The non-empty ones of prompt and query, joined by a newline (perf: no array, and no
        // copy when one is empty).
        let prompt = string(object, columns.prompt) ?? "", query = string(object, columns.query) ?? ""
        turns.append(Turn(.user, prompt.isEmpty ? query : query.isEmpty ? prompt : prompt + "\n" + query))
        var system = string(object, columns.system)
        if system?.isEmpty == true { system = nil }
        if let tag = columns.ktoTag, let label = object[tag]?.boolValue {
            guard let response = string(object, columns.response) else { throw CodecIssue("KTO record without a response string") }
            turns.append(Turn(.assistant, response))
            return Conversation(system: system, turns: turns, answer: .kto(desirable: label))
        }
        if spec.ranking, let chosen = string(object, columns.chosen), let rejected = string(object, columns.rejected) {
            return Conversation(system: system, turns: turns, answer: .preference(chosen: Turn(.assistant, chosen), rejected: Turn(.assistant, rejected)))
        }
        if let response = string(object, columns.response) {
            turns.append(Turn(.assistant, response))
            return Conversation(system: system, turns: turns, answer: .single)
        }
        throw CodecIssue(spec.ranking ? "chosen and rejected must both be strings" : "no response string (LLaMA-Factory drops it)")
    }

    private func role(_ value: String?) throws(CodecIssue) -> Role {
        let tags = spec.tags
        switch value {
        case tags.userTag?: return .user
        case tags.assistantTag?: return .assistant
        case let v? where v == tags.observationTag: return .observation
        case let v? where v == tags.functionTag: return .function
        default: throw CodecIssue("unknown role \(value.map { "\"\($0)\"" } ?? "(missing)")")
        }
    }

    private func turn(_ message: JSONValue) throws(CodecIssue) -> Turn {
        guard let m = message.objectValue else { throw CodecIssue("a message is \(message.typeName), not an object") }
        let tags = spec.tags
        // OpenAI-style tool calls: an assistant message whose calls become one function turn.
        if let calls = m["tool_calls"]?.arrayValue, !calls.isEmpty, (m[tags.contentTag]?.stringValue ?? "").isEmpty {
            let functions = calls.map { $0["function"] ?? $0 }
            let content = JSONPrinter(indent: nil).string(functions.count == 1 ? functions[0] : .array(functions))
            return Turn(.function, content)
        }
        guard let content = m[tags.contentTag]?.stringValue else {
            throw CodecIssue("a message has no \"\(tags.contentTag)\" string")
        }
        return Turn(try role(m[tags.roleTag]?.stringValue), content)
    }

    private func decodeMessages(_ object: JSONObject) throws(CodecIssue) -> Conversation {
        let columns = spec.columns
        guard let field = columns.messages, let messages = object[field]?.arrayValue else {
            throw CodecIssue("no \"\(columns.messages ?? "messages")\" list")
        }
        var rest = messages[...]
        var system: String?
        if let systemTag = spec.tags.systemTag, let first = rest.first?.objectValue, first[spec.tags.roleTag]?.stringValue == systemTag {
            system = first[spec.tags.contentTag]?.stringValue
            rest = rest.dropFirst()
        } else {
            system = string(object, columns.system)
        }
        if system?.isEmpty == true { system = nil }
        var turns: [Turn] = []
        for message in rest { turns.append(try turn(message)) }
        if let tag = columns.ktoTag, let label = object[tag]?.boolValue {
            return Conversation(system: system, turns: turns, answer: .kto(desirable: label))
        }
        if spec.ranking {
            guard let chosen = columns.chosen.flatMap({ object[$0] }), let rejected = columns.rejected.flatMap({ object[$0] }) else {
                throw CodecIssue("no chosen/rejected messages")
            }
            return Conversation(system: system, turns: turns, answer: .preference(chosen: try turn(chosen), rejected: try turn(rejected)))
        }
        return Conversation(system: system, turns: turns, answer: .single)
    }

    // MARK: Writing

    /// Checks the turn order LLaMA-Factory accepts: user/observation at even positions,
    /// assistant/function at odd ones; an even count for SFT/KTO, odd for preference.
    public static func orderProblem(_ conversation: Conversation) -> String? {
        for (i, turn) in conversation.turns.enumerated() {
            let ok = i % 2 == 0 ? (turn.role == .user || turn.role == .observation) : (turn.role == .assistant || turn.role == .function)
            if !ok { return "invalid role order (\(turn.role.rawValue) at position \(i + 1))" }
        }
        switch conversation.answer {
        case .single, .kto:
            if conversation.turns.isEmpty || conversation.turns.count % 2 != 0 { return "conversation does not end with an answer (odd number of turns)" }
        case .preference:
            if conversation.turns.count % 2 != 1 { return "preference prompt does not end with a user turn" }
        case .none: break
        }
        return nil
    }

    /// Writes a conversation in `format`. `keepHistory` false drops the earlier turns of a
    /// multi-turn conversation for Alpaca; `losses` collects what could not be kept.
    public static func encode(_ conversation: Conversation, as format: OutputFormat, keepHistory: Bool = true,
                              losses: inout [String]) throws(CodecIssue) -> JSONValue {
        if case .none = conversation.answer { throw CodecIssue("pretraining text has no conversation to convert") }
        if let problem = orderProblem(conversation) { throw CodecIssue(problem) }
        var object = JSONObject()
        switch format.family {
        case .alpaca: try encodeAlpaca(conversation, keepHistory: keepHistory, into: &object, losses: &losses)
        case .sharegpt: encodeMessages(conversation, tags: .sharegpt, field: "conversations", systemAsMessage: false, into: &object)
        case .openai: encodeMessages(conversation, tags: .openAI, field: "messages", systemAsMessage: true, into: &object)
        case .pretrain: throw CodecIssue("converting to pretraining text is not supported")
        }
        for member in conversation.extras where !object.contains(member.key) { object.members.append(member) }
        for member in conversation.extras where object.contains(member.key) && object[member.key] != member.value {
            losses.append("field \"\(member.key)\" clashes with the output format's own field and was dropped")
        }
        return .object(object)
    }

    private static func encodeAlpaca(_ c: Conversation, keepHistory: Bool, into object: inout JSONObject, losses: inout [String]) throws(CodecIssue) {
        if c.turns.contains(where: { $0.role == .function || $0.role == .observation }) {
            throw CodecIssue("tool calls and tool results cannot be written in Alpaca")
        }
        var turns = c.turns
        var response: String?
        switch c.answer {
        case .single, .kto: response = turns.removeLast().content
        case .preference(let chosen, let rejected):
            if chosen.role == .function || rejected.role == .function { throw CodecIssue("tool calls cannot be written in Alpaca") }
        case .none: break
        }
        let instruction = turns.removeLast().content
        var history: [JSONValue] = []
        var index = 0
        while index + 1 < turns.count {
            history.append(.array([.string(turns[index].content), .string(turns[index + 1].content)]))
            index += 2
        }
        object["instruction"] = .string(instruction)
        object["input"] = .string("")
        switch c.answer {
        case .preference(let chosen, let rejected):
            object["chosen"] = .string(chosen.content)
            object["rejected"] = .string(rejected.content)
        case .kto(let label):
            object["output"] = .string(response ?? "")
            object["kto_tag"] = .bool(label)
        default:
            object["output"] = .string(response ?? "")
        }
        if let system = c.system { object["system"] = .string(system) }
        if !history.isEmpty {
            if keepHistory {
                object["history"] = .array(history)
            } else {
                losses.append("earlier turns dropped (only the last exchange kept)")
            }
        }
        if let tools = c.tools { object["tools"] = tools }
    }

    private static func message(_ turn: Turn, tags: TagMap) -> JSONValue {
        let role: String
        switch turn.role {
        case .user: role = tags.userTag
        case .assistant: role = tags.assistantTag
        case .observation: role = tags.observationTag ?? "observation"
        case .function: role = tags.functionTag ?? "function_call"
        }
        return .object(JSONObject([JSONMember(tags.roleTag, .string(role)), JSONMember(tags.contentTag, .string(turn.content))]))
    }

    private static func encodeMessages(_ c: Conversation, tags: TagMap, field: String, systemAsMessage: Bool, into object: inout JSONObject) {
        var messages: [JSONValue] = []
        if systemAsMessage, let system = c.system {
            messages.append(.object(JSONObject([JSONMember(tags.roleTag, .string(tags.systemTag ?? "system")), JSONMember(tags.contentTag, .string(system))])))
        }
        messages += c.turns.map { message($0, tags: tags) }
        object[field] = .array(messages)
        switch c.answer {
        case .preference(let chosen, let rejected):
            object["chosen"] = message(chosen, tags: tags)
            object["rejected"] = message(rejected, tags: tags)
        case .kto(let label):
            object["kto_tag"] = .bool(label)
        default: break
        }
        if !systemAsMessage, let system = c.system { object["system"] = .string(system) }
        if let tools = c.tools { object["tools"] = tools }
    }

    /// The spec LLaMA-Factory needs for records lfm wrote in `format`, given which optional
    /// fields (system, tools, history, media) appear in the output.
    public static func spec(for format: OutputFormat, fields: Set<String>) -> DatasetSpec {
        var spec = DatasetSpec.defaults(family: format.family == .pretrain ? .alpaca : format.family, kind: format.kind)
        switch format.family {
        case .alpaca, .pretrain:
            if fields.contains("history") { spec.columns.history = "history" }
            if fields.contains("system") { spec.columns.system = "system" }
        case .sharegpt:
            if fields.contains("system") { spec.columns.system = "system" }
        case .openai: break
        }
        for role in ["tools", "images", "videos", "audios"] where fields.contains(role) { spec.columns[role: role] = role }
        return spec
    }
}
