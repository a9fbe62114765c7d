/// Which record fields LLaMA-Factory 0.9.5 reads for an entry, and which ones the records carry
/// that it silently drops (REFERENCE a.3, a.6; `data/converter.py`). The one owner of that rule:
/// register, validate, list --check, the split/merge/sample/convert outputs and train's pre-launch
/// check all get it through ``FileValidator``.
///
/// Per record, exactly as the converters index the example:
/// - alpaca: `history`, `prompt`, `query`, `system`, `tools`, media and `kto_tag` when mapped;
///   then the response: with a boolean `kto_tag` the `response`; else with `ranking` and string
///   `chosen`/`rejected` those two (and not `response`); else `response`.
/// - sharegpt/openai: `messages`; `system` only when the first message is not already a system
///   message; `tools`, media, `kto_tag`; with `ranking` and object `chosen`/`rejected` those two.
///   Inside each message only `role_tag` and `content_tag` are read (openai formatting also reads
///   `tool_calls` of assistant/function messages).
///
/// A field counts when a record carries it with content (not null, "", [] or {}). A dropped field
/// is an error when it holds training text (``textFields``, or a list of message objects), a
/// warning otherwise (ids, metadata). Fields in ``DatasetSpec/allowUnmapped`` are accepted drops.
public struct FieldCoverage: Sendable {
    public let spec: DatasetSpec

    /// Per field: records carrying it, and records where it is not read.
    public struct Count: Sendable, Equatable, Codable {
        public var present = 0
        public var dropped = 0
        /// The value looked like a list of messages in at least one dropped record.
        public var messageList = false
    }

    /// Per field (first-seen order in `order`): its counts.
    public var fields: [String: Count] { Dictionary(uniqueKeysWithValues: zip(order, counts)) }
    private var counts: [Count] = []
    private var slot: [String: Int] = [:]
    /// Per slot: always read, never read, or nil (depends on the record: ``isRead(_:in:)``).
    private var decisions: [Bool?] = []
    /// perf: the previous record's keys and their slots; a record with the same keys skips the lookups.
    private var lastKeys: [String] = []
    private var lastSlots: [Int] = []
    /// Message keys (inside the messages column) that are never read: key → records carrying it.
    public private(set) var messageKeys: [String: Int] = [:]
    private var order: [String] = []
    private var messageOrder: [String] = []

    private let always: Set<String>
    private let roleTag: String
    private let contentTag: String

    public init(spec: DatasetSpec) {
        self.spec = spec
        let c = spec.columns
        var always: [String?] = [c.tools, c.images, c.videos, c.audios, c.ktoTag]
        if spec.usesMessages {
            always.append(c.messages)  // the system column is read per record (isRead)
        } else {
            always += [c.history, c.prompt, c.query, c.system]
        }
        self.always = Set(always.compactMap { $0 })
        roleTag = spec.tags.roleTag
        contentTag = spec.tags.contentTag
    }

    /// The fields LLaMA-Factory reads from this record.
    public func read(_ object: JSONObject) -> Set<String> {
        Set(object.keys.filter { isRead($0, in: object) }).union(always)
    }

    /// Whether LLaMA-Factory reads field `key` of this record (see the type's rules).
    public func isRead(_ key: String, in object: JSONObject) -> Bool {
        let c = spec.columns
        if spec.usesMessages {
            if key == c.system {
                guard let systemTag = spec.tags.systemTag, let messages = c.messages else { return true }
                return object[messages]?.arrayValue?.first?[roleTag]?.stringValue != systemTag
            }
            if always.contains(key) { return true }
            if spec.ranking, key == c.chosen || key == c.rejected, let chosen = c.chosen, let rejected = c.rejected {
                return object[chosen]?.objectValue != nil && object[rejected]?.objectValue != nil
            }
            return false
        }
        if always.contains(key) { return true }
        guard key == c.response || key == c.chosen || key == c.rejected else { return false }
        // The response branch the converter takes for this record.
        let ktoExample = c.ktoTag.map { object[$0]?.boolValue != nil } ?? false
        var pairwise = false
        if !ktoExample, spec.ranking, let chosen = c.chosen, let rejected = c.rejected {
            pairwise = object[chosen]?.stringValue != nil && object[rejected]?.stringValue != nil
        }
        if key == c.response, !pairwise { return true }
        return pairwise && (key == c.chosen || key == c.rejected)
    }

