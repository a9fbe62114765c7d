import Foundation
import Testing
import LFMCore
@testable import LFMGenerate

@Suite struct ChatClientTests {
    func client(_ server: MockOpenAIServer, concurrency: Int = 4, attempts: Int = 4, timeout: Double = 5) throws -> ChatClient {
        var c = ChatClientConfiguration(baseURL: server.baseURL, apiKey: Fixtures.testKey)
        c.concurrency = concurrency
        c.maxAttempts = attempts
        c.retryBaseDelay = 0.05
        c.retryMaxDelay = 3
        c.timeout = timeout
        return try ChatClient(configuration: c)
    }

    @Test func sendsModelMessagesAndBearerKeyAndSumsUsage() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        let chat = try client(server)
        let reply = try await chat.complete(model: "m1", messages: [.system("s"), .user("hello")], temperature: 0.3)
        _ = try await chat.complete(model: "m1", messages: [.user("again")], temperature: 0.3)
        #expect(ReplyParser.parse(reply.content).examples.count == 2)
        #expect(chat.statistics.usage == TokenUsage(promptTokens: 200, completionTokens: 100))
        let request = try #require(server.requests().first)
        #expect(request["path"]?.stringValue == "/v1/chat/completions")
        #expect(request["headers"]?["Authorization"]?.stringValue == "Bearer \(Fixtures.testKey)")
        let body = try JSONParser.parse(request["body"]?.stringValue ?? "")
        #expect(body["model"]?.stringValue == "m1")
        #expect(body["temperature"]?.stringValue == nil && body["temperature"]?.doubleValue == 0.3)
        #expect(body["messages"]?.arrayValue?.count == 2)
    }

    @Test func retries429HonouringRetryAfter() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir, config: JSONObject(["retry_after": .string("1")]))
        defer { server.stop() }
        let chat = try client(server)
        let start = Date()
        let reply = try await chat.complete(model: "m", messages: [.user("MOCK_429 please")], temperature: nil)
        let elapsed = Date().timeIntervalSince(start)
        #expect(reply.attempts == 2)
        #expect(elapsed >= 0.95)  // waited Retry-After, not the 0.05 s backoff
        #expect(chat.statistics.retries == 1)
        #expect(server.stats()["requests"] == 2)
    }

    @Test func retries500ThenSucceeds() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        let reply = try await client(server).complete(model: "m", messages: [.user("MOCK_500")], temperature: nil)
        #expect(reply.attempts == 2)
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        await #expect(throws: ChatError.http(status: 500, message: "internal error")) {
            try await client(server, attempts: 3).complete(model: "m", messages: [.user("MOCK_ALWAYS_500")], temperature: nil)
        }
        #expect(server.stats()["requests"] == 3)
    }

    @Test func timeoutIsRetriedThenSucceeds() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        let start = Date()
        let reply = try await client(server, timeout: 1).complete(model: "m", messages: [.user("MOCK_HANG_ONCE")], temperature: nil)
        // 2, or more where a loaded machine made the mock miss the 1 s timeout once more.
        #expect(reply.attempts >= 2)
        #expect(Date().timeIntervalSince(start) < 45)  // retried after the 1 s timeout, not after the mock's 60 s hang
    }

    @Test func unauthorizedIsFatalAndKeyIsRedacted() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        do {
            _ = try await client(server).complete(model: "m", messages: [.user("MOCK_401")], temperature: nil)
            Issue.record("expected an error")
        } catch let error as ChatError {
            #expect(error.isFatal)
            #expect(!error.description.contains(Fixtures.testKey))
            #expect(error.description.contains("[redacted]"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(server.stats()["requests"] == 1)  // 401 is not retried
    }

    @Test func connectionRefusedIsRetriedAndReported() async throws {
        var c = ChatClientConfiguration(baseURL: "http://127.0.0.1:9/v1", apiKey: nil)
        c.maxAttempts = 2
        c.retryBaseDelay = 0.01
        let chat = try ChatClient(configuration: c)
        await #expect(throws: ChatError.self) { try await chat.complete(model: "m", messages: [.user("x")], temperature: nil) }
        #expect(chat.statistics.retries == 1)
    }

    @Test func concurrencyLimitRespected() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir, config: JSONObject(["latency_ms": .int(150)]))
        defer { server.stop() }
        let chat = try client(server, concurrency: 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<12 {
                group.addTask { _ = try await chat.complete(model: "m", messages: [.user("r\(i)")], temperature: nil) }
            }
            try await group.waitForAll()
        }
        let maxInFlight = server.stats()["max_in_flight"] ?? 0
        #expect(maxInFlight <= 3)
        #expect(maxInFlight > 1)
        #expect(server.requests().allSatisfy { ($0["in_flight"]?.intValue ?? 99) <= 3 })
    }

    @Test func retryAfterParsing() {
        #expect(ChatClient.retryAfter(["retry-after": "7"]) == 7)
        #expect(ChatClient.retryAfter(["retry-after-ms": "250", "retry-after": "7"]) == 0.25)
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(ChatClient.retryAfter(["retry-after": "Sun, 06 Nov 1994 08:49:47 GMT"], now: now) == 10)
        #expect(ChatClient.retryAfter(["retry-after": "soon"]) == nil)
        #expect(ChatClient.retryAfter([:]) == nil)
    }

    @Test func backoffGrowsWithJitterAndCap() throws {
        var c = ChatClientConfiguration(baseURL: "http://127.0.0.1:1/v1", apiKey: nil)
        c.retryBaseDelay = 1
        c.retryMaxDelay = 5
        let chat = try ChatClient(configuration: c)
        for _ in 0..<20 {
            let d1 = chat.backoff(attempt: 1), d3 = chat.backoff(attempt: 3), d9 = chat.backoff(attempt: 9)
            #expect(d1 >= 0.5 && d1 <= 1)
            #expect(d3 >= 2 && d3 <= 4)
            #expect(d9 >= 2.5 && d9 <= 5)
        }
    }

    @Test func rateLimiterPacesRequestsPerMinute() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(requestsPerMinute: 2, tokensPerMinute: nil, clock: { clock.now }, sleep: { clock.sleep($0) })
        try await limiter.acquire(tokens: 0)
        clock.advance(10)
        try await limiter.acquire(tokens: 0)
        #expect(clock.waits.isEmpty, "two requests fit in a minute: \(clock.waits)")
        clock.advance(5)
        // A third request in the same minute waits until the first leaves the window (45 s).
        try await limiter.acquire(tokens: 0)
        #expect(clock.waits.count == 1 && abs(clock.waits[0] - 45.001) < 1e-6, "\(clock.waits)")
    }

    @Test func rateLimiterTokensPerMinute() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(requestsPerMinute: nil, tokensPerMinute: 1000, clock: { clock.now }, sleep: { clock.sleep($0) })
        try await limiter.acquire(tokens: 600)
        clock.advance(5)
        // 600 more do not fit in the minute: wait until the first 600 leave it (55 s).
        try await limiter.acquire(tokens: 600)
        #expect(clock.waits.count == 1 && abs(clock.waits[0] - 55.001) < 1e-6, "\(clock.waits)")
        try await limiter.acquire(tokens: 300)  // still fits
        #expect(clock.waits.count == 1, "\(clock.waits)")
    }

    @Test func aRequestWaitingForTheLimiterIsCancelled() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(requestsPerMinute: 1, tokensPerMinute: nil, clock: { clock.now }, sleep: { _ in
            clock.sleep(0)  // counts the wait, moves no time
            try await Task.sleep(for: .seconds(3600))
        })
        try await limiter.acquire(tokens: 0)
        let waiter = Task { try await limiter.acquire(tokens: 0) }
        // Cancelled only once it surely waits (a bound on a loaded machine, not a speed target).
        #expect(await eventually { !clock.waits.isEmpty })
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}

/// A clock a test moves by hand: `sleep` records each wait and moves the time by it at once.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time = 1_000.0
    private var recorded: [Double] = []

    var now: Double { lock.withLock { time } }
    var waits: [Double] { lock.withLock { recorded } }
    func advance(_ seconds: Double) { lock.withLock { time += seconds } }
    func sleep(_ seconds: Double) { lock.withLock { recorded.append(seconds); time += seconds } }
}
