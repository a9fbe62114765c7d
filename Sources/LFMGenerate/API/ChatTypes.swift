import Foundation

public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
}

/// Tokens as reported by the API's `usage`.
public struct TokenUsage: Sendable, Codable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int { promptTokens + completionTokens }

    public init(promptTokens: Int = 0, completionTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens)
    }
}

public struct ChatReply: Sendable {
    public var content: String
    /// `stop`, `length` (cut off), … when the server says.
    public var finishReason: String?
    public var usage: TokenUsage
    /// HTTP attempts it took (1 = no retry).
    public var attempts: Int
}

/// Why a chat request failed after its retries. Descriptions never contain the API key.
public enum ChatError: Error, Sendable, Equatable, CustomStringConvertible {
    case http(status: Int, message: String)
    case transport(String)
    case timedOut(seconds: Double)
    case badReply(String)
    case cancelled

    /// Failures every other request would repeat: stop the run instead of burning through chunks.
    public var isFatal: Bool {
        if case .http(let status, _) = self { return [401, 403, 404].contains(status) }
        return false
    }

    public var description: String {
        switch self {
        case .http(let status, let message):
            let hint: String
            switch status {
            case 401: hint = " (check the API key)"
            case 403: hint = " (the key is not allowed to use this model or endpoint)"
            case 404: hint = " (check --base-url and --model)"
            case 429: hint = " (rate limited; lower the concurrency or set requests/tokens per minute)"
            default: hint = ""
            }
            return "HTTP \(status)\(hint): \(message)"
        case .transport(let m): return "connection failed: \(m)"
        case .timedOut(let s): return "no reply within \(Int(s)) s"
        case .badReply(let m): return "unexpected reply: \(m)"
        case .cancelled: return "cancelled"
        }
    }
}

/// Settings of a chat client.
public struct ChatClientConfiguration: Sendable {
    /// e.g. `https://api.openai.com/v1`; `/chat/completions` is appended.
    public var baseURL: String
    /// Sent as `Authorization: Bearer …`; nil sends no header (local servers).
    public var apiKey: String?
    public var concurrency: Int = 8
    public var requestsPerMinute: Int? = nil
    public var tokensPerMinute: Int? = nil
    public var timeout: Double = 120
    public var maxAttempts: Int = 5
    public var retryBaseDelay: Double = 1
    public var retryMaxDelay: Double = 60
    public var maxTokens: Int? = nil

    public init(baseURL: String, apiKey: String?) {
        self.baseURL = baseURL
        self.apiKey = apiKey
    }
}

/// Running totals of a client.
public struct ChatStatistics: Sendable, Codable, Equatable {
    public var requests = 0
    public var retries = 0
    public var failures = 0
    public var usage = TokenUsage()
}
