import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The bounded fault run of `lfm generate` against the loopback mock: 429 with Retry-After, 500,
/// requests that hang past the timeout, bodies cut short of their Content-Length, dropped
/// connections, replies echoing the key, a fatal 401 mid-run and two `kill -9`s, each followed by
/// a resume (the server decides when: it stalls or refuses after so many complete replies).
/// Checked against the server's own log of the complete replies it sent: no record
/// duplicated, none lost, none invented, the key in no file and in no output.
/// `LFM_FAULT_SEED` picks another fault sequence (docs/generate.md, "Reliability").
@Suite("lfm generate fault run", .enabled(if: binaryAvailable && python3Available), .serialized)
struct GenerateFaultRunTests {
    static let sections = 80

    @Test func faultRunLosesAndDuplicatesNothing() async throws {
        let seed = Int(ProcessInfo.processInfo.environment["LFM_FAULT_SEED"] ?? "") ?? 1
        let server = try await MockServer.start()
        defer { server.stop() }
        let faults = #""faults": {"429": 0.08, "500": 0.08, "hang": 0.03, "truncate": 0.05, "drop": 0.04, "echo": 0.1}"#
        func configure(_ extra: String = "") throws {
            try GenerateSafetyTests.configure(server, """
                {\(faults), "seed": \(seed), "retry_after": "1", "hang_s": 4, "stall_s": 120\(extra)}
                """)
        }
        func count(_ kind: String) -> Int { GenerateSafetyTests.replies(server).filter { $0.kind == kind }.count }
        let dir = try TempDir("lfm-faults")
        try dir.write("doc.md", GenerateSafetyTests.document(sections: Self.sections))
        let plan = try await lfm(["generate", "doc.md", "--out", "out.json", "--chunk-size", "1200", "--preview", "--json"], cwd: dir.path)
        let chunks = try #require((plan.json as? [String: Any])?["chunks"] as? Int, "\(plan.stdout)\(plan.stderr)")
        #expect(chunks >= 40)
        func start() throws -> RunningLFM {
            try GenerateSafetyTests.generate(["--concurrency", "8", "--timeout", "2", "--max-attempts", "8"], server: server, cwd: dir.path)
        }
        /// kill -9 once the server holds the run's requests (it stalls them after `okLimit` complete
        /// replies), so the run is surely mid-way however slowly this test gets to look.
        func killMidRun(after okLimit: Int) async throws -> CLIResult {
            let stalls = count("stall")
            try configure(#", "stall_after_ok": \#(okLimit)"#)
            let running = try start()
            let giveUp = Date().addingTimeInterval(600)  // a bound on a loaded machine, not an assertion
            while count("stall") == stalls && running.process.isRunning && Date() < giveUp {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(running.process.isRunning, "the run ended before the kill")
            kill(running.process.processIdentifier, SIGKILL)
            return try #require(try await finish(running, within: 120))
        }
        var outputs: [CLIResult] = []

        // 1. Faults; kill -9 after 10 complete replies.
        outputs.append(try await killMidRun(after: 10))
        let afterFirstKill = count("ok")

        // 2. Resume; after 5 more complete replies every request gets 401: stop at once, exit 1.
        try configure(#", "fatal_after_ok": \#(afterFirstKill + 5)"#)
        let fatalLaunch = Date()
        let fatalRun = try start()
        let fatal = try #require(try await GenerateSafetyTests.finishAfterFatal(fatalRun, server: server, fatal: "401", since: fatalLaunch),
                                 "lfm hung after a 401")
        let fatalSent = GenerateSafetyTests.replies(server).first { $0.kind == "401" }?.time ?? 0
        let fatalStop = (fatalRun.exitDate?.timeIntervalSince1970 ?? 0) - fatalSent
        outputs.append(fatal)
        #expect(fatal.status == 1, "\(fatal.stderr)")
        #expect(fatal.stderr.contains("HTTP 401"), "\(fatal.stderr)")

        // 3. Resume; kill -9 again after 5 more complete replies.
        outputs.append(try await killMidRun(after: count("ok") + 5))

        // 4. Resume to the end (again if a chunk ran out of attempts).
        try configure()
        var resumes = 0
        repeat {
            resumes += 1
            let result = try #require(try await finish(try start(), within: 600), "lfm generate hung")
            outputs.append(result)
            if result.status == 0 && !result.stderr.contains("gave no records") { break }
        } while resumes < 4
        #expect(outputs.last?.status == 0)

        // The server's log of complete replies against the output.
        var kinds: [String: Int] = [:]
        var sent = Set<String>()
        for reply in GenerateSafetyTests.replies(server) {
            kinds[reply.kind, default: 0] += 1
            if reply.kind == "ok" { sent.formUnion(reply.instructions) }
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
