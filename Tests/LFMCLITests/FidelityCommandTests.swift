import Foundation
import Testing

/// Nothing silently lost between the registry and the trainer (issue 10): dropped fields are
/// errors everywhere an entry is checked, `list --check` fails on them, split is all-or-nothing,
/// and `lfm train` states what it really trains on before launch.
@Suite("lfm data fidelity", .enabled(if: binaryAvailable))
struct FidelityCommandTests {
    static let bareEnvironment: [String: String?] = ["PATH": "/usr/bin:/bin", "CONDA_PREFIX": nil, "VIRTUAL_ENV": nil, "CONDA_DEFAULT_ENV": nil]

    /// 30 Alpaca records; records 4, 11 and 20 carry system and history.
    static let alpaca: String = {
        var rows: [String] = []
        for n in 0..<30 {
            var row = "  {\"instruction\": \"Say \(n)\", \"input\": \"context \(n)\", \"output\": \"\(n)\""
            if [4, 11, 20].contains(n) { row += ", \"system\": \"Be terse.\", \"history\": [[\"hi\", \"hello\"]]" }
            rows.append(row + "}")
        }
        return "[\n" + rows.joined(separator: ",\n") + "\n]\n"
    }()

    /// An `lfm init` workspace in ws/ with h.json registered as `h`, plus h.json next to it.
    static func fixture() async throws -> (dir: TempDir, workspace: String) {
        let dir = try TempDir("lfm-fidelity")
        #expect(try await lfm(["init", "ws"], cwd: dir.path).status == 0)
        try dir.write("h.json", alpaca)
        let registered = try await lfm(["register", "h.json", "--lf-dir", "ws"], cwd: dir.path)
        #expect(registered.status == 0, "\(registered.stderr)")
        return (dir, dir.path + "/ws")
    }