    /// Counts one record.
    public mutating func observe(_ object: JSONObject) {
        let members = object.members
        var same = members.count == lastKeys.count
        if same {
            for i in members.indices where members[i].key != lastKeys[i] { same = false; break }
        }
        if !same {
            lastKeys = members.map(\.key)
            lastSlots = members.map { slotFor($0.key) }
        }
        for i in members.indices where Self.hasContent(members[i].value) {
            let k = lastSlots[i]
            counts[k].present += 1
            let read = decisions[k] ?? isRead(members[i].key, in: object)
            if !read {
                counts[k].dropped += 1
                if !counts[k].messageList, Self.isMessageList(members[i].value) { counts[k].messageList = true }
            }
        }
        guard spec.usesMessages, let messagesField = spec.columns.messages, let messages = object[messagesField]?.arrayValue else { return }
        var seen: Set<String> = []
        for message in messages {
            guard let m = message.objectValue, m.count > 2 || m.members.contains(where: { $0.key != roleTag && $0.key != contentTag }) else { continue }
            for member in m.members where member.key != roleTag && member.key != contentTag && Self.hasContent(member.value) {
                if spec.formatting == .openai, member.key == "tool_calls",
                   let role = m[roleTag]?.stringValue, role == spec.tags.assistantTag || role == spec.tags.functionTag {
                    continue
                }
                seen.insert(member.key)
            }
        }
        for key in seen {
            if messageKeys[key] == nil { messageOrder.append(key) }
            messageKeys[key, default: 0] += 1
        }
    }

    private mutating func slotFor(_ key: String) -> Int {
        if let k = slot[key] { return k }
        let k = counts.count
        slot[key] = k
        order.append(key)
        counts.append(Count())
        decisions.append(decision(key))
        return k
    }

    /// Whether `key` is read regardless of the record's values (nil: it depends, see ``isRead(_:in:)``).
    private func decision(_ key: String) -> Bool? {
        let c = spec.columns
        if spec.usesMessages {
            if key == c.system { return spec.tags.systemTag == nil || c.messages == nil ? true : nil }
            if always.contains(key) { return true }
            if spec.ranking, key == c.chosen || key == c.rejected { return nil }
            return false
        }
        if always.contains(key) { return true }
        return key == c.response || key == c.chosen || key == c.rejected ? nil : false
    }

    /// Adds another part's counts (the two halves of a large file), keeping first-seen order.
    public mutating func merge(_ other: FieldCoverage) {
        for (i, key) in other.order.enumerated() {
            let k = slotFor(key)
            let count = other.counts[i]
            counts[k].present += count.present
            counts[k].dropped += count.dropped
            if count.messageList { counts[k].messageList = true }
        }
        for key in other.messageOrder {
            if messageKeys[key] == nil { messageOrder.append(key) }
            messageKeys[key, default: 0] += other.messageKeys[key]!
        }
    }

    /// Fields read in at least one record (what the conformance check compares with LLaMA-Factory).
    public var readFields: [String] { order.indices.filter { counts[$0].present > counts[$0].dropped }.map { order[$0] } }

    /// Fields dropped in at least one record (top-level names, then `MESSAGES[].KEY`).
    public var droppedFields: [String] {
        order.indices.filter { counts[$0].dropped > 0 }.map { order[$0] } + messageOrder.map { "\(spec.columns.messages ?? "messages")[].\($0)" }
    }

