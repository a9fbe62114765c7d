import Foundation
import Testing

/// `lfm train --dry-run` on a dataset the real launch would refuse: the plan is printed (text or
/// the `--json` document with the problems), then the same errors and hint as the real launch,
/// and exit 1 - a dry run never says yes where the run would say no.
@Suite("lfm train --dry-run refusals", .enabled(if: binaryAvailable))
struct TrainDryRunRefusalTests {
    static let hint = "hint: fix the datasets (see lfm validate NAME), or accept a deliberate drop with lfm register FILE --force --allow-unmapped FIELD"

    @Test func aDryRunOnADatasetWithErrorsPrintsThePlanAndExitsOne() async throws {
        let (dir, workspace) = try await FidelityCommandTests.fixture()
        try FidelityCommandTests.addEntry("partial", FidelityCommandTests.partial, workspace: workspace)
        let before = dir.snapshot("ws")
        let arguments = ["train", "--dry-run", "--model", "llama3", "--dataset", "partial", "--lf-dir", workspace]

        let text = try await lfm(arguments, cwd: dir.path, environment: FidelityCommandTests.bareEnvironment)
        #expect(text.status == 1, "\(text.stderr)")
        #expect(text.stdout.contains("stage: sft"), "the plan was not printed: \(text.stdout)")
        #expect(text.stderr.contains("error: ") && text.stderr.contains("partial"), "\(text.stderr)")
        #expect(text.stderr.contains("error: a real run would stop here: the datasets above have errors\n" + Self.hint),
                "\(text.stderr)")

        let json = try await lfm(arguments + ["--json"], cwd: dir.path, environment: FidelityCommandTests.bareEnvironment)
        #expect(json.status == 1, "\(json.stderr)")
        let document = try #require(json.json as? [String: Any], "no plan document: \(json.stdout)")
        let check = try #require(document["datasets_check"] as? [String: Any])
        let datasets = try #require(check["datasets"] as? [[String: Any]])
        let partial = try #require(datasets.first { $0["name"] as? String == "partial" })
        let errors = try #require(partial["errors"] as? [String])
        #expect(!errors.isEmpty)
        for error in errors { #expect(json.stderr.contains("error: partial: " + error), "\(json.stderr)") }
        #expect(json.stderr.hasSuffix(Self.hint + "\n"), "\(json.stderr)")
        #expect(dir.snapshot("ws") == before, "a dry run changed the workspace")

        // The same datasets without errors: the dry run succeeds.
        let clean = try await lfm(["train", "--dry-run", "--model", "llama3", "--dataset", "h", "--lf-dir", workspace],
                                  cwd: dir.path, environment: FidelityCommandTests.bareEnvironment)
        #expect(clean.status == 0, "\(clean.stderr)")
    }

    @Test func aSlurmDryRunPrintsTheScriptThenExitsOne() async throws {
        let (dir, workspace) = try await FidelityCommandTests.fixture()
        try FidelityCommandTests.addEntry("partial", FidelityCommandTests.partial, workspace: workspace)
        let result = try await lfm(["train", "--dry-run", "--slurm", "--model", "llama3", "--dataset", "partial", "--lf-dir", workspace],
                                   cwd: dir.path, environment: FidelityCommandTests.bareEnvironment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("#SBATCH"), "the job script was not printed: \(result.stdout)")
        #expect(result.stderr.hasSuffix("error: a real run would stop here: the datasets above have errors\n" + Self.hint + "\n"),
                "\(result.stderr)")
    }

    @Test func theRealLaunchRefusesWithTheSameErrorAndHint() async throws {
        let (dir, workspace) = try await FidelityCommandTests.fixture()
        try FidelityCommandTests.addEntry("partial", FidelityCommandTests.partial, workspace: workspace)
        try dir.write("env/bin/python", "#!/bin/sh\nexit 0\n", executable: true)
        try dir.write("env/bin/llamafactory-cli", "#!/bin/sh\ntouch \(dir.path)/launched\n", executable: true)
        let result = try await lfm(["train", "--model", "llama3", "--dataset", "partial", "--env", dir.path + "/env", "--lf-dir", workspace],
                                   cwd: dir.path, environment: FidelityCommandTests.bareEnvironment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("error: nothing was launched: the datasets above have errors\n" + Self.hint), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/launched"))
    }
}
