import Foundation

/// The record shape `lfm generate` writes.
public struct GenerateFormat: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Style: String, Sendable, Hashable, Codable, CaseIterable {
        /// `{instruction, input, output}` (preference: `{instruction, input, chosen, rejected}`).
        case alpaca
        /// `{conversations: [{from, value}]}` (preference: plus `chosen`/`rejected` messages).
        case sharegpt
        /// `{messages: [{role, content}]}` (preference: plus `chosen`/`rejected` messages).
        case openai
    }

    public var style: Style
    /// Preference (DPO) pairs: chosen = grounded in the chunk, rejected = answered without it.
    public var preference: Bool

    public init(style: Style, preference: Bool = false) {
        self.style = style
        self.preference = preference
    }

    public static let alpaca = GenerateFormat(style: .alpaca)
    public static let sharegpt = GenerateFormat(style: .sharegpt)
    public static let openai = GenerateFormat(style: .openai)

    /// Parses `alpaca`, `sharegpt`, `openai`, optionally suffixed `-preference` / `-dpo`, or `preference`/`dpo` (= alpaca).
    public init?(name: String) {
        var text = name.lowercased()
        var preference = false
        for suffix in ["-preference", "-dpo", "_preference", "_dpo"] where text.hasSuffix(suffix) {
            preference = true
            text.removeLast(suffix.count)
        }
        if text == "preference" || text == "dpo" { text = "alpaca"; preference = true }
        if text == "messages" { text = "openai" }
        guard let style = Style(rawValue: text) else { return nil }
        self.init(style: style, preference: preference)
    }

    public var description: String { preference ? "\(style.rawValue)-preference" : style.rawValue }
}

/// Prompt language. `.auto` picks Chinese when more than 30% of a chunk's letters are CJK.
public enum PromptLanguage: String, Sendable, Codable, CaseIterable {
    case auto, english, chinese
}

/// Every knob of `lfm generate`. Defaults are documented per property; the CLI maps flags onto these.
public struct GenerateOptions: Sendable {
    // MARK: Input / output
    /// Files or directories (searched recursively, sorted, hidden entries skipped).
    public var inputs: [String]
    /// Output file. `.jsonl` → one record per line; anything else → a JSON array, indent 2.
    public var outputPath: String
    /// Record shape. Default: Alpaca.
    public var format: GenerateFormat = .alpaca
    /// Start over: delete the state folder (`<out>.lfm-state/`) first. Default false = resume.
    public var fresh: Bool = false

    // MARK: Chunking
    /// Target chunk size in characters. Default 2000.
    public var chunkSize: Int = 2000
    /// Overlap between consecutive chunks in characters, taken at sentence/paragraph boundaries. Default 0.
    public var chunkOverlap: Int = 0

    // MARK: Prompting
    /// Records requested per chunk (`--per-chunk`). Default 5.
    public var perChunk: Int = 5
    /// Prompt language. Default `.auto`.
    public var language: PromptLanguage = .auto
    /// A user prompt template file (`--prompt`) with `{text}`, `{heading}`, `{n}`, `{format}`, `{source}`.
    public var promptTemplatePath: String? = nil
    /// A system prompt to put into every generated record (Alpaca `system`, ShareGPT/OpenAI system message).
    public var recordSystemPrompt: String? = nil

    // MARK: API
    /// `--base-url`; when nil, `OPENAI_BASE_URL`, then `https://api.openai.com/v1`.
    public var baseURL: String? = nil
    /// Model name. Required for real runs; preview does not need it.
    public var model: String = ""
    /// Model for the rejected answers of preference pairs (`--rejected-model`). Default: `model`.
    public var rejectedModel: String? = nil
    /// Environment variable holding the API key. Default `OPENAI_API_KEY`. The key is never printed or stored.
    public var apiKeyEnvironmentVariable: String = "OPENAI_API_KEY"
    /// Sampling temperature. Default 0.7.
    public var temperature: Double = 0.7
    /// `max_tokens` for each reply; nil = the server's default.
    public var maxTokens: Int? = nil
    /// Requests in flight at once. Default 8.
    public var concurrency: Int = 8
    /// Requests per minute; nil = unlimited.
    public var requestsPerMinute: Int? = nil
    /// Estimated tokens per minute (prompt estimate + expected reply); nil = unlimited.
    public var tokensPerMinute: Int? = nil
    /// Per-request timeout in seconds. Default 120.
    public var requestTimeout: Double = 120
    /// HTTP attempts per request (first try included). Default 5.
    public var maxAttempts: Int = 5
    /// First backoff delay in seconds (doubles each retry, with jitter). Default 1.
    public var retryBaseDelay: Double = 1
    /// Longest single wait between attempts, in seconds, Retry-After included. Default 60.
    public var retryMaxDelay: Double = 60
    /// Times a chunk is asked again when its reply holds no usable record. Default 2 (first ask included).
    public var replyAttempts: Int = 2

