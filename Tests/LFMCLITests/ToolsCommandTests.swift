import Foundation
import Testing

/// The dataset tools (convert, split, dedupe, merge, sample, stats) through the built binary:
/// real runs, dry runs that write nothing, and the error exits.
@Suite("lfm dataset tools", .enabled(if: binaryAvailable))
struct ToolsCommandTests {
    /// Four Alpaca records, the last an exact duplicate of the first; the second has an input.
    static let alpaca = """
    [
      {"instruction": "What is LoRA?", "input": "", "output": "A low-rank adapter."},
      {"instruction": "Translate", "input": "bonjour", "output": "hello"},
      {"instruction": "Name a prime.", "input": "", "output": "Seven."},
      {"instruction": "What is LoRA?", "input": "", "output": "A low-rank adapter."}
    ]
    """
    /// Two ShareGPT records, one with a system prompt.
    static let sharegpt = """
    [
      {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]},
      {"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}], "system": "Be brief."}
    ]
    """

    /// A temp dir with a.json (Alpaca), chats.json (ShareGPT) and a LLaMA-Factory checkout in lf/.
    static func fixture() throws -> (dir: TempDir, root: String) {
        let dir = try TempDir("lfm-tools")
        try dir.write("a.json", alpaca)
        try dir.write("chats.json", sharegpt)
        let root = try dir.checkout()
        return (dir, root)
    }

