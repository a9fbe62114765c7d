import Foundation

/// Works out a dataset's format, columns and tags from its records, the way a person reading the
/// file would: which fields hold the prompt, the answer, the conversation, and which role names
/// the messages use.
public struct FormatDetector: Sendable {
    /// Fields tried for each role, in order of preference.
    static let candidates: [String: [String]] = [
        "prompt": ["instruction", "prompt", "question"],
        "query": ["input", "context"],
        "response": ["output", "response", "answer", "completion"],
        "messages": ["conversations", "messages", "conversation", "dialog", "chat"],
        "system": ["system"],
        "history": ["history"],
        "tools": ["tools"],
        "images": ["images"],
        "videos": ["videos"],
        "audios": ["audios"],
        "chosen": ["chosen"],
        "rejected": ["rejected"],
        "kto_tag": ["kto_tag", "label"],
    ]

    public struct Result: Sendable, Equatable {
        public var spec: DatasetSpec
        public var format: DataFormat
        /// What was inferred and why, for the user ("prompt ← question").
        public var notes: [String]
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Column overrides (`--columns prompt=question`) and tag overrides (`--tags role_tag=speaker`).
    public var columnOverrides: [String: String] = [:]
    public var tagOverrides: [String: String] = [:]
    public var requested: (family: DataFormat.Family?, kind: DatasetKind?) = (nil, nil)

    public init(columnOverrides: [String: String] = [:], tagOverrides: [String: String] = [:], family: DataFormat.Family? = nil, kind: DatasetKind? = nil) {
        self.columnOverrides = columnOverrides
        self.tagOverrides = tagOverrides
        self.requested = (family, kind)
    }

    /// Detects from sample records (objects). `layout` `.text` means a plain-text file.
    public func detect(sample: [JSONValue], layout: RecordLayout) throws(Failure) -> Result {
        var notes: [String] = []
        if layout == .text {
            var columns = ColumnMap()
            columns.prompt = "text"
            return Result(spec: DatasetSpec(formatting: .alpaca, columns: columns), format: DataFormat(family: .pretrain, kind: .pretrain), notes: ["plain text: one record per line"])
        }
        let objects = sample.compactMap(\.objectValue)
        var keys: [String] = []
        var seen: Set<String> = []  // linear in the number of keys (a record may have 100k)
        for object in objects { for key in object.keys where seen.insert(key).inserted { keys.append(key) } }
        guard !objects.isEmpty else {
            throw Failure(message: "no JSON objects to detect the format from")
        }

        func field(_ role: String, where accept: (JSONValue) -> Bool = { _ in true }) -> String? {
            if let override = columnOverrides[role] { return override }
            for candidate in Self.candidates[role] ?? [] where keys.contains(candidate) {
                if objects.contains(where: { $0[candidate].map { !$0.isNull && accept($0) } ?? false }) { return candidate }
            }
            return nil
        }

        let messagesField = field("messages") { $0.arrayValue?.first?.objectValue != nil }
        var family = requested.family
        if family == nil {
            if messagesField != nil {
                family = .sharegpt
            } else if keys.contains(columnOverrides["prompt"] ?? "text"), field("prompt") == nil || columnOverrides["prompt"] == "text", field("response") == nil, field("chosen") == nil {
                family = .pretrain
            } else {
                family = .alpaca
            }
        }
        var spec = DatasetSpec()
        var columns = ColumnMap()
        var kind = requested.kind

        switch family! {
        case .pretrain:
            columns.prompt = columnOverrides["prompt"] ?? "text"
            guard keys.contains(columns.prompt!) else {
                throw Failure(message: "pretraining records need a \"text\" field; the records have \(Self.list(keys)). Pass --columns prompt=FIELD")
            }
            kind = .pretrain
        case .alpaca:
            // An instruction of the wrong type is still the instruction: validation then names
            // each record whose value is not a string.
            columns.prompt = field("prompt") { $0.stringValue != nil } ?? field("prompt")
            columns.query = field("query")
            columns.response = field("response")
            columns.chosen = field("chosen")
            columns.rejected = field("rejected")
            columns.ktoTag = field("kto_tag") { $0.boolValue != nil || $0.stringValue != nil }
            guard columns.prompt != nil || columns.query != nil else {
                throw Failure(message: "cannot find the instruction field: the records have \(Self.list(keys)). Pass --columns prompt=FIELD,response=FIELD (or --format sharegpt/openai for conversations)")
            }
        case .sharegpt, .openai:
            guard let messagesField else {
                throw Failure(message: "cannot find the conversation list (tried \(Self.list(Self.candidates["messages"]!))); the records have \(Self.list(keys)). Pass --columns messages=FIELD")
            }
            columns.messages = messagesField
            columns.chosen = field("chosen") { $0.objectValue != nil }
            columns.rejected = field("rejected") { $0.objectValue != nil }
            columns.ktoTag = field("kto_tag") { $0.boolValue != nil || $0.stringValue != nil }
            let (tags, tagNotes, style) = detectTags(objects, messagesField: messagesField)
            spec.tags = tags
            notes += tagNotes
            if requested.family == nil, style == .openai { family = .openai }
        }
        for role in ["system", "history", "tools", "images", "videos", "audios"] {
            if family == .pretrain { break }
            if role == "history" && family != .alpaca { continue }
            if let found = field(role) { columns[role: role] = found }
        }
        if kind == nil {
            if columns.chosen != nil, columns.rejected != nil { kind = .preference } else if columns.ktoTag != nil { kind = .kto } else { kind = .sft }
        }
        switch kind! {
        case .preference:
            guard columns.chosen != nil, columns.rejected != nil else {
                throw Failure(message: "preference data needs \"chosen\" and \"rejected\" fields; the records have \(Self.list(keys)). Pass --columns chosen=FIELD,rejected=FIELD")
            }
            columns.ktoTag = nil
            if family == .alpaca { columns.response = nil }
            spec.ranking = true
        case .kto:
            guard columns.ktoTag != nil else {
                throw Failure(message: "KTO data needs a boolean \"kto_tag\" (or \"label\") field. Pass --columns kto_tag=FIELD")
            }
            columns.chosen = nil
            columns.rejected = nil
        case .sft:
            columns.chosen = nil
            columns.rejected = nil
            columns.ktoTag = nil
            if family == .alpaca, columns.response == nil {
                throw Failure(message: "cannot find the response field (tried \(Self.list(Self.candidates["response"]!))); the records have \(Self.list(keys)). Pass --columns response=FIELD")
            }
        case .pretrain: break
        }
        let usual: Set<String> = ["instruction", "input", "output", "conversations", "messages", "text", "kto_tag"]
        for (role, fieldName) in columns.mapped where columnOverrides[role] == nil {
            if fieldName != role && !usual.contains(fieldName) { notes.append("\(role) ← \"\(fieldName)\"") }
        }
        spec.columns = columns
        spec.formatting = family == .alpaca || family == .pretrain ? .alpaca : .sharegpt
        let format = DataFormat(family: family!, kind: kind)
        return Result(spec: spec, format: format, notes: notes)
    }

