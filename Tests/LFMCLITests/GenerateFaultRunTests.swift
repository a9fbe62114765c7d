import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The bounded fault run of `lfm generate` against the loopback mock: 429 with Retry-After, 500,
/// requests that hang past the timeout, bodies cut short of their Content-Length, dropped
/// connections, replies echoing the key, a fatal 401 mid-run and two `kill -9`s, each followed by
/// a resume. Checked against the server's own log of the complete replies it sent: no record
/// duplicated, none lost, none invented, the key in no file and in no output.
/// `LFM_FAULT_SEED` picks another fault sequence (docs/generate.md, "Reliability").
@Suite("lfm generate fault run", .enabled(if: binaryAvailable && python3Available), .serialized)
struct GenerateFaultRunTests {
    static let sections = 80

    @Test func faultRunLosesAndDuplicatesNothing() async throws {
        let seed = Int(ProcessInfo.processInfo.environment["LFM_FAULT_SEED"] ?? "") ?? 1
        let server = try MockServer()
        defer { server.stop() }
        let faults = #""faults": {"429": 0.08, "500": 0.08, "hang": 0.03, "truncate": 0.05, "drop": 0.04, "echo": 0.1}"#
        func configure(latency: Int, fatal: Bool = false) throws {
            try GenerateSafetyTests.configure(server, """
                {\(faults), "seed": \(seed), "retry_after": "1", "hang_s": 4, "latency_ms": \(latency)\(fatal ? #", "fatal": 401"# : "")}
                """)
        }
        let dir = try TempDir("lfm-faults")
        try dir.write("doc.md", GenerateSafetyTests.document(sections: Self.sections))
        let plan = try lfm(["generate", "doc.md", "--out", "out.json", "--chunk-size", "1200", "--preview", "--json"], cwd: dir.path)
        let chunks = try #require((plan.json as? [String: Any])?["chunks"] as? Int, "\(plan.stdout)\(plan.stderr)")
        #expect(chunks >= 40)
        let journal = dir.path + "/out.json.lfm-state/journal.jsonl"
        func journaled() -> Int {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        func start() throws -> RunningLFM {
            try GenerateSafetyTests.generate(["--concurrency", "8", "--timeout", "2", "--max-attempts", "8"], server: server, cwd: dir.path)
        }
        /// Waits until `count` chunks are journaled (or the run ends); a bound on a loaded machine, not an assertion.
        func waitForJournal(_ count: Int, _ running: RunningLFM) async throws {
            let giveUp = Date().addingTimeInterval(180)
            while journaled() < count && running.process.isRunning && Date() < giveUp {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        var outputs: [CLIResult] = []

        // 1. Slow replies and faults; kill -9 once 10 chunks are journaled.
        try configure(latency: 300)
        var running = try start()
        try await waitForJournal(10, running)
        #expect(running.process.isRunning, "the run ended before the kill")
        kill(running.process.processIdentifier, SIGKILL)
        outputs.append(try #require(try await finish(running, within: 60)))
        let afterFirstKill = journaled()

        // 2. Resume; once 5 more chunks are journaled every request gets 401: stop at once, exit 1.
        running = try start()
        try await waitForJournal(afterFirstKill + 5, running)
        #expect(running.process.isRunning, "the run ended before the 401")
        try configure(latency: 300, fatal: true)
        let fatalAt = Date()
        let fatal = try #require(try await finish(running, within: 60), "lfm hung after a 401")
        let fatalStop = Date().timeIntervalSince(fatalAt)
        outputs.append(fatal)
        #expect(fatal.status == 1, "\(fatal.stderr)")
        #expect(fatal.stderr.contains("HTTP 401"), "\(fatal.stderr)")

        // 3. Resume; kill -9 again after 5 more chunks.
        try configure(latency: 300)
        let beforeSecondKill = journaled()
        running = try start()
        try await waitForJournal(beforeSecondKill + 5, running)
        #expect(running.process.isRunning, "the run ended before the second kill")
        kill(running.process.processIdentifier, SIGKILL)
        outputs.append(try #require(try await finish(running, within: 60)))

        // 4. Resume to the end (again if a chunk ran out of attempts).
        try configure(latency: 0)
        var resumes = 0
        repeat {
            resumes += 1
            let result = try #require(try await finish(try start(), within: 300), "lfm generate hung")
            outputs.append(result)
            if result.status == 0 && !result.stderr.contains("gave no records") { break }
        } while resumes < 4
        #expect(outputs.last?.status == 0)

        // The server's log of complete replies against the output.
        let log = String(decoding: try Data(contentsOf: URL(fileURLWithPath: server.dir.path + "/replies.jsonl")), as: UTF8.self)
        var kinds: [String: Int] = [:]
        var sent = Set<String>()
        for line in log.split(separator: "\n") {
            guard let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let kind = entry["kind"] as? String else { continue }
            kinds[kind, default: 0] += 1
            if kind == "ok" { for case let instruction as String in entry["instructions"] as? [Any] ?? [] { sent.insert(instruction) } }
        }
        let records = try #require(try JSONSerialization.jsonObject(with: try dir.bytes("out.json")) as? [[String: Any]])
        let written = records.compactMap { $0["instruction"] as? String }
        let duplicated = written.count - Set(written).count
        let lost = sent.subtracting(written)
        let invented = Set(written).subtracting(sent)
        #expect(sent.count == chunks * 2)
        #expect(duplicated == 0)
        #expect(lost.isEmpty, "lost: \(lost.sorted().prefix(5))")
        #expect(invented.isEmpty)
        let ids = String(decoding: try dir.bytes("out.json.lfm-state/journal.jsonl"), as: UTF8.self).split(separator: "\n")
            .compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["chunk"] as? String }
        #expect(ids.count == chunks && Set(ids).count == chunks)
        let redacted = records.filter { ($0["output"] as? String ?? "").contains("(the key was [redacted])") }.count
        let keyFiles = GenerateCommandTests.files(under: dir.path, containing: GenerateSafetyTests.keyPrefix)
        #expect(keyFiles == [])
        #expect(outputs.allSatisfy { !($0.stdout + $0.stderr).contains(GenerateSafetyTests.keyPrefix) })
        let debris = (try FileManager.default.contentsOfDirectory(atPath: dir.path)).filter { $0.contains(".lfm-") && $0 != "out.json.lfm-state" }
        #expect(debris == [])
        print("""
            fault run (seed \(seed)): \(server.requests) requests: \(kinds["ok", default: 0]) complete replies \
            (\(redacted) records echoing the key, redacted), \(kinds["429", default: 0]) × 429 Retry-After 1, \
            \(kinds["500", default: 0]) × 500, \(kinds["hang", default: 0]) hangs past the 2 s timeout, \
            \(kinds["truncate", default: 0]) truncated bodies, \(kinds["drop", default: 0]) dropped connections, \
            \(kinds["401", default: 0]) × 401 (stopped in \(String(format: "%.1f", fatalStop)) s), 2 × kill -9, \
            \(resumes + 2) resumes; records: \(written.count) written, \(sent.count) sent by the server, \
            \(duplicated) duplicated, \(lost.count) lost, \(invented.count) invented; key in \(keyFiles.count) files
            """)
    }
}
