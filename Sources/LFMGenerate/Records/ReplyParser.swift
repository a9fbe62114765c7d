import Foundation
import LFMCore

/// Turns a chat model's reply into examples, whatever wrapping the model chose: `<think>` blocks
/// (closed, unclosed, or a stray closing tag), code fences, prose around the JSON, one object
/// instead of an array, `{"data": [...]}`-style wrappers, several arrays, JSON Lines, trailing
/// commas, raw newlines in strings, cut-off arrays; alternative key names are mapped.
public enum ReplyParser {
    public struct Result: Sendable {
        public var examples: [Example]
        public var rejected: [RejectedItem]
        /// Whether any JSON value was found at all.
        public var foundJSON: Bool
        public var repairs: [String]
    }

    static let instructionKeys = ["instruction", "question", "prompt", "query", "q", "ask", "task", "user", "human", "问题", "指令", "提问"]
    static let inputKeys = ["input", "context", "输入", "上下文"]
    static let outputKeys = ["output", "answer", "response", "completion", "a", "reply", "assistant", "gpt", "回答", "答案", "输出"]
    static let conversationKeys = ["messages", "conversations", "conversation", "dialogue", "dialog", "turns"]
    static let wrapperKeys = ["data", "records", "items", "examples", "dataset", "results", "qa_pairs", "pairs", "questions", "samples", "qa", "list", "answers"]

    public static func parse(_ reply: String) -> Result {
        let cleaned = stripReasoning(reply)
        var found = JSONExtractor.values(in: cleaned)
        if found.isEmpty && cleaned != reply {
            found = JSONExtractor.values(in: reply)  // JSON written inside an unclosed reasoning block
        }
        var examples: [Example] = []
        var rejected: [RejectedItem] = []
        var repairs: [String] = []
        for value in found {
            repairs.append(contentsOf: value.repairs)
            for item in unwrap(value.value) {
                switch example(from: item) {
                case .success(let example): examples.append(example)
                case .failure(let reason): rejected.append(RejectedItem(item: JSONPrinter(indent: nil).string(item), reason: reason.message))
                }
            }
        }
        return Result(examples: examples, rejected: rejected, foundJSON: !found.isEmpty, repairs: Array(Set(repairs)).sorted())
    }

    /// Answers of a "answer these questions" reply: an array of strings or of objects with an answer.
    public static func parseAnswers(_ reply: String) -> [String] {
        let cleaned = stripReasoning(reply)
        for found in JSONExtractor.values(in: cleaned) {
            let items = unwrap(found.value)
            let answers = items.compactMap { item -> String? in
                if let s = item.stringValue { return s.trimmingCharacters(in: .whitespacesAndNewlines) }
                guard let object = item.objectValue else { return nil }
                return text(lookup(object, outputKeys + ["rejected", "content", "text"]))
            }
            if !answers.isEmpty { return answers }
        }
        return []
    }

    /// Removes `<think>…</think>` (and `<thinking>`, `<reasoning>`) blocks; an unclosed opening
    /// tag drops the rest; a closing tag with no opening drops everything before it.
    public static func stripReasoning(_ text: String) -> String {
        var result = text
        for tag in ["think", "thinking", "reasoning"] {
            let open = "<\(tag)>", close = "</\(tag)>"
            while let o = result.range(of: open, options: .caseInsensitive) {
                if let c = result.range(of: close, options: .caseInsensitive, range: o.upperBound..<result.endIndex) {
                    result.removeSubrange(o.lowerBound..<c.upperBound)
                } else {
                    result.removeSubrange(o.lowerBound..<result.endIndex)
                }
            }
            if let c = result.range(of: close, options: [.caseInsensitive, .backwards]) {
                result.removeSubrange(result.startIndex..<c.upperBound)
            }
        }
        return result
    }

    /// The records inside a parsed value: an array's items, a wrapper's array, or one object.
    static func unwrap(_ value: JSONValue) -> [JSONValue] {
        switch value {
        case .array(let items):
            if items.count == 1, let object = items[0].objectValue, let inner = wrapped(object) { return inner }
            return items
        case .object(let object):
            return wrapped(object) ?? [value]
        default:
            return []
        }
    }

    private static func wrapped(_ object: JSONObject) -> [JSONValue]? {
        if conversationKeys.contains(where: { object.contains($0) }) { return nil }
        for member in object.members where wrapperKeys.contains(member.key.lowercased()) {
            if let items = member.value.arrayValue { return items }
        }
        if object.count == 1, let items = object.members[0].value.arrayValue, items.allSatisfy({ $0.objectValue != nil }), !items.isEmpty {
            return items
        }
        return nil
    }

