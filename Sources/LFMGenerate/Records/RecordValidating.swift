import LFMCore

/// Checks a generated record before it is kept. The integrator can plug in LFMCore's validator;
/// `BuiltinRecordValidator` covers the shapes `RecordFormatter` produces.
public protocol RecordValidating: Sendable {
    /// Human-readable problems; empty = valid.
    func problems(in record: JSONValue, format: GenerateFormat) -> [String]
}

/// Minimal checks: required fields are non-empty strings; conversations alternate user/assistant
/// (after an optional system message) and end with the assistant (or, for preference records,
/// with the user followed by non-empty, different chosen/rejected answers).
public struct BuiltinRecordValidator: RecordValidating {
    public init() {}

    public func problems(in record: JSONValue, format: GenerateFormat) -> [String] {
        guard let object = record.objectValue else { return ["record is \(record.typeName), not an object"] }
        var problems: [String] = []
        func requireText(_ key: String, _ value: JSONValue?, allowEmpty: Bool = false) {
            guard let value else { problems.append("missing \(key)"); return }
            guard let s = value.stringValue else { problems.append("\(key) is \(value.typeName), not a string"); return }
            if !allowEmpty && s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("\(key) is empty") }
        }
        switch format.style {
        case .alpaca:
            requireText("instruction", object["instruction"])
            requireText("input", object["input"], allowEmpty: true)
            if format.preference {
                requireText("chosen", object["chosen"])
                requireText("rejected", object["rejected"])
                if let c = object["chosen"]?.stringValue, c == object["rejected"]?.stringValue { problems.append("chosen and rejected are identical") }
            } else {
                requireText("output", object["output"])
            }
        case .sharegpt:
            problems += conversation(object["conversations"], key: "conversations", roleKey: "from", contentKey: "value",
                                     user: "human", assistant: "gpt", system: "system", preference: format.preference)
            if format.preference { problems += preferencePair(object, roleKey: "from", contentKey: "value", assistant: "gpt") }
        case .openai:
            problems += conversation(object["messages"], key: "messages", roleKey: "role", contentKey: "content",
                                     user: "user", assistant: "assistant", system: "system", preference: format.preference)
            if format.preference { problems += preferencePair(object, roleKey: "role", contentKey: "content", assistant: "assistant") }
        }
        return problems
    }

    private func conversation(_ value: JSONValue?, key: String, roleKey: String, contentKey: String,
                              user: String, assistant: String, system: String, preference: Bool) -> [String] {
        guard let turns = value?.arrayValue else { return ["missing \(key) array"] }
        var problems: [String] = []
        var expected = user
        var count = 0
        var lastRole = ""
        for (i, turn) in turns.enumerated() {
            guard let role = turn[roleKey]?.stringValue else { problems.append("\(key)[\(i)] has no \(roleKey)"); continue }
            guard let content = turn[contentKey]?.stringValue, !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                problems.append("\(key)[\(i)] has an empty \(contentKey)"); continue
            }
            if role == system && i == 0 { continue }
            if role != expected { problems.append("\(key)[\(i)] is \(role), expected \(expected)") }
            expected = expected == user ? assistant : user
            lastRole = role
            count += 1
        }
        if count == 0 { problems.append("\(key) is empty") }
        if preference {
            if lastRole != user { problems.append("\(key) must end with a \(user) message in a preference record") }
        } else if count > 0 && lastRole != assistant {
            problems.append("\(key) must end with an \(assistant) message")
        }
        return problems
    }

    private func preferencePair(_ object: JSONObject, roleKey: String, contentKey: String, assistant: String) -> [String] {
        var problems: [String] = []
        var texts: [String] = []
        for key in ["chosen", "rejected"] {
            guard let message = object[key], message[roleKey]?.stringValue == assistant,
                  let content = message[contentKey]?.stringValue, !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                problems.append("\(key) must be a non-empty \(assistant) message")
                continue
            }
            texts.append(content)
        }
        if texts.count == 2 && texts[0] == texts[1] { problems.append("chosen and rejected are identical") }
        return problems
    }
}