    /// The issues for the dropped fields of `records` records.
    public func issues(records: Int) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let allowed = spec.allowUnmapped
        // One fix for all dropped text fields: the exact columns to add, and the names to accept.
        var mappings: [(role: String, field: String)] = []
        var textDropped: [String] = []
        let fields = self.fields
        for key in order where fields[key]!.dropped > 0 && !allowed.contains(key) && (Self.textFields.contains(key) || fields[key]!.messageList) {
            textDropped.append(key)
            if let role = explain(key).role { mappings.append((role, key)) }
        }
        var fix = ""
        if !mappings.isEmpty {
            fix = "add to the entry's columns " + mappings.map { "\"\($0.role)\": \"\($0.field)\"" }.joined(separator: ", ")
                + " (or rewrite the entry: lfm register FILE --force --columns "
                + mappings.map { "\($0.role)=\($0.field)" }.joined(separator: ",") + "); "
        }
        for key in order {
            let count = fields[key]!
            guard count.dropped > 0, !allowed.contains(key) else { continue }
            let isText = textDropped.contains(key)
            let why = explain(key).why
            let share = "\(count.dropped) of \(records) record\(records == 1 ? "" : "s")"
            if isText {
                let own = explain(key).role == nil ? "map \"\(key)\" or move its text into a mapped field; " : ""
                issues.append(ValidationIssue(.error, "field-dropped", path: key,
                    message: "\"\(key)\" holds text in \(share) but LLaMA-Factory will not read it (\(why)): it never reaches the model",
                    hint: fix + own + "to accept the loss: --allow-unmapped \(textDropped.joined(separator: ","))"))
            } else {
                issues.append(ValidationIssue(.warning, "field-unread", path: key,
                    message: "\"\(key)\" in \(share) is not read by LLaMA-Factory (\(why))",
                    hint: "fine for ids and metadata; silence it with --allow-unmapped \(key)"))
            }
        }
        let messages = spec.columns.messages ?? "messages"
        for key in messageOrder {
            let path = "\(messages)[].\(key)"
            guard !allowed.contains(path), !allowed.contains(key) else { continue }
            let n = messageKeys[key]!
            let share = "\(n) of \(records) record\(records == 1 ? "" : "s")"
            let only = spec.formatting == .openai
                ? "only \"\(roleTag)\", \"\(contentTag)\" and assistant \"tool_calls\" are read"
                : "only \"\(roleTag)\" and \"\(contentTag)\" are read"
            if Self.textMessageKeys.contains(key) {
                let fix = key == "tool_calls" && spec.formatting != .openai
                    ? "register the entry with \"formatting\": \"openai\" (lfm convert turns tool_calls into function_call turns), "
                    : "move it into \"\(contentTag)\", "
                issues.append(ValidationIssue(.error, "field-dropped", path: path,
                    message: "messages carry \"\(key)\" in \(share) but LLaMA-Factory will not read it (\(only))",
                    hint: fix + "or accept the loss with --allow-unmapped \(path)"))
            } else {
                issues.append(ValidationIssue(.warning, "field-unread", path: path,
                    message: "messages carry \"\(key)\" in \(share); LLaMA-Factory does not read it (\(only))",
                    hint: "fine for metadata; silence it with --allow-unmapped \(path)"))
            }
        }
        return issues
    }

    /// Why `key` is not read, and the column role that would read it when one is free.
    func explain(_ key: String) -> (why: String, role: String?) {
        let c = spec.columns
        if spec.usesMessages, key == c.system {
            return ("the first message is already a \"\(spec.tags.systemTag ?? "system")\" message, which wins", nil)
        }
        if !spec.usesMessages, spec.ranking, key == c.response {
            return ("preference records answer with chosen/rejected", nil)
        }
        if let mapped = c.mapped.first(where: { $0.field == key }) {
            return ("columns.\(mapped.role) is not read by the \(spec.formatting.rawValue) converter for \(spec.kind.rawValue) data", nil)
        }
        let roles = spec.usesMessages
            ? ["system", "tools", "images", "videos", "audios"]
            : ["query", "history", "system", "tools", "images", "videos", "audios", "prompt", "response"]
        for role in roles {
            let candidates = (FormatDetector.candidates[role] ?? []) + [role]
            guard candidates.contains(key) else { continue }
            if let other = c[role: role] { return ("columns.\(role) maps \"\(other)\"", nil) }
            return ("the entry's columns have no \(role)", role)
        }
        return ("no column maps it", nil)
    }

    /// Top-level field names that hold training text when present.
    public static let textFields: Set<String> = {
        var names: Set<String> = ["text", "content", "value", "prompt", "query", "history", "system", "tools", "messages",
                                  "chosen", "rejected", "images", "videos", "audios", "response", "reasoning", "thinking"]
        for list in FormatDetector.candidates.values { names.formUnion(list) }
        names.remove("label")
        return names
    }()

    /// Message keys that hold training text.
    public static let textMessageKeys: Set<String> = [
        "content", "value", "text", "tool_calls", "function_call", "reasoning_content", "reasoning", "thinking",
    ]

    static func hasContent(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        default: return true
        }
    }

    static func isMessageList(_ value: JSONValue) -> Bool {
        guard let items = value.arrayValue, let first = items.first?.objectValue else { return false }
        return first.count >= 2 && first.members.contains { $0.value.stringValue != nil }
    }
}
