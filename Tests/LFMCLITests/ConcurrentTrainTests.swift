import Foundation
import Testing

/// Two `lfm train` started together in one workspace (two nodes on one host, a script) each get
/// their own run id and run directory.
@Suite("lfm train concurrency", .enabled(if: binaryAvailable))
struct ConcurrentTrainTests {
    /// A FAKE venv whose llamafactory-cli writes an adapter into output_dir after a short sleep,
    /// so both launches overlap (the real trainer runs in Tests/Conformance).
    static func fakeVenv(_ dir: TempDir) throws -> String {
        let prefix = try dir.mkdir("venv")
        try dir.write("venv/pyvenv.cfg", "home = /usr/bin\n")
        try dir.write("venv/bin/python", "#!/bin/sh\nexit 0\n")
        try dir.write("venv/bin/llamafactory-cli", """
        #!/bin/sh
        out=$(sed -n 's/^output_dir: *//p' "$2" | head -n 1)
        mkdir -p "$out" && sleep 1 && touch "$out/adapter_model.safetensors"
        echo "fake train $2"
        """)
        for file in ["bin/python", "bin/llamafactory-cli"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: prefix + "/" + file)
        }
        return prefix
    }

    @Test func twoTrainsInTheSameSecondGetTheirOwnRuns() async throws {
        let (dir, workspace) = try await trainFixtureAsync()
        let venv = try Self.fakeVenv(dir)
        let args = ["train", "--model", "llama3", "--dataset", "support", "--env", venv, "--lf-dir", workspace, "--json"]
        let first = try RunningLFM(args, cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        let second = try RunningLFM(args, cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        let results = [await first.finished(), await second.finished()]
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let ids = results.compactMap { ($0.json as? [String: Any])?["id"] as? String }
        #expect(ids.count == 2 && Set(ids).count == 2, "\(ids)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: workspace + "/.lfm/runs").sorted()
        #expect(runs == ids.sorted(), "\(runs)")
        let outputs = results.compactMap { ($0.json as? [String: Any])?["output_dir"] as? String }
        #expect(Set(outputs).count == 2, "\(outputs)")
        for run in runs {
            let record = try String(contentsOfFile: workspace + "/.lfm/runs/\(run)/run.json", encoding: .utf8)
            #expect(record.contains("\"id\": \"\(run)\""))
        }
    }
}

extension RunningLFM {
    /// Waits for the exit without blocking a thread of the test pool (polls `isRunning`).
    func finished() async -> CLIResult {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return wait()
    }
}

/// `lfm(...)` for async tests: the pool is never blocked while the child runs.
func lfmAsync(_ arguments: [String], cwd: String, environment: [String: String?] = [:]) async throws -> CLIResult {
    try await RunningLFM(arguments, cwd: cwd, environment: environment).finished()
}

/// `TrainCommandTests.fixture()` without blocking waits.
func trainFixtureAsync() async throws -> (dir: TempDir, workspace: String) {
    let dir = try TempDir("lfm-train")
    #expect(try await lfmAsync(["init", "ws"], cwd: dir.path).status == 0)
    let workspace = dir.path + "/ws"
    try dir.write("support.json", """
    [{"instruction": "Reset my password", "input": "", "output": "Use the link on the sign-in page."},
     {"instruction": "Cancel my order", "input": "order 12", "output": "Done."}]
    """)
    let registered = try await lfmAsync(["register", "support.json", "--lf-dir", workspace], cwd: dir.path)
    #expect(registered.status == 0, "\(registered.stderr)")
    return (dir, workspace)
}
