import LFMCore

/// The role of one message, independent of how a format spells it.
public enum Role: String, Sendable, Equatable, Hashable {
    case user, assistant, observation, function
}

public struct Turn: Sendable, Equatable, Hashable {
    public var role: Role
    public var content: String
    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// One record as LLaMA-Factory's converters see it: an optional system prompt and tools, the
/// prompt turns, and the answer (one response, a chosen/rejected pair, or a KTO-labelled
/// response). Fields no converter reads (images, ids, ...) ride along in `extras`.
public struct Conversation: Sendable, Equatable {
    public enum Answer: Sendable, Equatable {
        /// SFT: the last turn of `turns` is the response.
        case single
        /// No response: pretraining text or unsupervised prompts (every turn is prompt).
        case none
        case preference(chosen: Turn, rejected: Turn)
        case kto(desirable: Bool)
    }

    public var system: String?
    /// The tools description, as it was (a string, or a JSON list/object).
    public var tools: JSONValue?
    /// SFT/KTO: the whole conversation ending with the response. Preference: the prompt, ending with a user turn.
    public var turns: [Turn]
    public var answer: Answer
    /// Fields that are not part of the conversation, in their original order.
    public var extras: [JSONMember]

    public init(system: String? = nil, tools: JSONValue? = nil, turns: [Turn], answer: Answer = .single, extras: [JSONMember] = []) {
        self.system = system
        self.tools = tools
        self.turns = turns
        self.answer = answer
        self.extras = extras
    }

    /// The turns before the response (SFT/KTO), or all turns (preference).
    public var promptTurns: ArraySlice<Turn> {
        switch answer {
        case .preference, .none: return turns[...]
        case .single, .kto: break
        }
        return turns.isEmpty ? turns[...] : turns.dropLast()
    }

    /// The response texts: one for SFT/KTO, chosen and rejected for preference.
    public var responses: [String] {
        switch answer {
        case .preference(let chosen, let rejected): return [chosen.content, rejected.content]
        case .single, .kto: return turns.last.map { [$0.content] } ?? []
        case .none: return []
        }
    }

    /// Everything the model reads before answering: system, tools and prompt turns.
    public var promptText: String {
        // perf: one prompt turn alone is its own text (no array, no copy; `lfm stats` reads
        // this for every record).
        if system?.isEmpty ?? true, tools == nil, case let prompt = promptTurns, prompt.count == 1 { return prompt.first!.content }
        var parts: [String] = []
        if let system, !system.isEmpty { parts.append(system) }
        if let tools { parts.append(tools.stringValue ?? JSONPrinter(indent: nil).string(tools)) }
        parts.append(contentsOf: promptTurns.map(\.content))
        return parts.joined(separator: "\n")
    }

    /// The prompt turns only (user, observation, earlier answers), without system and tools:
    /// what `lfm dedupe` compares by default.
    public var instructionText: String {
        promptTurns.map(\.content).joined(separator: "\n")
    }
}
