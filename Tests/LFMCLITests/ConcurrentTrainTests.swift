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
        let (dir, workspace) = try await TrainCommandTests.fixture()
        let venv = try Self.fakeVenv(dir)
        let args = ["train", "--model", "llama3", "--dataset", "support", "--env", venv, "--lf-dir", workspace, "--json"]
        let first = try RunningLFM(args, cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        let second = try RunningLFM(args, cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        let results = [await first.wait(), await second.wait()]
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