    /// Adds `entry` as `name` to the workspace registry (as a user editing it by hand would).
    static func addEntry(_ name: String, _ entry: [String: Any], workspace: String) throws {
        let path = workspace + "/data/dataset_info.json"
        var registry = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        registry[name] = entry
        try JSONSerialization.data(withJSONObject: registry, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
    }

    static var partial: [String: Any] { ["file_name": "h.json", "formatting": "alpaca", "columns": ["prompt": "instruction", "response": "output"]] }

    @Test func validateNameReportsThePartialColumnsDrop() async throws {
        let (dir, workspace) = try await Self.fixture()
        try Self.addEntry("partial", Self.partial, workspace: workspace)
        let result = try await lfm(["validate", "partial", "--lf-dir", workspace], cwd: dir.path)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("[field-dropped]"), "\(result.stderr)")
        #expect(result.stderr.contains("\"system\" holds text in 3 of 30 records"))
        #expect(result.stderr.contains("--columns query=input,system=system,history=history"))
        let accepted = try await lfm(["validate", "partial", "--lf-dir", workspace, "--allow-unmapped", "input,system,history"], cwd: dir.path)
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test func listCheckExitsOneOnAnyError() async throws {
        let (dir, workspace) = try await Self.fixture()
        let clean = try await lfm(["list", "--check", "--lf-dir", workspace], cwd: dir.path)
        #expect(clean.status == 0, "\(clean.stderr)")
        try Self.addEntry("partial", Self.partial, workspace: workspace)
        let dropped = try await lfm(["list", "--check", "--lf-dir", workspace], cwd: dir.path)
        #expect(dropped.status == 1)
        #expect(dropped.stderr.contains("partial"), "\(dropped.stderr)")
        try Self.addEntry("partial", ["file_name": "gone.json"], workspace: workspace)
        let missing = try await lfm(["list", "--check", "--json", "--lf-dir", workspace], cwd: dir.path)
        #expect(missing.status == 1)
        #expect((missing.json as? [String: Any])?["ok"] as? Bool == false)
    }

    @Test func registerAllowUnmappedStoresTheMarker() async throws {
        let dir = try TempDir("lfm-fidelity")
        #expect(try await lfm(["init", "ws"], cwd: dir.path).status == 0)
        try dir.write("sys.jsonl", "{\"text\": \"doc\", \"system\": \"ignored by pretraining\"}\n")
        let pt = try await lfm(["register", "sys.jsonl", "--lf-dir", "ws", "--format", "pretrain"], cwd: dir.path)
        #expect(pt.status == 1, "\(pt.stderr)")
        #expect(pt.stderr.contains("[field-dropped]"))
        let allowed = try await lfm(["register", "sys.jsonl", "--lf-dir", "ws", "--format", "pretrain", "--allow-unmapped", "system", "--json"], cwd: dir.path)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let entry = try #require((allowed.json as? [String: Any])?["entry"] as? [String: Any])
        #expect(entry["lfm_allow_unmapped"] as? [String] == ["system"])
        #expect(try await lfm(["validate", "sys", "--lf-dir", "ws"], cwd: dir.path).status == 0)
    }

    @Test func splitValidatesEachPartAgainstItsOwnFields() async throws {
        let (dir, workspace) = try await Self.fixture()
        let result = try await lfm(["split", "h.json", "--val", "0.1", "--register", "--lf-dir", workspace, "--json"], cwd: dir.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let json = try #require(result.json as? [String: Any])
        #expect(json["registered"] as? [String] == ["h_train", "h_val"])
        let registry = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: workspace + "/data/dataset_info.json"))) as? [String: Any])
        let train = try #require((registry["h_train"] as? [String: Any])?["columns"] as? [String: String])
        let val = try #require((registry["h_val"] as? [String: Any])?["columns"] as? [String: String])
        // Seed 42 puts none of the three system/history records in the 3-record val part.
        #expect(train["system"] == "system")
        #expect(val["system"] == nil && val["history"] == nil, "\(val)")
        #expect(try await lfm(["validate", "h_val", "--lf-dir", workspace], cwd: dir.path).status == 0)
    }

    @Test func splitWritesAndRegistersNothingWhenAPartFails() async throws {
        let (dir, workspace) = try await Self.fixture()
        let broken = Self.alpaca.replacingOccurrences(of: "\"output\": \"7\"", with: "\"output\": {\"not\": \"a string\"}")
        try dir.write("broken.json", broken)
        let before = dir.snapshot("ws")
        let result = try await lfm(["split", "broken.json", "--val", "0.1", "--register", "--lf-dir", workspace], cwd: dir.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no part was written"), "\(result.stderr)")
        #expect(dir.snapshot("ws") == before)
        let plain = try await lfm(["split", "broken.json", "--val", "0.1", "--out-dir", "parts"], cwd: dir.path)
        #expect(plain.status == 1)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/parts")) ?? []).isEmpty)
    }

    @Test func trainStatesSamplesHeldOutAndTruncation() async throws {
        let (dir, workspace) = try await Self.fixture()
        let plain = try await lfm(["train", "--dry-run", "--model", "llama3", "--dataset", "h", "--lf-dir", workspace], cwd: dir.path, environment: Self.bareEnvironment)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.stdout.contains("max_samples"), "templates must not cap the data: \(plain.stdout)")
        #expect(plain.stderr.contains("h: 0 of 30 examples (0.0%) over cutoff_len 2048"), "\(plain.stderr)")
        #expect(plain.stderr.contains("estimated"))
        let capped = try await lfm(["train", "--dry-run", "--model", "llama3", "--dataset", "h", "--max-samples", "10", "--val-size", "0.1",
                              "--cutoff-len", "8", "--lf-dir", workspace], cwd: dir.path, environment: Self.bareEnvironment)
        #expect(capped.status == 0, "\(capped.stderr)")
        #expect(capped.stderr.contains("trains on 10 of 30 records of h"), "\(capped.stderr)")
        #expect(capped.stderr.contains("holds out 1 of 10 records"))
        #expect(capped.stderr.contains("longer than cutoff_len 8 tokens"))
        let auto = try await lfm(["train", "--dry-run", "--json", "--model", "llama3", "--dataset", "h", "--cutoff-len", "auto", "--lf-dir", workspace],
                           cwd: dir.path, environment: Self.bareEnvironment)
        #expect(auto.status == 0, "\(auto.stderr)")
        let json = try #require(auto.json as? [String: Any])
        #expect((json["yaml"] as? String)?.contains("cutoff_len: 128\n") == true, "\(json["yaml"] ?? "")")
        let check = try #require(json["datasets_check"] as? [String: Any])
        #expect(check["auto_cutoff_len"] as? Int == 128)
    }

    @Test func dropLongDryRunCountsAndWritesNothing() async throws {
        let (dir, workspace) = try await Self.fixture()
        let before = dir.snapshot("ws")
        let result = try await lfm(["train", "--dry-run", "--model", "llama3", "--dataset", "h", "--cutoff-len", "8", "--drop-long", "--lf-dir", workspace],
                             cwd: dir.path, environment: Self.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("--drop-long: would write \(workspace)/data/h_max8.json (27 examples, 3 longer dropped)"), "\(result.stderr)")
        #expect(dir.snapshot("ws") == before)
    }

    @Test func trainRefusesADatasetThatDropsFields() async throws {
        let (dir, workspace) = try await Self.fixture()
        try Self.addEntry("partial", Self.partial, workspace: workspace)
        // A fake environment whose llamafactory-cli leaves a mark if it is ever started.
        let env = try dir.mkdir("env/bin")
        try dir.write("env/bin/python", "#!/bin/sh\nexit 0\n")
        try dir.write("env/bin/llamafactory-cli", "#!/bin/sh\ntouch \(dir.path)/launched\n")
        for tool in ["python", "llamafactory-cli"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: env + "/" + tool)
        }
        let result = try await lfm(["train", "--model", "llama3", "--dataset", "partial", "--env", dir.path + "/env", "--lf-dir", workspace],
                             cwd: dir.path, environment: Self.bareEnvironment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("nothing was launched"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/launched"))
    }
}