    /// Environment used for `OPENAI_BASE_URL` and the API key. Default: the process environment.
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init(inputs: [String], outputPath: String) {
        self.inputs = inputs
        self.outputPath = outputPath
    }

    /// The base URL actually used.
    public var resolvedBaseURL: String {
        if let baseURL, !baseURL.isEmpty { return baseURL }
        if let env = environment["OPENAI_BASE_URL"], !env.isEmpty { return env }
        return "https://api.openai.com/v1"
    }

    /// `<out>.lfm-state`, next to the output.
    public var stateDirectory: String { outputPath + ".lfm-state" }

    /// Checks the values that would make a run meaningless.
    public func validate(needsModel: Bool) throws(GenerateError) {
        if inputs.isEmpty { throw .invalidOption("no input documents given") }
        if outputPath.isEmpty { throw .invalidOption("no output path given") }
        if chunkSize < 100 { throw .invalidOption("chunk size must be at least 100 characters (got \(chunkSize))") }
        if chunkOverlap < 0 || chunkOverlap >= chunkSize / 2 {
            throw .invalidOption("chunk overlap must be between 0 and half the chunk size (got \(chunkOverlap))")
        }
        if perChunk < 1 || perChunk > 100 { throw .invalidOption("--per-chunk must be between 1 and 100 (got \(perChunk))") }
        if concurrency < 1 || concurrency > 256 { throw .invalidOption("concurrency must be between 1 and 256 (got \(concurrency))") }
        if maxAttempts < 1 { throw .invalidOption("max attempts must be at least 1") }
        if replyAttempts < 1 { throw .invalidOption("reply attempts must be at least 1") }
        if requestTimeout <= 0 { throw .invalidOption("request timeout must be positive") }
        if let rpm = requestsPerMinute, rpm < 1 { throw .invalidOption("requests per minute must be at least 1") }
        if let tpm = tokensPerMinute, tpm < 1 { throw .invalidOption("tokens per minute must be at least 1") }
        if needsModel && model.isEmpty { throw .invalidOption("no model given (--model)") }
        guard let url = URL(string: resolvedBaseURL), let scheme = url.scheme, scheme == "http" || scheme == "https" else {
            throw .invalidOption("base URL must start with http:// or https:// (got \(resolvedBaseURL))")
        }
    }
}

/// Errors that stop a whole run (per-document and per-chunk problems are reported, not thrown).
public enum GenerateError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidOption(String)
    case missingAPIKey(variable: String)
    case noDocuments(skipped: Int)
    case promptTemplate(String)
    /// The API refused in a way every other request would repeat (bad key, unknown model, bad URL).
    case fatalAPI(String)
    /// libcurl (loaded on first use) is missing: why dlopen failed.
    case httpUnavailable(String)
    case io(String)

    public var description: String {
        switch self {
        case .invalidOption(let m): return m
        case .missingAPIKey(let v): return "no API key: set \(v) (or pass --api-key-env NAME)"
        case .noDocuments(let skipped):
            return skipped > 0 ? "no readable documents (\(skipped) skipped)" : "no documents found"
        case .promptTemplate(let m): return "prompt template: \(m)"
        case .fatalAPI(let m): return m
        case .httpUnavailable(let reason): return "lfm generate needs libcurl for HTTP, and it could not be loaded (\(reason))"
        case .io(let m): return m
        }
    }
}
