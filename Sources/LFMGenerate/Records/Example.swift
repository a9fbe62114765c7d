/// One generated training example before it is written in the output format.
///
/// Single-turn: `instruction` (+ optional `input`) → `output`. Multi-turn conversations keep
/// their earlier exchanges in `history` (LLaMA-Factory's Alpaca `history` semantics).
public struct Example: Sendable, Equatable {
    public struct Exchange: Sendable, Equatable {
        public var user: String
        public var assistant: String
        public init(user: String, assistant: String) {
            self.user = user
            self.assistant = assistant
        }
    }

    public var instruction: String
    public var input: String
    public var output: String
    public var history: [Exchange]
    public var system: String?
    /// Preference pairs: the answer given without the document.
    public var rejected: String?

    public init(instruction: String, input: String = "", output: String, history: [Exchange] = [], system: String? = nil, rejected: String? = nil) {
        self.instruction = instruction
        self.input = input
        self.output = output
        self.history = history
        self.system = system
        self.rejected = rejected
    }

    /// The user's last message as one text (instruction, blank line, input).
    public var prompt: String { input.isEmpty ? instruction : instruction + "\n\n" + input }
}

/// An item of a reply that did not become an example.
public struct RejectedItem: Sendable, Equatable, Codable {
    public var item: String
    public var reason: String
    public init(item: String, reason: String) {
        self.item = item
        self.reason = reason
    }
}
