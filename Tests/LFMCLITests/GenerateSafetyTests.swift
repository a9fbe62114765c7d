import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Waits for a started `lfm` without blocking a test thread: polls with `Task.sleep`; after
/// `seconds` the process is SIGKILLed and nil returned (it hung).
func finish(_ running: RunningLFM, within seconds: Double) async throws -> CLIResult? {
    let deadline = Date().addingTimeInterval(seconds)
    while running.process.isRunning && Date() < deadline {
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    if running.process.isRunning {
        kill(running.process.processIdentifier, SIGKILL)
        while running.process.isRunning { try await Task.sleep(nanoseconds: 20_000_000) }
        return nil
    }
    return await running.wait()  // already exited: returns at once
}

/// `lfm generate` never hangs, never writes or prints the key, and says why it failed.
@Suite("lfm generate safety", .enabled(if: binaryAvailable && python3Available), .serialized)
struct GenerateSafetyTests {
    static let key = "sk-LEAKTEST-0123456789abcdefXYZ"
    /// The shortest key prefix that must never appear (8 characters).
    static let keyPrefix = String(key.prefix(8))

    static func document(sections: Int, markers: [Int: String] = [:]) -> String {
        var text = ""
        for i in 0..<sections {
            text += "# Section \(i)\n\n" + String(repeating: "Body text of section \(i) with details. ", count: 16)
            if let marker = markers[i] { text += " " + marker }
            text += "\n\n"
        }
        return text
    }

    static func configure(_ server: MockServer, _ json: String) throws {
        try Data(json.utf8).write(to: URL(fileURLWithPath: server.dir.path + "/config.json"))
    }

    static func generate(_ extra: [String], server: MockServer?, cwd: String, out: String = "out.json") throws -> RunningLFM {
        var arguments = ["generate", "doc.md", "--out", out, "--model", "m", "--chunk-size", "1200"]
        if let server { arguments += ["--base-url", server.baseURL] }
        return try RunningLFM(arguments + extra, cwd: cwd, environment: ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": nil])
    }

    /// A fatal status answered while seven other requests are in flight: before the fix about a
    /// third of these runs hung for good (group.cancelAll → URLSessionTask.cancel deadlock).
    @Test(arguments: [401, 403, 404])
    func fatalStatusWithRequestsInFlightStopsAtOnce(status: Int) async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        try Self.configure(server, #"{"latency_ms": 200}"#)
        let dir = try TempDir("lfm-fatal")
        try dir.write("doc.md", Self.document(sections: 40, markers: [3: "MOCK_STATUS_\(status)"]))
        for run in 0..<12 {
            let launched = Date()
            let running = try Self.generate(["--concurrency", "8", "--fresh"], server: server, cwd: dir.path)
            guard let result = try await Self.finishAfterFatal(running, server: server, fatal: "\(status)", since: launched) else {
                Issue.record("run \(run): lfm generate still ran 60 s after the server answered HTTP \(status) (killed)")
                return
            }
            #expect(result.status == 1, "run \(run): \(result.stderr)")
            let said = result.stderr.components(separatedBy: "HTTP \(status)").count - 1
            #expect(said == 1, "run \(run): the status once: \(result.stderr)")
            #expect(result.stderr.contains("Provider says no (\(status)) for key [redacted]"), "\(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains(Self.keyPrefix))
        }
    }

    /// What the mock logged: (server time, kind, instructions of a complete reply).
    static func replies(_ server: MockServer) -> [(time: Double, kind: String, instructions: [String])] {
        let text = (try? String(contentsOfFile: server.dir.path + "/replies.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let kind = entry["kind"] as? String, let time = entry["time"] as? Double else { return nil }
            return (time, kind, (entry["instructions"] as? [Any] ?? []).compactMap { $0 as? String })
        }
    }

    /// Waits for a run that the server stops with HTTP `fatal`. nil (and the run killed) when lfm
    /// still runs 60 s after the server sent that status: it hung. Times come from the server's
    /// log and from Foundation's exit notification, so a starved test thread pool cannot fake a
    /// hang or a slow stop; a passing stop is also checked to be within 30 s.
    static func finishAfterFatal(_ running: RunningLFM, server: MockServer, fatal: String, since launched: Date) async throws -> CLIResult? {
        func fatalSent() -> Double? {
            replies(server).first { $0.kind == fatal && $0.time >= launched.timeIntervalSince1970 - 1 }?.time
        }
        while running.process.isRunning {
            let overdue = fatalSent().map { Date().timeIntervalSince1970 - $0 > 60 } ?? false
            if overdue || Date().timeIntervalSince(launched) > 600 {
                kill(running.process.processIdentifier, SIGKILL)
                while running.process.isRunning { try await Task.sleep(nanoseconds: 20_000_000) }
                return nil
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let result = await running.wait()
        // Foundation clears isRunning a moment before it runs the termination handler.
        let handlerDeadline = Date().addingTimeInterval(60)
        while running.exitDate == nil && Date() < handlerDeadline { try await Task.sleep(nanoseconds: 10_000_000) }
        if let sent = fatalSent(), let exited = running.exitDate {
            #expect(exited.timeIntervalSince1970 - sent < 30, "lfm took \(exited.timeIntervalSince1970 - sent) s to stop after HTTP \(fatal)")
        } else {
            Issue.record("the server never answered HTTP \(fatal): \(result.stderr)")
        }
        return result
    }

    /// Ctrl-C and SIGTERM end a run whose requests are all waiting on a slow server.
    @Test(arguments: [SIGINT, SIGTERM])
    func signalsEndARunWithRequestsInFlight(signal: Int32) async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        try Self.configure(server, #"{"latency_ms": 60000}"#)
        let dir = try TempDir("lfm-signal")
        try dir.write("doc.md", Self.document(sections: 20))
        let running = try Self.generate(["--concurrency", "8"], server: server, cwd: dir.path)
        let giveUp = Date().addingTimeInterval(300)  // start-up on a loaded machine; not an assertion
        while server.requests < 8 && running.process.isRunning && Date() < giveUp {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(server.requests == 8)
        kill(running.process.processIdentifier, signal)
        // Far below the 60 s the requests would take: a bound on a loaded machine, not a speed target.
        let result = try #require(try await finish(running, within: 120), "lfm ignored signal \(signal)")
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("run the same command again to resume"))
    }

    /// Replies that echo the key (in a record, an error body cut at 300 characters, a non-JSON
    /// body cut at 200, prose) leave no 8+ character piece of it in any file or on the terminal.
    @Test func keyNeverOnDiskOrTerminal() async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        let dir = try TempDir("lfm-key")
        try dir.write("doc.md", Self.document(sections: 5, markers: [0: "MOCK_KEY_IN_RECORD", 1: "MOCK_KEY_CUT",
                                                                   2: "MOCK_KEY_NOTJSON", 3: "MOCK_ECHO_KEY"]))
        let result = try #require(try await finish(try Self.generate(["--max-attempts", "1"], server: server, cwd: dir.path), within: 120))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: try dir.bytes("out.json"), as: UTF8.self).contains("(the key was [redacted])"))
        #expect(result.stderr.contains("3 of 5 chunks gave no records"), "\(result.stderr)")
        let jsonRun = try #require(try await finish(try Self.generate(["--max-attempts", "1", "--json"], server: server, cwd: dir.path), within: 120))
        let fatal = try dir.write("fatal/doc.md", Self.document(sections: 2, markers: [0: "MOCK_STATUS_401"]))
        let fatalRun = try #require(try await finish(try Self.generate([], server: server, cwd: (fatal as NSString).deletingLastPathComponent), within: 120))
        #expect(fatalRun.status == 1)
        #expect(!GenerateCommandTests.files(under: server.dir.path, containing: Self.key).isEmpty, "the walk cannot see the key")
        #expect(GenerateCommandTests.files(under: dir.path, containing: Self.keyPrefix) == [])
        for output in [result, jsonRun, fatalRun] {
            #expect(!(output.stdout + output.stderr).contains(Self.keyPrefix), "\(output.stdout)\(output.stderr)")
        }
    }

    /// No record produced: exit 1 with or without --json (the JSON summary is still printed).
    @Test func jsonExitCodeMatchesWithoutJSON() async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        let dir = try TempDir("lfm-json")
        try dir.write("doc.md", Self.document(sections: 2, markers: [0: "MOCK_PROSE", 1: "MOCK_PROSE"]))
        let plain = try #require(try await finish(try Self.generate(["--fresh"], server: server, cwd: dir.path), within: 120))
        let json = try #require(try await finish(try Self.generate(["--fresh", "--json"], server: server, cwd: dir.path), within: 120))
        #expect(plain.status == 1)
        #expect(json.status == plain.status, "\(json.stderr)")
        let summary = try #require(json.json as? [String: Any], "\(json.stdout)")
        #expect(summary["records_written"] as? Int == 0)
        #expect(json.stderr.contains("error: 2 of 2 chunks gave no records"), "\(json.stderr)")
    }

    /// The cause of a connection failure is on the terminal, once: refused, DNS, TLS.
    @Test func connectionFailuresSayWhy() async throws {
        let dir = try TempDir("lfm-why")
        try dir.write("doc.md", Self.document(sections: 1))
        let tls = try await MockServer.start()  // plain HTTP: a TLS handshake against it fails
        defer { tls.stop() }
        let cases: [(url: String, cause: String)] = [
            ("http://127.0.0.1:1/v1", "connection refused by 127.0.0.1:1"),
            ("http://lfm-test.invalid/v1", "cannot resolve host lfm-test.invalid"),
            ("https://127.0.0.1:\(tls.port)/v1", "TLS handshake with 127.0.0.1 failed"),
        ]
        for (url, cause) in cases {
            let running = try RunningLFM(["generate", "doc.md", "--out", "o.json", "--model", "m", "--fresh", "--max-attempts", "1",
                                          "--base-url", url], cwd: dir.path, environment: ["OPENAI_API_KEY": Self.key])
            let result = try #require(try await finish(running, within: 120))
            #expect(result.status == 1)
            #expect(result.stderr.components(separatedBy: cause).count - 1 == 1, "\(url): \(result.stderr)")
            #expect(result.stderr.contains("error: 1 of 1 chunk gave no records: request failed: connection failed: "))
            #expect(result.stderr.contains("hint: details and raw replies are in"))
        }
    }

    /// `generate --help` at 80 columns: no line over 80, no sentence broken early by a second
    /// hard wrap, no flag alone on a line.
    @Test func helpIsWrappedOnce() async throws {
        let dir = try TempDir("lfm-help")
        let help = try await lfm(["generate", "--help"], cwd: dir.path, environment: ["COLUMNS": "80"])
        #expect(help.status == 0)
        let lines = help.stdout.components(separatedBy: "\n")
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(!lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") && !$0.contains(" ") })
        for (a, b) in zip(lines, lines.dropFirst()) where !a.isEmpty && !a.hasPrefix(" ") && !b.hasPrefix(" ") {
            if let first = b.first, first.isLowercase {
                #expect(a.count >= 60, "a sentence broken early: \"\(a)\" / \"\(b)\"")
            }
        }
        let prose = lines.filter { !$0.hasPrefix(" ") }.joined(separator: " ")
        #expect(prose.contains("finished chunks are skipped (--fresh starts over)."), "\(prose)")
    }
}