    static func records(_ path: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        if path.hasSuffix(".jsonl") {
            return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    static func object(_ result: CLIResult) throws -> [String: Any] {
        try #require(result.json as? [String: Any], "stdout is not a JSON object: \(result.stdout) \(result.stderr)")
    }

    // MARK: Real runs

    @Test func convertWritesTheTargetFormat() async throws {
        let (dir, _) = try Self.fixture()
        let result = try await lfm(["convert", "a.json", "--to", "sharegpt", "--out", "out.json", "--json"], cwd: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.object(result)
        #expect(json["read"] as? Int == 4)
        #expect(json["written"] as? Int == 4)
        #expect(json["valid"] as? Bool == true)
        #expect(json["dry_run"] as? Bool == false)
        let written = try Self.records(dir.path + "/out.json")
        #expect(written.count == 4)
        #expect(written.allSatisfy { $0["conversations"] is [[String: Any]] && $0["instruction"] == nil })
    }

    @Test func splitWritesTheParts() async throws {
        let (dir, _) = try Self.fixture()
        let result = try await lfm(["split", "a.json", "--val", "0.25", "--out-dir", "parts", "--json"], cwd: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.object(result)
        #expect(json["records"] as? Int == 4)
        let parts = try #require(json["parts"] as? [[String: Any]])
        #expect(parts.map { $0["name"] as? String } == ["a_train", "a_val"])
        #expect(parts.map { $0["records"] as? Int } == [3, 1])
        #expect(try Self.records(dir.path + "/parts/a_train.json").count == 3)
        #expect(try Self.records(dir.path + "/parts/a_val.json").count == 1)
    }

    @Test func dedupeWritesTheKeptRecords() async throws {
        let (dir, _) = try Self.fixture()
        let result = try await lfm(["dedupe", "a.json", "--out", "d.json", "--json"], cwd: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.object(result)
        #expect(json["records"] as? Int == 4)
        #expect(json["kept"] as? Int == 3)
        #expect(json["written"] as? Int == 3)
        let kept = try Self.records(dir.path + "/d.json")
        #expect(kept.map { $0["instruction"] as? String } == ["What is LoRA?", "Translate", "Name a prime."])
    }

    @Test func mergeConvertsToTheFirstFormat() async throws {
        let (dir, _) = try Self.fixture()
        let result = try await lfm(["merge", "a.json", "chats.json", "--out", "m.jsonl", "--json"], cwd: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.object(result)
        #expect(json["written"] as? Int == 6)
        #expect((json["inputs"] as? [String])?.count == 2)
        let merged = try Self.records(dir.path + "/m.jsonl")
        #expect(merged.count == 6)
        #expect(merged.allSatisfy { $0["instruction"] is String && $0["output"] is String })
        #expect(merged[4]["instruction"] as? String == "hi")
    }

    @Test func sampleWritesNRecords() async throws {
        let (dir, _) = try Self.fixture()
        let result = try await lfm(["sample", "a.json", "-n", "2", "--out", "s.json", "--json"], cwd: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.object(result)
        #expect(json["written"] as? Int == 2)
        #expect(json["total"] as? Int == 4)
        let sampled = try Self.records(dir.path + "/s.json")
        #expect(sampled.count == 2)
        #expect(sampled.allSatisfy { $0["instruction"] is String })
        // Without --out the records are JSON Lines on stdout.
        let lines = try await lfm(["sample", "chats.json", "-n", "5"], cwd: dir.path)
        #expect(lines.status == 0)
        #expect(lines.stdout.split(separator: "\n").count == 2)
    }

    @Test func statsReportsAndWritesNothing() async throws {
        let (dir, _) = try Self.fixture()
        let before = dir.snapshot("")
        let result = try await lfm(["stats", "chats.json", "--json"], cwd: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.object(result)
        #expect(json["records"] as? Int == 2)
        #expect(dir.snapshot("") == before)
        #expect(try await lfm(["stats", "a.json"], cwd: dir.path).stdout.contains("records: 4"))
    }

    // MARK: Dry runs

    @Test("--dry-run reports what would be written and writes nothing", arguments: [
        ["convert", "a.json", "--to", "sharegpt", "--out", "out/c.json", "--register", "--name", "c_dry"],
        ["split", "a.json", "--val", "0.25", "--register"],
        ["dedupe", "a.json", "--out", "out/d.json"],
        ["merge", "a.json", "chats.json", "--out", "out/m.jsonl", "--register"],
        ["sample", "a.json", "-n", "2", "--out", "out/s.json"],
    ])
    func dryRunWritesNothing(_ arguments: [String]) async throws {
        let (dir, root) = try Self.fixture()
        let registry = try dir.bytes("lf/data/dataset_info.json")
        let before = dir.snapshot("")
        for json in [false, true] {
            let result = try await lfm(arguments + ["--dry-run", "--lf-dir", root] + (json ? ["--json"] : []), cwd: dir.path)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(dir.snapshot("") == before, "\(arguments) changed files")
            #expect(try dir.bytes("lf/data/dataset_info.json") == registry)
            if json {
                let object = try Self.object(result)
                #expect(object["dry_run"] as? Bool == true)
            } else {
                #expect((result.stdout + result.stderr).lowercased().contains("would"), "\(result.stdout)")
                #expect(result.stderr.contains("dry run: nothing was written"), "\(result.stderr)")
            }
        }
    }

    @Test func dryRunJSONHasTheRealRunsShape() async throws {
        let (dir, root) = try Self.fixture()
        let dry = try Self.object(try await lfm(["convert", "a.json", "--to", "openai", "--out", "o.json", "--register", "--lf-dir", root,
                                            "--json", "--dry-run"], cwd: dir.path))
        #expect(dry["written"] as? Int == 4)
        #expect(dry["registered"] as? String == "o")
        #expect((dry["lossy"] as? [[String: Any]])?.first?["count"] as? Int == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/o.json"))
        let real = try Self.object(try await lfm(["convert", "a.json", "--to", "openai", "--out", "o.json", "--register", "--lf-dir", root,
                                             "--json"], cwd: dir.path))
        #expect(Set(dry.keys) == Set(real.keys))
        #expect(real["dry_run"] as? Bool == false)
        #expect(real["registered"] as? String == "o")
        #expect(FileManager.default.fileExists(atPath: root + "/data/o.json"))
        let list = try await lfm(["list", "--json", "--lf-dir", root], cwd: dir.path)
        #expect(list.stdout.contains("\"o\""))
        // The split dry run names the parts and their counts like the real one.
        let split = try Self.object(try await lfm(["split", "a.json", "--val", "0.25", "--json", "--dry-run"], cwd: dir.path))
        #expect((split["parts"] as? [[String: Any]])?.map { $0["records"] as? Int } == [3, 1])
    }

    @Test func dryRunMakesTheRealRunsChecks() async throws {
        let (dir, root) = try Self.fixture()
        let existing = try dir.write("taken.json", "[]\n")
        let result = try await lfm(["convert", "a.json", "--to", "alpaca", "--out", "taken.json", "--dry-run"], cwd: dir.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("already exists"))
        #expect(try dir.bytes("taken.json") == Data("[]\n".utf8))
        _ = existing
        let taken = try await lfm(["convert", "a.json", "--to", "sharegpt", "--out", "x.json", "--register", "--name", "alpaca_en_demo",
                             "--dry-run", "--lf-dir", root], cwd: dir.path)
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("alpaca_en_demo"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/x.json"))
    }

    // MARK: Errors

    @Test("a missing input exits 1 and names the file", arguments: [
        ["convert", "missing.json", "--to", "alpaca"],
        ["split", "missing.json", "--val", "0.1"],
        ["dedupe", "missing.json"],
        ["merge", "a.json", "missing.json", "--out", "m.json"],
        ["sample", "missing.json", "-n", "1"],
        ["stats", "missing.json"],
    ])
    func missingInput(_ arguments: [String]) async throws {
        let (dir, root) = try Self.fixture()
        let before = dir.snapshot("")
        let result = try await lfm(arguments + ["--lf-dir", root], cwd: dir.path)
        #expect(result.status == 1, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("missing.json"))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(dir.snapshot("") == before)
    }

    @Test func unknownTargetFormatIsAUsageError() async throws {
        let (dir, _) = try Self.fixture()
        let result = try await lfm(["convert", "a.json", "--to", "yaml", "--out", "y.json"], cwd: dir.path)
        #expect(result.status == 64)
        #expect(result.stderr.contains("--to must be alpaca, sharegpt or openai"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/y.json"))
    }

    @Test("an existing output needs --force and is left as it was", arguments: [
        (["convert", "a.json", "--to", "sharegpt", "--out", "exists.json"], "exists.json"),
        (["split", "a.json", "--val", "0.25"], "a_val.json"),
        (["dedupe", "a.json", "--out", "exists.json"], "exists.json"),
        (["merge", "a.json", "chats.json", "--out", "exists.json"], "exists.json"),
        (["sample", "a.json", "-n", "2", "--out", "exists.json"], "exists.json"),
    ])
    func existingOutput(_ arguments: [String], _ file: String) async throws {
        let (dir, _) = try Self.fixture()
        let original = Data("[{\"keep\": \"me\"}]\n".utf8)
        try dir.write(file, String(decoding: original, as: UTF8.self))
        let result = try await lfm(arguments, cwd: dir.path)
        #expect(result.status == 1, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("already exists"))
        #expect(result.stderr.contains("--force"))
        #expect(try dir.bytes(file) == original)
        let forced = try await lfm(arguments + ["--force"], cwd: dir.path)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try dir.bytes(file) != original)
    }
}