    private func detectTags(_ objects: [JSONObject], messagesField: String) -> (TagMap, [String], DataFormat.Family) {
        var messageKeys: Set<String> = []
        var roleValues: [String] = []
        for object in objects {
            for message in object[messagesField]?.arrayValue ?? [] {
                guard let m = message.objectValue else { continue }
                messageKeys.formUnion(m.keys)
            }
        }
        let openAIStyle = messageKeys.contains("role") && messageKeys.contains("content") && !messageKeys.contains("from")
        var tags = openAIStyle ? TagMap.openAI : TagMap.sharegpt
        if let role = tagOverrides["role_tag"] { tags.roleTag = role }
        if let content = tagOverrides["content_tag"] { tags.contentTag = content }
        for object in objects {
            var messages = object[messagesField]?.arrayValue ?? []
            for answer in ["chosen", "rejected"] { if let a = object[answer], a.objectValue != nil { messages.append(a) } }
            for message in messages {
                if let role = message[tags.roleTag]?.stringValue, !roleValues.contains(role) { roleValues.append(role) }
            }
        }
        var notes: [String] = []
        func pick(_ key: String, _ options: [String], current: String?) {
            if let override = tagOverrides[key] { tags[key: key] = override; return }
            if let current, roleValues.contains(current) { return }
            if let found = options.first(where: roleValues.contains) {
                tags[key: key] = found
                notes.append("\(key) = \"\(found)\"")
            }
        }
        pick("user_tag", ["human", "user"], current: tags.userTag)
        pick("assistant_tag", ["gpt", "assistant", "model", "bot"], current: tags.assistantTag)
        pick("observation_tag", ["observation", "tool", "ipython", "function_response"], current: tags.observationTag)
        pick("function_tag", ["function_call", "tool_call", "tool_calls"], current: tags.functionTag)
        if let system = tagOverrides["system_tag"] { tags.systemTag = system }
        return (tags, notes, openAIStyle ? .openai : .sharegpt)
    }

    static func list(_ names: [String]) -> String {
        names.isEmpty ? "no fields" : names.prefix(12).map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
