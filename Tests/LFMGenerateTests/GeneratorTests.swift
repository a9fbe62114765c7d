import Foundation
import Testing
import LFMCore
@testable import LFMGenerate

/// Collects progress reports from the callback.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [GenerateProgress] = []
    func add(_ p: GenerateProgress) { lock.lock(); items.append(p); lock.unlock() }
    var all: [GenerateProgress] { lock.lock(); defer { lock.unlock() }; return items }
}

@Suite struct GeneratorTests {
    /// A markdown file with `count` sections, one chunk each (chunk size 1200).
    @discardableResult
    func sections(_ dir: TempDir, _ name: String, count: Int, markers: [Int: String] = [:]) throws -> String {
        var text = ""
        for i in 0..<count {
            text += "# Section \(i) of \(name)\n\n"
            text += String(repeating: "Body text of section \(i) in \(name) with details. ", count: 16)
            if let marker = markers[i] { text += marker }
            text += "\n\n"
        }
        return try dir.write("docs/\(name).md", text)
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func endToEndAlpacaWithDocxAndKeyNeverOnDisk() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        try sections(dir, "guide", count: 3)
        try Fixtures.docx(at: dir.file("docs/manual.docx"), body: Fixtures.p("Manual", style: "Title") + Fixtures.p("Install", style: "Heading1") + Fixtures.p("Run the installer."))
        try dir.write("docs/notes.bin", "?")
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        options.recordSystemPrompt = "You are the manual."
        let log = ProgressLog()
        let summary = try await Generator(options: options).run { log.add($0) }

        #expect(summary.documents == 2)
        #expect(summary.skippedDocuments.map(\.reason) == ["unsupported file type"])
        #expect(summary.chunksTotal == 4)
        #expect(summary.chunksGenerated == 4)
        #expect(summary.recordsWritten == 8)
        #expect(summary.usage == TokenUsage(promptTokens: 400, completionTokens: 200))
        #expect(summary.requests == 4)
        let records = try Fixtures.records(dir.file("out.json"))
        #expect(records.count == 8)
        #expect(records.allSatisfy { $0["system"]?.stringValue == "You are the manual." && $0["output"] != nil })
        #expect(dir.read("out.json").hasPrefix("[\n  {\n    \"instruction\": "))
        let last = try #require(log.all.last)
        #expect(last.chunksDone == 4 && last.chunksTotal == 4 && last.records == 8)
        #expect(lines(dir.file("out.json.lfm-state/journal.jsonl")).count == 4)

        // The docx heading path reached the prompt.
        #expect(server.requests().contains { ($0["body"]?.stringValue ?? "").contains("Manual > Install") })
        // The key went to the server, and nowhere on disk.
        #expect(server.requests().allSatisfy { $0["headers"]?["Authorization"]?.stringValue == "Bearer \(Fixtures.testKey)" })
        let files = Fixtures.allFiles(dir.file("out.json.lfm-state")) + [dir.file("out.json")]
        #expect(files.contains { $0.hasSuffix("settings.json") })
        for file in files {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            #expect(!text.contains(Fixtures.testKey), "key found in \(file)")
            #expect(!text.contains("SECRET"), "key fragment found in \(file)")
        }
    }

