import Foundation
import Testing
import TestSupport

/// Errors of list/show/remove/generate: the problem on the `error:` line, the fix on `hint:`,
/// exit 1 (docs/exit-codes.md).
@Suite("error and hint lines: datasets and generate", .enabled(if: binaryAvailable), .serialized)
struct ToolErrorHintTests {
    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func unknownDatasetNamesTheClosestOne() async throws {
        let dir = try TempDir("lfm-hint")
        try dir.checkout()
        let registry = dir.path + "/lf/data/dataset_info.json"
        let show = try await lfm(["show", "identiy", "--lf-dir", "lf"], cwd: dir.path)
        #expect(show.status == 1)
        #expect(Self.lines(show.stderr) == ["error: no dataset named \"identiy\" in \(registry)",
                                            "hint: did you mean \"identity\"? `lfm list` shows the registered datasets"])
        let remove = try await lfm(["remove", "zzz", "--lf-dir", "lf"], cwd: dir.path)
        #expect(remove.status == 1)
        #expect(Self.lines(remove.stderr) == ["error: no dataset named \"zzz\" in \(registry)",
                                              "hint: `lfm list` shows the registered datasets"])
    }

    @Test func readOnlyRegistrySaysHowToFixIt() async throws {
        let dir = try TempDir("lfm-hint")
        try dir.checkout()
        let registry = dir.path + "/lf/data/dataset_info.json"
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: registry)
        let result = try await lfm(["remove", "identity", "--lf-dir", "lf"], cwd: dir.path)
        #expect(result.status == 1)
        #expect(Self.lines(result.stderr) == ["error: \(registry) is read-only (mode 444); lfm will not replace it",
                                              "hint: make it writable (chmod u+w \(registry)) if it should change"])
    }

    @Test func missingAPIKey() async throws {
        let dir = try TempDir("lfm-hint")
        try dir.write("notes.md", "# Notes\n\nLoRA trains two small matrices per layer.\n")
        // The default API (api.openai.com) needs a key: refused before any request.
        let result = try await lfm(["generate", "notes.md", "--out", "qa.json", "--model", "m"],
                                   cwd: dir.path, environment: ["OPENAI_API_KEY": nil, "OPENAI_BASE_URL": nil])
        #expect(result.status == 1)
        #expect(Self.lines(result.stderr) == ["error: no API key: OPENAI_API_KEY is not set",
                                              "hint: export OPENAI_API_KEY=YOUR_KEY (or pass --api-key-env NAME for another variable)"])
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/qa.json"))
    }
}

/// `generate --register` whose registration fails keeps the records and says how to register them.
@Suite("generate --register failure hint", .enabled(if: binaryAvailable && python3Available), .serialized)
struct GenerateRegisterHintTests {
    @Test func registrationFailureGivesTheRegisterCommand() async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        let dir = try TempDir("lfm-hint")
        try dir.checkout()
        try dir.write("notes.md", "# Notes\n\nLoRA trains two small matrices per layer; the base model stays frozen.\n")
        let result = try await lfm(["generate", "notes.md", "--out", "qa.json", "--model", "m", "--base-url", server.baseURL,
                                    "--register", "--name", "identity", "--lf-dir", "lf"],
                                   cwd: dir.path, environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": nil])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("error: generated 2 records in \(dir.path)/qa.json, but registering failed: a dataset named \"identity\" is already registered") },
                "\(result.stderr)")
        #expect(lines.last == "hint: register them with: lfm register qa.json --name identity (pass --force to replace it or --name to choose another name)",
                "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/qa.json"))
    }
}
