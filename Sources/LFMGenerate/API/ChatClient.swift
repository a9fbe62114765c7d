import Foundation
import LFMSystem
import LFMCore

/// An OpenAI-compatible `/chat/completions` client with a concurrency limit, optional
/// requests/tokens-per-minute pacing, per-request timeouts, and retries with exponential
/// backoff and jitter on 429/500/502/503/504, timeouts and connection errors, honouring
/// `Retry-After` (seconds or HTTP date) and `retry-after-ms`.
///
/// The API key goes into the `Authorization` header only. Everything that comes back from the
/// network (reply content, error bodies, transport messages) is redacted (`Redactor`: the key and
/// any 8+ character prefix of it) before it is truncated, returned, shown or saved.
public final class ChatClient: Sendable {
    public let configuration: ChatClientConfiguration
    private let transport: any HTTPTransport
    private let semaphore: AsyncSemaphore
    private let rateLimiter: RateLimiter
    private let stats = Locked(ChatStatistics())
    private let endpoint: URL
    private let redactor: Redactor

    public static let retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    public init(configuration: ChatClientConfiguration, transport: (any HTTPTransport)? = nil) throws(GenerateError) {
        self.configuration = configuration
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/chat/completions"), url.scheme == "http" || url.scheme == "https" else {
            throw .invalidOption("invalid base URL: \(configuration.baseURL)")
        }
        self.endpoint = url
        self.redactor = Redactor(key: configuration.apiKey)
        if let transport {
            self.transport = transport
        } else {
            try CurlTransport.require()
            self.transport = CurlTransport()
        }
        self.semaphore = AsyncSemaphore(limit: configuration.concurrency)
        self.rateLimiter = RateLimiter(requestsPerMinute: configuration.requestsPerMinute, tokensPerMinute: configuration.tokensPerMinute)
    }

    public var statistics: ChatStatistics { stats.current }

    /// Sends one chat request, retrying as configured. `estimatedTokens` feeds the tokens-per-minute limit.
    public func complete(model: String, messages: [ChatMessage], temperature: Double?, estimatedTokens: Int = 0) async throws(ChatError) -> ChatReply {
        let request = HTTPRequest(url: endpoint, method: "POST", headers: headers(), body: body(model: model, messages: messages, temperature: temperature), timeout: configuration.timeout)
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { throw .cancelled }
            let outcome: Result<HTTPResponse, HTTPTransportError>
            do {
                try await rateLimiter.acquire(tokens: estimatedTokens)
                try await semaphore.acquire()
            } catch {
                throw .cancelled
            }
            stats.withLock { $0.requests += 1 }
            do {
                outcome = .success(try await transport.send(request))
            } catch let error as HTTPTransportError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(.connection("\(error)"))
            }
            await semaphore.release()

            let failure: ChatError
            var retryAfter: Double? = nil
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                do {
                    var reply = try parseReply(response.body)
                    reply.attempts = attempt
                    let usage = reply.usage
                    stats.withLock { $0.usage = $0.usage + usage }
                    return reply
                } catch {
                    stats.withLock { $0.failures += 1 }
                    throw error  // a 200 with a body we cannot read: retrying the same request rarely helps
                }
            case .success(let response):
                failure = .http(status: response.status, message: errorMessage(response.body))
                retryAfter = Self.retryAfter(response.headers)
                if !Self.retryableStatuses.contains(response.status) {
                    stats.withLock { $0.failures += 1 }
                    throw failure
                }
            case .failure(.cancelled):
                throw .cancelled
            case .failure(.timedOut):
                failure = .timedOut(seconds: configuration.timeout)
            case .failure(.connection(let message)):
                failure = .transport(redact(message))
            }
            if attempt >= configuration.maxAttempts || Task.isCancelled {
                stats.withLock { $0.failures += 1 }
                throw Task.isCancelled ? .cancelled : failure
            }
            stats.withLock { $0.retries += 1 }
            let delay = min(configuration.retryMaxDelay, retryAfter ?? backoff(attempt: attempt))
            do {
                try await Task.sleep(nanoseconds: UInt64(max(0, delay) * 1_000_000_000))
            } catch {
                throw .cancelled
            }
        }
    }

    /// Exponential backoff with jitter: base·2^(attempt−1), scaled by a random factor in [0.5, 1].
    func backoff(attempt: Int) -> Double {
        let exponential = configuration.retryBaseDelay * pow(2, Double(attempt - 1))
        return min(configuration.retryMaxDelay, exponential) * Double.random(in: 0.5...1.0)
    }

    /// `retry-after-ms`, or `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ headers: [String: String], now: Date = Date()) -> Double? {
        if let ms = headers["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0 {
            return ms / 1000
        }
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: value) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }

    /// Replaces the API key and every 8+ character prefix of it.
    public func redact(_ text: String) -> String { redactor.redact(text) }

    /// The start of `body` as text, redacted and then cut to `limit` characters.
    private func excerpt(_ body: [UInt8], limit: Int) -> String {
        // Redact a generous window before cutting, so the cut cannot split a key into a short tail.
        let window = redact(String(decoding: body.prefix(limit * 4 + 1024), as: UTF8.self))
        return String(window.prefix(limit))
    }

    private func headers() -> [String: String] {
        var headers = ["Content-Type": "application/json", "Accept": "application/json", "User-Agent": "lfm-generate"]
        if let key = configuration.apiKey, !key.isEmpty { headers["Authorization"] = "Bearer \(key)" }
        return headers
    }

    private func body(model: String, messages: [ChatMessage], temperature: Double?) -> [UInt8] {
        var object = JSONObject()
        object["model"] = .string(model)
        object["messages"] = .array(messages.map { .object(JSONObject(["role": .string($0.role), "content": .string($0.content)])) })
        if let temperature { object["temperature"] = .number(String(temperature)) }
        if let maxTokens = configuration.maxTokens { object["max_tokens"] = .int(maxTokens) }
        return JSONPrinter(indent: nil).bytes(.object(object))
    }

    private func parseReply(_ body: [UInt8]) throws(ChatError) -> ChatReply {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch {
            throw .badReply("response is not JSON: \(excerpt(body, limit: 200))")
        }
        guard let choice = value["choices"]?.arrayValue?.first else {
            throw .badReply("no choices in response: \(excerpt(body, limit: 200))")
        }
        let message = choice["message"]
        var content = redact(message?["content"]?.stringValue ?? choice["text"]?.stringValue ?? "")
        // Some servers return reasoning separately; keep it out of the content but note an empty answer.
        if content.isEmpty, let reasoning = message?["reasoning_content"]?.stringValue, !reasoning.isEmpty {
            content = "<think>" + redact(reasoning) + "</think>"
        }
        let usage = TokenUsage(promptTokens: value["usage"]?["prompt_tokens"]?.intValue ?? 0,
                               completionTokens: value["usage"]?["completion_tokens"]?.intValue ?? 0)
        return ChatReply(content: content, finishReason: choice["finish_reason"]?.stringValue, usage: usage, attempts: 1)
    }

    private func errorMessage(_ body: [UInt8]) -> String {
        if let value = try? JSONParser.parse(body), let message = value["error"]?["message"]?.stringValue ?? value["error"]?.stringValue ?? value["message"]?.stringValue {
            return String(redact(message).prefix(300))
        }
        let text = excerpt(body, limit: 300).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }
}