    @Test(arguments: ["sharegpt", "openai", "alpaca-preference", "sharegpt-preference", "openai-preference"])
    func formatsAndPreferencePairs(name: String) async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        try sections(dir, "guide", count: 2)
        let format = try #require(GenerateFormat(name: name))
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")], out: "out.jsonl")
        options.chunkSize = 1200
        options.format = format
        options.rejectedModel = format.preference ? "small-model" : nil
        let summary = try await Generator(options: options).run()
        #expect(summary.recordsWritten == 4)
        let records = lines(dir.file("out.jsonl")).map { try! JSONParser.parse($0) }
        #expect(records.count == 4)
        for record in records {
            #expect(CoreRecordValidator().problems(in: record, format: format) == [])
        }
        if format.preference {
            #expect(summary.requests == 4)
            let rejected = records.map { r -> String in
                r["rejected"]?.stringValue ?? r["rejected"]?["value"]?.stringValue ?? r["rejected"]?["content"]?.stringValue ?? ""
            }
            #expect(rejected.allSatisfy { $0.hasPrefix("Without the document I guess: ") })
            // The rejected side was asked without the chunk text, of the rejected model.
            let bodies = server.requests().compactMap { try? JSONParser.parse($0["body"]?.stringValue ?? "") }
            let noContext = bodies.filter { ($0["messages"]?.arrayValue?.last?["content"]?.stringValue ?? "").contains("Questions (JSON array):") }
            #expect(noContext.count == 2)
            #expect(noContext.allSatisfy { $0["model"]?.stringValue == "small-model" })
            #expect(noContext.allSatisfy { !($0["messages"]?.arrayValue?.last?["content"]?.stringValue ?? "").contains("Body text of section") })
        }
    }

    @Test func replyQuirksEndToEndAndFailedFolder() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        try sections(dir, "quirks", count: 8, markers: [0: "MOCK_THINK", 1: "MOCK_FENCE", 2: "MOCK_NESTED", 3: "MOCK_MALFORMED_ONCE",
                                                   4: "MOCK_PROSE", 5: "MOCK_THINK_UNCLOSED", 6: "MOCK_429", 7: "MOCK_TRUNCATED"])
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        try server.configure(JSONObject(["retry_after": .string("0")]))
        let summary = try await Generator(options: options).run()
        #expect(summary.chunksTotal == 8)
        #expect(summary.chunksFailed == 2)  // prose, unclosed think
        #expect(summary.recordsWritten == 6 * 2 - 1)  // truncated reply keeps 1 of 2 records
        #expect(summary.retries == 1)
        #expect(summary.failures.reduce(0) { $0 + $1.chunks } == 2)  // each cause once, with its count
        #expect(summary.failures.contains { $0.cause.contains("reply contains no JSON") && $0.chunks == 1 })
        let records = try Fixtures.records(dir.file("out.json"))
        #expect(records.contains { ($0["instruction"]?.stringValue ?? "").contains("[x] {y}") })
        let failed = Fixtures.allFiles(dir.file("out.json.lfm-state/failed")).map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
        #expect(failed.count == 2)
        #expect(failed.contains { $0.contains("# hint: reply contains no JSON") && $0.contains("I'm sorry") })
        #expect(failed.contains { $0.contains("# hint: reply was cut off") })

        // Re-run: done chunks are not asked again; failed ones are retried (and fail again).
        let before = server.stats()["requests"] ?? 0
        let again = try await Generator(options: options).run()
        #expect(again.chunksResumed == 6)
        #expect(again.chunksFailed == 2)
        #expect((server.stats()["requests"] ?? 0) - before == 2 * options.replyAttempts)
        #expect(try Fixtures.records(dir.file("out.json")) == records)
    }

    @Test func resumeAfterCancellationHasNoDuplicatesAndNoLosses() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        // Slow enough that cancelling after 12 chunks surely lands before all 40 are done.
        let server = try await Fixtures.server(dir, config: JSONObject(["latency_ms": .int(600)]))
        defer { server.stop() }
        try sections(dir, "big", count: 40)
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        options.concurrency = 4
        let generator = Generator(options: options)
        let task = Task { try await generator.run { progress in
            if progress.chunksDone >= 12 { withUnsafeCurrentTask { $0?.cancel() } }
        } }
        // Cancel from outside too, in case the callback runs outside the task.
        while (lines(dir.file("out.json.lfm-state/journal.jsonl")).count) < 12 { try await Task.sleep(nanoseconds: 20_000_000) }
        task.cancel()
        _ = await task.result
        let journaled = lines(dir.file("out.json.lfm-state/journal.jsonl")).count
        #expect(journaled >= 12 && journaled < 40)
        #expect(!FileManager.default.fileExists(atPath: dir.file("out.json")))
        try Data(#"{"latency_ms": 20}"#.utf8).write(to: URL(fileURLWithPath: dir.file("server/config.json")))

        let summary = try await Generator(options: options).run()
        #expect(summary.chunksResumed == journaled)
        #expect(summary.chunksGenerated == 40 - journaled)
        #expect(summary.recordsWritten == 80)
        let records = try Fixtures.records(dir.file("out.json"))
        let instructions = records.compactMap { $0["instruction"]?.stringValue }
        #expect(Set(instructions).count == 80)
        let ids = lines(dir.file("out.json.lfm-state/journal.jsonl")).compactMap { try? JSONParser.parse($0)["chunk"]?.stringValue }
        #expect(ids.count == 40 && Set(ids).count == 40)
        // Requests: each chunk once, plus at most the ones in flight when cancelled.
        #expect((server.stats()["requests"] ?? 0) <= 40 + options.concurrency)
    }

    @Test func tornJournalLineIsIgnoredAndRepaired() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        try sections(dir, "t", count: 3)
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        _ = try await Generator(options: options).run()
        let journal = dir.file("out.json.lfm-state/journal.jsonl")
        var text = try String(contentsOfFile: journal, encoding: .utf8)
        let lastLine = text.split(separator: "\n").last!
        // Simulate a crash in the middle of writing the third line.
        text = text.split(separator: "\n").dropLast().joined(separator: "\n") + "\n" + lastLine.prefix(lastLine.count / 2)
        try text.write(toFile: journal, atomically: false, encoding: .utf8)
        let before = server.stats()["requests"] ?? 0
        let summary = try await Generator(options: options).run()
        #expect(summary.chunksResumed == 2)
        #expect(summary.chunksGenerated == 1)
        #expect(summary.recordsWritten == 6)
        #expect(summary.warnings.contains { $0.contains("unreadable journal line") })
        #expect((server.stats()["requests"] ?? 0) - before == 1)
        let repaired = lines(journal)
        #expect(repaired.count == 3)
        #expect(repaired.allSatisfy { (try? JSONParser.parse($0)) != nil })
    }

    @Test func freshStartsOverAndChangedOptionsWarn() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        try sections(dir, "f", count: 2)
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        _ = try await Generator(options: options).run()
        #expect(try await Generator(options: options).preview().chunksAlreadyDone == 2)
        options.temperature = 0.2
        let changed = try await Generator(options: options).run()
        #expect(changed.chunksResumed == 2)
        #expect(changed.warnings.contains { $0.contains("temperature") })
        options.fresh = true
        let fresh = try await Generator(options: options).run()
        #expect(fresh.chunksResumed == 0 && fresh.chunksGenerated == 2)
        #expect(fresh.warnings.isEmpty)
    }

    @Test func concurrencyLimitHoldsThroughGenerator() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir, config: JSONObject(["latency_ms": .int(150)]))
        defer { server.stop() }
        try sections(dir, "c", count: 16)
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        options.concurrency = 5
        _ = try await Generator(options: options).run()
        let maxInFlight = server.stats()["max_in_flight"] ?? 0
        #expect(maxInFlight <= 5 && maxInFlight >= 3)
    }

    @Test func duplicatesRemovedAcrossChunks() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir, config: JSONObject(["instructions": .array([.string("What is LoRA?"), .string("what is  LoRA"), .string("Ｗhat is LoRA？"), .string("Why?")])]))
        defer { server.stop() }
        try sections(dir, "d", count: 3)
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        let summary = try await Generator(options: options).run()
        #expect(summary.recordsWritten == 2)
        #expect(summary.exactDuplicatesRemoved == 8)  // chunks 2 and 3 repeat all four strings exactly
        #expect(summary.normalizedDuplicatesRemoved == 2)  // chunk 1: spacing and full-width variants
    }

    @Test func customValidatorDropsAndCounts() async throws {
        struct NoDigitOne: RecordValidating {
            func problems(in record: JSONValue, format: GenerateFormat) -> [String] {
                (record["instruction"]?.stringValue ?? "").contains("Question 1") ? ["no question 1"] : []
            }
        }
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        try sections(dir, "v", count: 2)
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        let summary = try await Generator(options: options, validator: NoDigitOne()).run()
        #expect(summary.recordsWritten == 2)
        #expect(summary.invalidRecords == 2)
    }

    @Test func unauthorizedStopsTheRunWithoutLeakingTheKey() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        try sections(dir, "u", count: 6, markers: [0: "MOCK_401", 1: "MOCK_401", 2: "MOCK_401", 3: "MOCK_401", 4: "MOCK_401", 5: "MOCK_401"])
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        options.concurrency = 1
        do {
            _ = try await Generator(options: options).run()
            Issue.record("expected a fatal error")
        } catch let error as GenerateError {
            #expect(error.description.contains("HTTP 401"))
            #expect(!error.description.contains(Fixtures.testKey))
        }
        #expect((server.stats()["requests"] ?? 0) == 1)
    }

    @Test func previewMakesNoRequests() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        try sections(dir, "p", count: 5)
        try dir.write("docs/zh.txt", String(repeating: "这是中文内容。", count: 100))
        var options = GenerateOptions(inputs: [dir.file("docs")], outputPath: dir.file("out.json"))
        options.chunkSize = 1200
        options.baseURL = "http://127.0.0.1:9/v1"
        options.format = GenerateFormat(style: .alpaca, preference: true)
        let preview = try await Generator(options: options).preview()
        #expect(preview.files.count == 2)
        #expect(preview.chunks == 6)
        #expect(preview.requests == 12)
        #expect(preview.estimatedPromptTokens > 6 * 150)
        #expect(preview.estimationMethod.contains("Latin words ×1.3"))
        #expect(preview.chunksAlreadyDone == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.file("out.json.lfm-state")))
    }

    @Test func missingKeyForOpenAIIsAnError() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        try sections(dir, "k", count: 1)
        var options = GenerateOptions(inputs: [dir.file("docs")], outputPath: dir.file("out.json"))
        options.model = "gpt-4o-mini"
        options.environment = [:]
        await #expect(throws: GenerateError.missingAPIKey(variable: "OPENAI_API_KEY")) { try await Generator(options: options).run() }
        options.environment = ["OPENAI_BASE_URL": "http://127.0.0.1:9/v1"]
        #expect(options.resolvedBaseURL == "http://127.0.0.1:9/v1")
    }

    @Test func optionValidation() {
        var options = GenerateOptions(inputs: ["x"], outputPath: "o.json")
        #expect(throws: GenerateError.self) { try options.validate(needsModel: true) }  // no model
        options.model = "m"
        options.environment = [:]
        #expect(throws: Never.self) { try options.validate(needsModel: true) }
        options.chunkOverlap = 1500
        #expect(throws: GenerateError.self) { try options.validate(needsModel: true) }
        options.chunkOverlap = 0
        options.baseURL = "ftp://x"
        #expect(throws: GenerateError.self) { try options.validate(needsModel: true) }
    }
}