    struct Reason: Error { var message: String }

    static func example(from item: JSONValue) -> Swift.Result<Example, Reason> {
        guard let object = item.objectValue else { return .failure(Reason(message: "not an object (\(item.typeName))")) }
        for key in conversationKeys {
            if let turns = lookup(object, [key])?.arrayValue { return conversation(turns, system: text(lookup(object, ["system"]))) }
        }
        var instruction = text(lookup(object, instructionKeys)) ?? ""
        var input = text(lookup(object, inputKeys)) ?? ""
        let output = text(lookup(object, outputKeys)) ?? ""
        if instruction.isEmpty && !input.isEmpty { instruction = input; input = "" }
        if instruction.isEmpty { return .failure(Reason(message: "no instruction/question")) }
        if output.isEmpty { return .failure(Reason(message: "no output/answer")) }
        return .success(Example(instruction: instruction, input: input, output: output, system: text(lookup(object, ["system"]))))
    }

    static func conversation(_ turns: [JSONValue], system: String?) -> Swift.Result<Example, Reason> {
        var system = system
        var messages: [(role: String, content: String)] = []
        for turn in turns {
            guard let object = turn.objectValue else { return .failure(Reason(message: "conversation turn is not an object")) }
            let role = (text(lookup(object, ["role", "from", "speaker", "author"])) ?? "").lowercased()
            let content = text(lookup(object, ["content", "value", "text", "message"])) ?? ""
            switch role {
            case "system":
                system = content
                continue
            case "user", "human", "question", "questioner":
                messages.append(("user", content))
            case "assistant", "gpt", "bot", "model", "ai", "answer":
                messages.append(("assistant", content))
            default:
                return .failure(Reason(message: "unknown role '\(role)'"))
            }
            if content.isEmpty { return .failure(Reason(message: "empty \(messages.last!.role) message")) }
        }
        guard messages.count >= 2, messages.count % 2 == 0 else {
            return .failure(Reason(message: "conversation must be user/assistant pairs (got \(messages.count) messages)"))
        }
        for (i, message) in messages.enumerated() where message.role != (i % 2 == 0 ? "user" : "assistant") {
            return .failure(Reason(message: "roles must alternate user/assistant (message \(i + 1) is \(message.role))"))
        }
        var history: [Example.Exchange] = []
        for pair in stride(from: 0, to: messages.count - 2, by: 2) {
            history.append(Example.Exchange(user: messages[pair].content, assistant: messages[pair + 1].content))
        }
        return .success(Example(instruction: messages[messages.count - 2].content, output: messages[messages.count - 1].content, history: history, system: system))
    }

    /// The first member whose lowercased key is in `keys` (in `keys` order).
    static func lookup(_ object: JSONObject, _ keys: [String]) -> JSONValue? {
        for key in keys {
            for member in object.members where member.key.lowercased() == key { return member.value }
        }
        return nil
    }

    /// A value as text: strings trimmed, numbers as written, string lists one per line.
    static func text(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        switch value {
        case .string(let s): return s.trimmingCharacters(in: .whitespacesAndNewlines)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return nil
        case .array(let items):
            if items.allSatisfy({ $0.stringValue != nil }) { return items.compactMap { $0.stringValue }.joined(separator: "\n") }
            return JSONPrinter(indent: nil).string(value)
        case .object: return JSONPrinter(indent: nil).string(value)
        }
    }

    /// Why a reply produced nothing, in words a user can act on.
    public static func failureHint(reply: String, finishReason: String?) -> String {
        let trimmed = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        if finishReason == "length" {
            return "reply was cut off (finish_reason=length): raise max tokens or lower --per-chunk"
        }
        if trimmed.isEmpty { return "empty reply" }
        let lower = trimmed.lowercased()
        if (lower.contains("<think>") && !lower.contains("</think>")) || (lower.hasPrefix("<think>") && stripReasoning(trimmed).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty) {
            return "reasoning model output: the reply is only reasoning (<think>) with no answer; raise max tokens or use a non-reasoning model"
        }
        if !trimmed.contains("[") && !trimmed.contains("{") {
            return "reply contains no JSON (the model answered in prose); try a stronger model or a clearer --prompt"
        }
        return "reply JSON could not be read or repaired, or its items lack instruction/output fields"
    }
}
