import LFMCore

/// Writes examples as Alpaca, ShareGPT or OpenAI records (preference variants included), the
/// shapes LLaMA-Factory's dataset_info.json expects.
public struct RecordFormatter: Sendable {
    public var format: GenerateFormat
    /// Put into every record (Alpaca `system`, a ShareGPT `system` field, an OpenAI system message).
    public var systemPrompt: String?

    public init(format: GenerateFormat, systemPrompt: String? = nil) {
        self.format = format
        self.systemPrompt = systemPrompt.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func record(_ example: Example) -> JSONValue {
        var object = JSONObject()
        switch format.style {
        case .alpaca:
            object["instruction"] = .string(example.instruction)
            object["input"] = .string(example.input)
            if format.preference {
                object["chosen"] = .string(example.output)
                object["rejected"] = .string(example.rejected ?? "")
            } else {
                object["output"] = .string(example.output)
            }
            if let systemPrompt { object["system"] = .string(systemPrompt) }
            if !example.history.isEmpty {
                object["history"] = .array(example.history.map { .array([.string($0.user), .string($0.assistant)]) })
            }
        case .sharegpt:
            var turns: [JSONValue] = []
            for exchange in example.history {
                turns.append(message("from", "human", "value", exchange.user))
                turns.append(message("from", "gpt", "value", exchange.assistant))
            }
            turns.append(message("from", "human", "value", example.prompt))
            if format.preference {
                object["conversations"] = .array(turns)
                object["chosen"] = message("from", "gpt", "value", example.output)
                object["rejected"] = message("from", "gpt", "value", example.rejected ?? "")
            } else {
                turns.append(message("from", "gpt", "value", example.output))
                object["conversations"] = .array(turns)
            }
            if let systemPrompt { object["system"] = .string(systemPrompt) }
        case .openai:
            var turns: [JSONValue] = []
            if let systemPrompt { turns.append(message("role", "system", "content", systemPrompt)) }
            for exchange in example.history {
                turns.append(message("role", "user", "content", exchange.user))
                turns.append(message("role", "assistant", "content", exchange.assistant))
            }
            turns.append(message("role", "user", "content", example.prompt))
            if format.preference {
                object["messages"] = .array(turns)
                object["chosen"] = message("role", "assistant", "content", example.output)
                object["rejected"] = message("role", "assistant", "content", example.rejected ?? "")
            } else {
                turns.append(message("role", "assistant", "content", example.output))
                object["messages"] = .array(turns)
            }
        }
        return .object(object)
    }

    private func message(_ roleKey: String, _ role: String, _ contentKey: String, _ content: String) -> JSONValue {
        .object(JSONObject([JSONMember(roleKey, .string(role)), JSONMember(contentKey, .string(content))]))
    }

    /// The user side of a record (all user turns), the key for duplicate detection.
    public static func promptText(of record: JSONValue, format: GenerateFormat) -> String {
        switch format.style {
        case .alpaca:
            let instruction = record["instruction"]?.stringValue ?? ""
            let input = record["input"]?.stringValue ?? ""
            return input.isEmpty ? instruction : instruction + "\n" + input
        case .sharegpt:
            return (record["conversations"]?.arrayValue ?? []).filter { $0["from"]?.stringValue == "human" }
                .compactMap { $0["value"]?.stringValue }.joined(separator: "\n")
        case .openai:
            return (record["messages"]?.arrayValue ?? []).filter { $0["role"]?.stringValue == "user" }
                .compactMap { $0["content"]?.stringValue }.joined(separator: "\n")
        }
    }
}
