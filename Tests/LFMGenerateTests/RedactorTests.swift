import Foundation
import Testing
import LFMCore
@testable import LFMGenerate

@Suite struct RedactorTests {
    static let key = "sk-LEAKTEST-0123456789abcdefXYZ"

    @Test func wholeKeyAndEveryPrefixOfEightOrMoreCharacters() {
        let r = Redactor(key: Self.key)
        #expect(r.redact("a \(Self.key) b") == "a [redacted] b")
        #expect(r.redact("cut: sk-LEAKT") == "cut: [redacted]")        // 8 characters
        #expect(r.redact("cut: sk-LEAKTEST-01…") == "cut: [redacted]…")
        #expect(r.redact("short: sk-LEAK") == "short: sk-LEAK")        // 7 characters stay
        #expect(r.redact("\(Self.key)\(Self.key)") == "[redacted][redacted]")
        #expect(r.redact("sk-sk-LEAKTEST!") == "sk-[redacted]!")
        #expect(r.redact("no key here") == "no key here")
        #expect(Redactor(key: nil).redact(Self.key) == Self.key)
        #expect(Redactor(key: "abcde").redact("xabcdex abcd") == "x[redacted]x abcd")
        #expect(Redactor(key: "ключ-секретный-1").redact("это ключ-сек и всё") == "это [redacted] и всё")
    }

    @Test func redactsBeforeTruncating() async throws {
        // A 400 whose message has the key across the 300th character, and a 200 that is not JSON
        // with the key across the 200th: the start of the key must not survive the cut.
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        var configuration = ChatClientConfiguration(baseURL: server.baseURL, apiKey: Self.key)
        configuration.maxAttempts = 1
        let client = try ChatClient(configuration: configuration)
        for marker in ["MOCK_KEY_CUT", "MOCK_KEY_NOTJSON", "MOCK_STATUS_401"] {
            do {
                _ = try await client.complete(model: "m", messages: [.user(marker)], temperature: nil)
                Issue.record("\(marker): expected an error")
            } catch {
                #expect(!error.description.contains("sk-LEAKT"), "\(marker): \(error.description)")
                #expect(error.description.contains("[redacted]"), "\(marker): \(error.description)")
            }
        }
        let reply = try await client.complete(model: "m", messages: [.user("MOCK_KEY_IN_RECORD")], temperature: nil)
        #expect(!reply.content.contains("sk-LEAKT") && reply.content.contains("[redacted]"))
    }
}

@Suite struct TransportCancellationTests {
    /// Cancelling many requests in flight returns at once (URLSession's own async API deadlocked
    /// here on Linux when it was the transport: `URLSessionTask.cancel()` from the cancellation handler).
    @Test func cancellingRequestsInFlightReturnsPromptly() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir, config: JSONObject(["latency_ms": .int(600_000)]))
        defer { server.stop() }
        let transport = CurlTransport()
        let request = HTTPRequest(url: URL(string: server.baseURL + "/chat/completions")!,
                                  body: Array(#"{"messages":[{"role":"user","content":"x"}]}"#.utf8), timeout: 60)
        for round in 0..<5 {
            let started = Date()
            let outcomes = await withTaskGroup(of: HTTPTransportError?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do { _ = try await transport.send(request); return nil } catch { return error as? HTTPTransportError }
                    }
                }
                try? await Task.sleep(nanoseconds: 300_000_000)
                group.cancelAll()
                var all: [HTTPTransportError?] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.allSatisfy { $0 == .cancelled }, "round \(round): \(outcomes)")
            // The server answers after 10 minutes: a bound far below that, far above a loaded machine's pauses.
            #expect(Date().timeIntervalSince(started) < 300, "round \(round) waited for the server")
        }
    }

    @Test func wholeRequestDeadline() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir, config: JSONObject(["latency_ms": .int(600_000)]))
        defer { server.stop() }
        let request = HTTPRequest(url: URL(string: server.baseURL + "/chat/completions")!,
                                  body: Array(#"{"messages":[{"role":"user","content":"x"}]}"#.utf8), timeout: 1)
        let started = Date()
        await #expect(throws: HTTPTransportError.timedOut) { _ = try await CurlTransport().send(request) }
        #expect(Date().timeIntervalSince(started) < 300)  // the server answers after 10 minutes
    }

    @Test func namesTheCauseOfAConnectionFailure() async throws {
        let refused = HTTPRequest(url: URL(string: "http://127.0.0.1:1/v1/chat/completions")!, timeout: 20)
        do {
            _ = try await CurlTransport().send(refused)
            Issue.record("expected a connection error")
        } catch let error as HTTPTransportError {
            #expect(error == .connection("connection refused by 127.0.0.1:1 (is the server running? check --base-url)"))
        }
        let classified = TransportFailure.classify(curlCode: 6, detail: "Could not resolve host: api.example.invalid", url: URL(string: "https://api.example.invalid/v1"))
        #expect(classified == .connection("cannot resolve host api.example.invalid (DNS lookup failed: check --base-url and the network)"))
        if case .connection(let text) = TransportFailure.classify(curlCode: 60, detail: "SSL certificate problem: self-signed certificate", url: URL(string: "https://h/v1")) {
            #expect(text.hasPrefix("TLS handshake with h failed"))
        } else {
            Issue.record("TLS not classified")
        }
    }
}
