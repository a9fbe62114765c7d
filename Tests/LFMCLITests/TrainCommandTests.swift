import Foundation
import Testing

/// `lfm train --dry-run` in an `lfm init` workspace without LLaMA-Factory installed: the plan is
/// printed, nothing is written, and bad dataset choices stop before any launch.
@Suite("lfm train", .enabled(if: binaryAvailable))
struct TrainCommandTests {
    /// No llamafactory-cli on PATH and no active conda env or venv.
    static let bareEnvironment: [String: String?] = ["PATH": "/usr/bin:/bin", "CONDA_PREFIX": nil, "VIRTUAL_ENV": nil, "CONDA_DEFAULT_ENV": nil]

    /// A temp dir with an `lfm init` workspace in ws/, with `support` (Alpaca SFT) and `prefs`
    /// (Alpaca preference) registered.
    static func fixture() async throws -> (dir: TempDir, workspace: String) {
        let dir = try TempDir("lfm-train")
        #expect(try await lfm(["init", "ws"], cwd: dir.path).status == 0)
        let workspace = dir.path + "/ws"
        try dir.write("support.json", """
        [{"instruction": "Reset my password", "input": "", "output": "Use the link on the sign-in page."},
         {"instruction": "Cancel my order", "input": "order 12", "output": "Done."}]
        """)
        try dir.write("prefs.json", """
        [{"instruction": "q1", "input": "", "chosen": "good", "rejected": "bad"},
         {"instruction": "q2", "input": "", "chosen": "fine", "rejected": "poor"}]
        """)
        for file in ["support.json", "prefs.json"] {
            let registered = try await lfm(["register", file, "--lf-dir", workspace], cwd: dir.path)
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        return (dir, workspace)
    }

    @Test func dryRunPrintsThePlanAndWritesNothing() async throws {
        let (dir, workspace) = try await Self.fixture()
        let before = dir.snapshot("ws")
        let result = try await lfm(["train", "--dry-run", "--json", "--model", "llama3", "--dataset", "support", "--lf-dir", workspace],
                             cwd: dir.path, environment: Self.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json as? [String: Any], "\(result.stdout)")
        #expect(json["dry_run"] as? Bool == true)
        let yaml = try #require(json["yaml"] as? String)
        #expect(yaml.contains("dataset_dir: \(workspace)/data\n"), "\(yaml)")
        #expect(yaml.contains("stage: sft\n"))
        #expect(yaml.contains("dataset: support\n"))
        let argv = try #require(json["argv"] as? [String])
        #expect(argv.last?.hasSuffix("/train.yaml") == true, "\(argv)")
        #expect(argv.last?.hasPrefix("/") == true)
        // A dry run writes nothing: no run directory, no YAML, no state.
        #expect(dir.snapshot("ws") == before)
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: workspace + "/.lfm/runs")) ?? []
        #expect(runs.isEmpty, "\(runs)")
        #expect(!FileManager.default.fileExists(atPath: argv.last ?? "/"))
    }

    @Test func unregisteredDatasetSuggestsAName() async throws {
        let (dir, workspace) = try await Self.fixture()
        let before = dir.snapshot("ws")
        let result = try await lfm(["train", "--dry-run", "--json", "--model", "llama3", "--dataset", "suport", "--lf-dir", workspace],
                             cwd: dir.path, environment: Self.bareEnvironment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("did you mean"), "\(result.stderr)")
        #expect(result.stderr.contains("support"))
        #expect(dir.snapshot("ws") == before)
    }

    @Test func preferenceDataWithSFTIsNotApplicable() async throws {
        let (dir, workspace) = try await Self.fixture()
        let result = try await lfm(["train", "--dry-run", "--model", "llama3", "--dataset", "prefs", "--stage", "sft", "--lf-dir", workspace],
                             cwd: dir.path, environment: Self.bareEnvironment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("not applicable"), "\(result.stderr)")
        // The same data with its own stage plans fine.
        let dpo = try await lfm(["train", "--dry-run", "--json", "--model", "llama3", "--dataset", "prefs", "--stage", "dpo", "--lf-dir", workspace],
                          cwd: dir.path, environment: Self.bareEnvironment)
        #expect(dpo.status == 0, "\(dpo.stderr)")
        #expect((dpo.json as? [String: Any])?["stage"] as? String == "dpo")
    }
}
