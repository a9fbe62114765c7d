import Foundation
import Testing
import TestSupport

/// The `--json` documents of the dataset commands (docs/json.md): register, validate, convert,
/// split, merge and sample, pinned by snapshots in `Snapshots/`.
@Suite("--json documents of the dataset commands", .enabled(if: binaryAvailable))
struct JSONSnapshotDatasetTests {
    static let records = [
        #"{"instruction": "What is LoRA?", "input": "", "output": "A low-rank adapter."}"#,
        #"{"instruction": "Translate", "input": "hello", "output": "bonjour"}"#,
        #"{"instruction": "Sum 2 and 2", "input": "", "output": "4"}"#,
        #"{"instruction": "Name a colour", "input": "", "output": "blue"}"#,
    ]

    /// A workspace `ws` with one entry, `data.json` (4 records), `more.jsonl` (2) and `bad.json`
    /// (cut short in its second record).
    static func setUp() throws -> TempDir {
        let dir = try TempDir()
        _ = try smallWorkspace(dir)
        try dir.write("data.json", "[\n" + records.joined(separator: ",\n") + "\n]\n")
        try dir.write("more.jsonl", records.prefix(2).joined(separator: "\n") + "\n")
        try dir.write("bad.json", "[\n" + records[0] + ",\n" + #"{"instruction": "cut"#)
        return dir
    }

    @discardableResult
    func check(_ arguments: [String], _ name: String, status: Int32 = 0, in dir: TempDir) async throws -> [String: Any] {
        let result = try await lfm(arguments + ["--json", "--lf-dir", "ws"], cwd: dir.path)
        #expect(result.status == status, "\(name): \(result.stdout)\(result.stderr)")
        #expect(Snapshot.mismatch(result.stdout, named: name, replacing: [(dir.path, "$TMP")]) == nil)
        return try #require(result.json as? [String: Any], "\(name): \(result.stdout)")
    }

    @Test func register() async throws {
        let dir = try Self.setUp()
        let dry = try await check(["register", "data.json", "--dry-run"], "register-dry-run", in: dir)
        #expect(dry["registered"] as? Bool == false && dry["records"] as? Int == 4)
        try await check(["register", "data.json", "--name", "mine"], "register", in: dir)
        try await check(["register", "bad.json"], "register-syntax-error", status: 1, in: dir)
    }

    @Test func validate() async throws {
        let dir = try Self.setUp()
        try await check(["validate", "data.json"], "validate-file", in: dir)
        try await check(["validate", "base"], "validate-entry", in: dir)
    }

    /// The issue's behaviour change: `validate` on a file cut short prints the same report that
    /// `register` prints (it printed nothing on stdout), with the same exit status 1.
    @Test func validateSyntaxErrorPrintsRegistersReport() async throws {
        let dir = try Self.setUp()
        let validate = try await check(["validate", "bad.json"], "validate-syntax-error", status: 1, in: dir)
        let register = try await check(["register", "bad.json"], "register-syntax-error", status: 1, in: dir)
        #expect(validate["valid"] as? Bool == false)
        let validateReport = try #require(validate["report"] as? NSDictionary)
        let registerReport = try #require(register["report"] as? NSDictionary)
        #expect(validateReport == registerReport)
        #expect((validateReport["counts"] as? [String: Int]) == ["syntax": 1])
    }

    @Test func convertAndMerge() async throws {
        let dir = try Self.setUp()
        let convert = try await check(["convert", "data.json", "--to", "sharegpt", "--out", "data_sharegpt.json"], "convert", in: dir)
        #expect(convert["valid"] as? Bool == true && convert["written"] as? Int == 4)
        try await check(["convert", "data.json", "--to", "openai", "--out", "data_openai.jsonl", "--register", "--dry-run"], "convert-dry-run-register", in: dir)
        let merge = try await check(["merge", "data.json", "more.jsonl", "--out", "all.json"], "merge", in: dir)
        #expect(merge["written"] as? Int == 6)
    }

    @Test func splitAndSample() async throws {
        let dir = try Self.setUp()
        let split = try await check(["split", "data.json", "--val", "0.25", "--seed", "7", "--out-dir", "parts"], "split", in: dir)
        #expect(split["seed"] as? Int == 7)  // a number, not a string
        try await check(["split", "data.json", "--val", "0.25", "--register", "--dry-run"], "split-dry-run-register", in: dir)
        let sample = try await check(["sample", "data.json", "-n", "2", "--seed", "3", "--out", "two.json"], "sample", in: dir)
        #expect(sample["seed"] as? Int == 3 && sample["written"] as? Int == 2)
    }
}
