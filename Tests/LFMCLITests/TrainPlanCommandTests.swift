import Foundation
import Testing

/// The run plan from the command line: checked keys, `lfm init --env`, dry runs without the
/// environment, `lfm doctor`, and `--resume RUN`'s usage rules.
@Suite("lfm train plan, init --env, doctor", .enabled(if: binaryAvailable))
struct TrainPlanCommandTests {
    static let bare = TrainCommandTests.bareEnvironment

    /// A FAKE venv (bin/python that prints nothing), with or without a FAKE llamafactory-cli.
    static func fakeVenv(_ dir: TempDir, _ name: String, cli: Bool = true) throws -> String {
        let python = try dir.write("\(name)/bin/python", "#!/bin/sh\nexit 0\n")
        try dir.write("\(name)/pyvenv.cfg", "home = /usr/bin\n")
        var files = [python]
        if cli { files.append(try dir.write("\(name)/bin/llamafactory-cli", "#!/bin/sh\nexit 0\n")) }
        for file in files { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return dir.path + "/" + name
    }

    @Test func misspelledAndMistypedKeysAreRefusedBeforeLaunch() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        let before = dir.snapshot("ws")
        let base = ["train", "--dry-run", "--model", "llama3", "--dataset", "support", "--lf-dir", workspace]
        let typo = try await lfm(base + ["--set", "learning_rat=1e-4"], cwd: dir.path, environment: Self.bare)
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("error: LLaMA-Factory 0.9.5 does not know the key learning_rat; did you mean learning_rate?"), "\(typo.stderr)")
        #expect(typo.stderr.contains("hint: use learning_rate"))
        let maybe = try await lfm(base + ["--set", "bf16=maybe"], cwd: dir.path, environment: Self.bare)
        #expect(maybe.status == 1)
        #expect(maybe.stderr.contains("bf16: \"maybe\" is not a boolean"), "\(maybe.stderr)")
        let choice = try await lfm(base + ["--set", "lr_scheduler_type=cosin"], cwd: dir.path, environment: Self.bare)
        #expect(choice.status == 1)
        #expect(choice.stderr.contains("one of linear, cosine"), "\(choice.stderr)")
        #expect(dir.snapshot("ws") == before)
    }

    @Test func dryRunWithoutTheEnvironmentSaysItUsedDefaults() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        // A conda env name in lfm.yaml and no conda on this machine.
        let config = workspace + "/lfm.yaml"
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try (text + "env: llamafactory\n").write(toFile: config, atomically: true, encoding: .utf8)
        var env = Self.bare
        env["CONDA_EXE"] = nil
        env["MAMBA_EXE"] = nil
        let result = try await lfm(["train", "--dry-run", "--json", "--model", "llama3", "--dataset", "support", "--lf-dir", workspace],
                             cwd: dir.path, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("cannot resolve environment name \"llamafactory\""), "\(result.stderr)")
        #expect(result.stderr.contains("the plan uses defaults"))
        let json = try #require(result.json as? [String: Any])
        let defaults = try #require(json["defaults"] as? [[String: Any]])
        #expect(defaults.contains { $0["key"] as? String == "logging_steps" && $0["value"] as? String == "1" }, "\(defaults)")
        #expect(json["target"] is NSNull)
    }

    @Test func initChecksAndUpdatesTheEnvironment() async throws {
        let dir = try TempDir("lfm-init-env")
        let missing = try await lfm(["init", "ws", "--env", dir.path + "/nope"], cwd: dir.path)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("is not a Python environment"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/ws"))

        let bare = try Self.fakeVenv(dir, "venv-a", cli: false)
        // A bare name is a conda name; without conda it is kept unchecked, with a pointer to ./venv-a.
        let name = try await lfm(["init", "named", "--env", "venv-a"], cwd: dir.path, environment: Self.bare)
        #expect(name.status == 0, "\(name.stderr)")
        #expect(name.stderr.contains("pass --env ./venv-a"), "\(name.stderr)")
        let first = try await lfm(["init", "ws", "--env", "./venv-a"], cwd: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("has no llamafactory-cli yet"), "\(first.stderr)")
        #expect(try String(contentsOfFile: dir.path + "/ws/lfm.yaml", encoding: .utf8).contains("env: \(bare)\n"))

        let ready = try Self.fakeVenv(dir, "venv-b")
        let second = try await lfm(["init", "ws", "--env", ready], cwd: dir.path)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("env (changed from \(bare)): \(ready)"), "\(second.stdout)")
        let yaml = try String(contentsOfFile: dir.path + "/ws/lfm.yaml", encoding: .utf8)
        #expect(yaml.contains("env: \(ready)\n") && !yaml.contains(bare), "\(yaml)")
        #expect(yaml.hasPrefix("# lfm workspace"))  // the comment survives the edit
    }

    @Test func doctorReportsAnEnvironmentItCannotRun() async throws {
        let dir = try TempDir("lfm-doctor")
        let venv = try Self.fakeVenv(dir, "venv")
        var env = Self.bare
        env["XDG_CACHE_HOME"] = dir.path + "/cache"
        let result = try await lfm(["doctor", "--env", venv, "--json"], cwd: dir.path, environment: env)
        #expect(result.status == 1)
        let json = try #require(result.json as? [String: Any], "\(result.stdout)")
        let verdicts = try #require(json["verdicts"] as? [[String: Any]])
        #expect(verdicts.contains { $0["check"] as? String == "probe" && $0["level"] as? String == "error" }, "\(verdicts)")
        #expect(json["gpu"] as? String == "unknown")
    }

    @Test func resumeTakesARunAndKeepsItsConfig() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        let usage = try await lfm(["train", "--resume", "last", "--model", "llama3", "--lf-dir", workspace], cwd: dir.path, environment: Self.bare)
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--model cannot change it"), "\(usage.stderr)")
        let none = try await lfm(["train", "--resume", "last", "--dry-run", "--lf-dir", workspace], cwd: dir.path, environment: Self.bare)
        #expect(none.status == 1)
        #expect(none.stderr.contains("no runs yet"), "\(none.stderr)")
    }
}