@Suite struct KeyHygieneTests {
    @Test func echoedKeyIsRedactedInFailedReplies() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let server = try await Fixtures.server(dir)
        defer { server.stop() }
        try dir.write("docs/a.md", "# A\n\nSome text MOCK_ECHO_KEY here.")
        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.baseURL = "http://user:pw@127.0.0.1:\(server.port)/v1?token=abc"
        let summary = try await Generator(options: options).run()
        #expect(summary.chunksFailed == 1)
        let files = Fixtures.allFiles(dir.file("out.json.lfm-state")) + [dir.file("out.json")]
        let failed = try #require(files.first { $0.contains("/failed/") })
        let text = try String(contentsOfFile: failed, encoding: .utf8)
        #expect(text.contains("Bearer [redacted]"))
        for file in files {
            let content = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            #expect(!content.contains(Fixtures.testKey), "key found in \(file)")
            #expect(!content.contains("token=abc") && !content.contains("user:pw"), "URL credentials in \(file)")
        }
        let data = try JSONEncoder().encode(summary)
        #expect(!String(decoding: data, as: UTF8.self).contains(Fixtures.testKey))
    }

    @Test func safeURLDropsCredentials() {
        #expect(Generator.safeURL("https://u:p@host.example/v1?key=1#x") == "https://host.example/v1")
    }
}
