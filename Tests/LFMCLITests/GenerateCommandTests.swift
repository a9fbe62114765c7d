import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

let python3Available: Bool = {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
}()

/// `python3 mock_openai.py --dir DIR` on 127.0.0.1: a local OpenAI-compatible server that logs
/// requests (with their headers) under DIR, so DIR must not be inside a directory checked for the key.
final class MockServer: @unchecked Sendable {
    let dir: TempDir
    private let server: MockOpenAIServer

    private init(dir: TempDir, server: MockOpenAIServer) {
        self.dir = dir
        self.server = server
    }

    /// Starts the server (through the ProcessRunner seam) and awaits its port without blocking a test thread.
    static func start() async throws -> MockServer {
        let dir = try TempDir("lfm-mock")
        return MockServer(dir: dir, server: try await MockOpenAIServer.start(directory: dir.path))
    }

    var port: Int { server.port }
    var baseURL: String { server.baseURL }

    func stop() { server.stop() }

    /// Requests the server has seen (0 when it has written no stats).
    var requests: Int { server.stats()["requests"] ?? 0 }
}

/// `lfm generate` end to end against the mock server: records written and registered, the API
/// key never written anywhere, --preview calling nothing.
@Suite("lfm generate", .enabled(if: binaryAvailable && python3Available), .serialized)
struct GenerateCommandTests {
    static let secret = "sk-test-SECRET"
    static let document = """
    # Adapters

    LoRA freezes the base model and trains two small low-rank matrices per layer. The product of
    the two matrices is added to the frozen weight, so the adapter is a few megabytes.

    ## Merging

    After training, the adapter can be merged into the base weights for serving.
    """

    /// A temp dir with notes.md and an `lfm init` workspace in ws/.
    static func fixture() async throws -> (dir: TempDir, workspace: String) {
        let dir = try TempDir("lfm-gen")
        try dir.write("notes.md", document)
        let initialized = try await lfm(["init", "ws"], cwd: dir.path)
        #expect(initialized.status == 0, "\(initialized.stderr)")
        return (dir, dir.path + "/ws")
    }

    /// Every regular file under `root` whose bytes contain `needle`.
    static func files(under root: String, containing needle: String) -> [String] {
        var hits: [String] = []
        let bytes = Data(needle.utf8)
        for case let item as String in FileManager.default.enumerator(atPath: root) ?? FileManager.default.enumerator(atPath: "/nonexistent")! {
            let full = root + "/" + item
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: full) else { continue }
            if data.range(of: bytes) != nil { hits.append(item) }
        }
        return hits
    }

    @Test func generatesRegistersAndNeverWritesTheKey() async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        let (dir, workspace) = try await Self.fixture()
        let result = try await lfm(["generate", "notes.md", "--out", "qa.json", "--model", "mock", "--base-url", server.baseURL,
                              "--register", "--lf-dir", workspace], cwd: dir.path,
                             environment: ["OPENAI_API_KEY": Self.secret, "OPENAI_BASE_URL": nil])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests > 0)
        let data = try dir.bytes("qa.json")
        let records = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(!records.isEmpty)
        #expect(records.allSatisfy { $0["instruction"] is String && $0["input"] is String && $0["output"] is String })
        let list = try await lfm(["list", "--json", "--lf-dir", workspace], cwd: dir.path)
        #expect(list.status == 0)
        #expect(list.stdout.contains("\"qa\""), "\(list.stdout)")
        // The key went to the server (it logs headers in its own directory) and nowhere else.
        #expect(!Self.files(under: server.dir.path, containing: Self.secret).isEmpty, "the walk cannot see the key")
        #expect(Self.files(under: dir.path, containing: Self.secret) == [])
        #expect(!(result.stdout + result.stderr).contains(Self.secret))
    }

    @Test func previewCallsNoAPI() async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        let (dir, _) = try await Self.fixture()
        let result = try await lfm(["generate", "notes.md", "--out", "qa.json", "--preview", "--base-url", server.baseURL], cwd: dir.path,
                             environment: ["OPENAI_API_KEY": Self.secret])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/qa.json"))
    }

    @Test func modelIsRequiredWithoutPreview() async throws {
        let (dir, _) = try await Self.fixture()
        let result = try await lfm(["generate", "notes.md", "--out", "qa.json"], cwd: dir.path, environment: ["OPENAI_API_KEY": Self.secret])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--model is required"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/qa.json"))
    }

    @Test func jsonSummary() async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        let (dir, _) = try await Self.fixture()
        let result = try await lfm(["generate", "notes.md", "--out", "qa.jsonl", "--model", "mock", "--base-url", server.baseURL, "--json"],
                             cwd: dir.path, environment: ["OPENAI_API_KEY": Self.secret])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.json as? [String: Any], "\(result.stdout)")
        let written = try #require(summary["records_written"] as? Int)
        #expect(written > 0)
        let lines = String(decoding: try dir.bytes("qa.jsonl"), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == written)
    }
}
