import Foundation
import Testing
import TestSupport

/// The `--json` documents of list, show, remove, generate, stats, dedupe, init, doctor, templates
/// and models (docs/json.md), pinned as snapshots in Tests/LFMCLITests/Snapshots/. Temporary
/// paths print as `$TMP`; values that depend on the machine or the clock are masked.
/// `LFM_UPDATE_SNAPSHOTS=1 swift test --filter JSONSnapshotToolsTests` records them. Serialized:
/// one `lfm` at a time, so the suite adds no burst of processes to a loaded machine.
@Suite("--json snapshots: datasets, tools, catalogues", .enabled(if: binaryAvailable), .serialized)
struct JSONSnapshotToolsTests {
    /// Runs lfm in `dir` and checks its stdout against snapshot `name` (temp paths as `$TMP`).
    static func expectSnapshot(_ arguments: [String], in dir: TempDir, named name: String, status: Int32 = 0,
                               environment: [String: String?] = [:], mask: (String) -> String = { $0 }) async throws {
        let result = try await lfm(arguments, cwd: dir.path, environment: environment)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.json != nil, "not JSON: \(result.stdout)")
        #expect(Snapshot.mismatch(mask(result.stdout), named: name, replacing: [(dir.path, "$TMP")]) == nil)
    }

    /// `"key": 123` → `"key": 0` for each of `keys` (sizes and counts of this machine).
    static func zeroing(_ keys: [String]) -> (String) -> String {
        { text in
            var out = text
            for key in keys {
                out = out.replacingOccurrences(of: #""\#(key)": [0-9.]+"#, with: "\"\(key)\": 0", options: .regularExpression)
            }
            return out
        }
    }

    /// The first element of a printed top-level array (the catalogue grows; its schema does not).
    static func firstElement(_ text: String) -> String {
        guard let end = text.range(of: "\n  }") else { return text }
        return String(text[..<end.upperBound]) + "\n]\n"
    }

    // MARK: datasets

    /// A slice of the real registry: a local file, a hub dataset, a missing file, an entry problem.
    static let registrySlice = """
    {
      "identity": {"file_name": "identity.json"},
      "alpaca_en": {"hf_hub_url": "llamafactory/alpaca_en"},
      "gone": {"file_name": "gone.json"},
      "half": {"file_name": "identity.json", "columns": {"prompt": "instruction"}, "formatting": "sharegpt"}
    }

    """

    @Test func list() async throws {
        let dir = try TempDir("lfm-snap")
        try dir.write("lf/data/dataset_info.json", Self.registrySlice)
        try FileManager.default.copyItem(atPath: fixturePath("identity.json"), toPath: dir.path + "/lf/data/identity.json")
        try await Self.expectSnapshot(["list", "--check", "--json", "--lf-dir", "lf"], in: dir, named: "list", status: 1)
    }

    @Test func show() async throws {
        let dir = try TempDir("lfm-snap")
        try dir.checkout()
        try await Self.expectSnapshot(["show", "identity", "-n", "2", "--json", "--lf-dir", "lf"], in: dir, named: "show")
    }

    @Test func remove() async throws {
        let dir = try TempDir("lfm-snap")
        try dir.checkout()
        try await Self.expectSnapshot(["remove", "identity", "--delete-file", "--dry-run", "--json", "--lf-dir", "lf"],
                                      in: dir, named: "remove-dry-run")
        try await Self.expectSnapshot(["remove", "identity", "--delete-file", "--json", "--lf-dir", "lf"], in: dir, named: "remove")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/lf/data/identity.json"))
    }

    // MARK: generate

    static let notes = """
    # Adapters

    LoRA freezes the base model and trains two small low-rank matrices per layer. The product of
    the two matrices is added to the frozen weight, so the adapter is a few megabytes.

    ## Merging

    After training, the adapter can be merged into the base weights for serving.
    """

    @Test func generatePreview() async throws {
        let dir = try TempDir("lfm-snap")
        try dir.write("notes.md", Self.notes)
        try await Self.expectSnapshot(["generate", "notes.md", "--out", "qa.json", "--preview", "--json",
                                       "--base-url", "http://127.0.0.1:9/v1"], in: dir, named: "generate-preview",
                                      environment: ["OPENAI_BASE_URL": nil])
    }

    @Test(.enabled(if: python3Available)) func generateSummary() async throws {
        let server = try await MockServer.start()
        defer { server.stop() }
        let dir = try TempDir("lfm-snap")
        try dir.write("notes.md", Self.notes)
        try await Self.expectSnapshot(["generate", "notes.md", "--out", "qa.json", "--model", "mock", "--concurrency", "1",
                                       "--base-url", server.baseURL, "--json"], in: dir, named: "generate",
                                      environment: ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": nil],
                                      mask: Self.zeroing(["elapsed_seconds"]))
    }

    // MARK: dataset tools

    static let alpaca = """
    [
      {"instruction": "What is LoRA?", "input": "", "output": "A low-rank adapter."},
      {"instruction": "What is LoRA?", "input": "", "output": "Low-rank adaptation."},
      {"instruction": "what is   lora", "input": "", "output": "An adapter."},
      {"instruction": "Explain how QLoRA quantizes the frozen base model to 4 bits, keeps the adapters in 16 bits, pages the optimizer state and still matches full fine-tuning quality.", "input": "", "output": "NF4."},
      {"instruction": "Explain how QLoRA quantizes the frozen base model to 4 bits, keeps the adapters in 16 bits, pages the optimizer state and still matched full fine-tuning quality.", "input": "", "output": "NF4 again."},
      {"instruction": "学习率是什么？", "input": "", "output": "步长。"}
    ]
    """

    @Test func stats() async throws {
        let dir = try TempDir("lfm-snap")
        try dir.write("data.json", Self.alpaca)
        try await Self.expectSnapshot(["stats", "data.json", "--cutoff-len", "16", "--json"], in: dir, named: "stats")
    }

    @Test func dedupe() async throws {
        let dir = try TempDir("lfm-snap")
        try dir.write("data.json", Self.alpaca)
        // The near pair differs in one letter (Jaccard ≈ 0.94): found whatever the hash
        // functions; its MinHash estimate is masked.
        try await Self.expectSnapshot(["dedupe", "data.json", "--threshold", "0.8", "--out", "kept.json", "--json"],
                                      in: dir, named: "dedupe", mask: Self.zeroing(["similarity"]))
    }

    // MARK: training set-up and catalogues

    @Test func initWorkspace() async throws {
        let dir = try TempDir("lfm-snap")
        // A venv without LLaMA-Factory: checked without running anything.
        _ = try dir.mkdir("venv/bin")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/venv/bin/python", withDestinationPath: "/usr/bin/python3")
        try await Self.expectSnapshot(["init", "ws", "--env", "./venv", "--dry-run", "--json"], in: dir, named: "init-dry-run")
        try await Self.expectSnapshot(["init", "ws", "--env", "./venv", "--json"], in: dir, named: "init")
    }

    /// An environment that is not one: the verdicts that do not depend on the machine come first.
    @Test func doctor() async throws {
        let dir = try TempDir("lfm-snap")
        try await Self.expectSnapshot(["doctor", "--env", dir.path + "/missing", "--json"], in: dir, named: "doctor", status: 1,
                                      mask: { Self.firstVerdict(Self.zeroing(["cpu_count", "free_disk_bytes", "shm_bytes"])($0)) })
    }

    /// The document with only the first verdict (the environment's), so /dev/shm and disk space
    /// of the machine running the tests do not change it.
    static func firstVerdict(_ text: String) -> String {
        guard let start = text.range(of: "\"verdicts\": ["),
              let end = text[start.upperBound...].range(of: "\n    }") else { return text }
        return String(text[..<end.upperBound]) + "\n  ]\n}\n"
    }

    @Test func templates() async throws {
        let dir = try TempDir("lfm-snap")
        try await Self.expectSnapshot(["templates", "--json"], in: dir, named: "templates", mask: Self.firstElement)
        try await Self.expectSnapshot(["templates", "copy", "sft", "--to", "t", "--dry-run", "--json"], in: dir, named: "templates-copy")
    }

    @Test func models() async throws {
        let dir = try TempDir("lfm-snap")
        try await Self.expectSnapshot(["models", "--json"], in: dir, named: "models", mask: Self.firstElement)
    }
}
