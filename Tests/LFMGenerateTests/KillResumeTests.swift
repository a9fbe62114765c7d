import Foundation
import Testing
import TestSupport
import LFMCore
@testable import LFMGenerate

/// Resume after a real crash: a second process (this test binary, filtered to
/// `childProcessEntryPoint`) runs the generator and is SIGKILLed midway; the parent re-runs.
@Suite struct KillResumeTests {
    static let childVariable = "LFM_GENERATE_TEST_CHILD"

    /// Does nothing unless started by `killedProcessResumes` with the child variable set.
    @Test func childProcessEntryPoint() async throws {
        guard let spec = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
        let parts = spec.split(separator: "\t").map(String.init)  // docs, out, baseURL
        var options = GenerateOptions(inputs: [parts[0]], outputPath: parts[1])
        options.baseURL = parts[2]
        options.model = "mock-model"
        options.chunkSize = 1200
        options.concurrency = 2
        options.environment = ["OPENAI_API_KEY": Fixtures.testKey]
        _ = try await Generator(options: options).run()
    }

    @Test func killedProcessResumes() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        // Slow replies while the child runs, so it is surely killed mid-run even on a loaded machine.
        let server = try await Fixtures.server(dir, config: JSONObject(["latency_ms": .int(1500)]))
        defer { server.stop() }
        var text = ""
        for i in 0..<40 {
            text += "# Part \(i)\n\n" + String(repeating: "Text of part \(i) that the model reads carefully. ", count: 16) + "\n\n"
        }
        try dir.write("docs/k.md", text)

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["--testing-library", "swift-testing", "--filter", "KillResumeTests/childProcessEntryPoint"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = [dir.file("docs"), dir.file("out.json"), server.baseURL].joined(separator: "\t")
        child.environment = environment
        child.standardInput = FileHandle.nullDevice
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        let exited = ProcessExit(child)
        try child.run()

        let journal = dir.file("out.json.lfm-state/journal.jsonl")
        func journalLines() -> [String] {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        let deadline = Date().addingTimeInterval(300)  // a bound on a loaded machine, not a speed target
        while journalLines().count < 6 && Date() < deadline && child.isRunning {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        kill(child.processIdentifier, SIGKILL)
        await exited.wait()
        let survived = journalLines().count
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(survived >= 6 && survived < 40)  // 40 chunks at 1.5 s each take far longer than the kill
        #expect(!FileManager.default.fileExists(atPath: dir.file("out.json")))
        // Fast replies for the resumed run (the mock re-reads its config on every request).
        try Data(#"{"latency_ms": 20}"#.utf8).write(to: URL(fileURLWithPath: dir.file("server/config.json")))

        var options = Fixtures.options(dir, server: server, inputs: [dir.file("docs")])
        options.chunkSize = 1200
        options.concurrency = 4
        let summary = try await Generator(options: options).run()
        #expect(summary.chunksTotal == 40)
        #expect(summary.chunksResumed >= survived)  // a line may land between our read and the kill
        #expect(summary.recordsWritten == 80)
        let records = try Fixtures.records(dir.file("out.json"))
        #expect(Set(records.compactMap { $0["instruction"]?.stringValue }).count == 80)
        let ids = journalLines().compactMap { try? JSONParser.parse($0)["chunk"]?.stringValue }
        #expect(ids.count == 40 && Set(ids).count == 40)
    }
}
