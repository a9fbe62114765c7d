import Foundation
import Testing

/// The commands that take RUN share one lookup (`RunStore.resolve`) and its errors: `error:`
/// naming the reference, the fix on the `hint:` line, exit 1; and their refusals write nothing.
@Suite("run lookup errors", .enabled(if: binaryAvailable))
struct RunLookupTests {
    @Test func everyRunCommandNamesTheUnknownRunAndTheFix() async throws {
        let (dir, ws, _, _) = try await JSONSnapshotTrainTests.runs()
        let before = dir.snapshot("ws")
        for command in [["status"], ["logs"], ["cancel"], ["plot"], ["compare", "last"], ["eval"], ["export"], ["chat", "--dry-run"]] {
            let result = try await lfm([command[0], "nosuch"] + command.dropFirst() + ["--lf-dir", ws], cwd: dir.path,
                                       environment: EvalCommandTests.bareEnvironment)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: no run \"nosuch\"; recent runs: 20261129-070000-sft-tiny, 20261129-080000-sft-tiny\n"),
                    "\(command): \(result.stderr)")
            #expect(result.stderr.contains("\nhint: lfm runs lists the runs"), "\(command): \(result.stderr)")
        }
        let ambiguous = try await lfm(["status", "sft-tiny", "--lf-dir", ws], cwd: dir.path)
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("matches several runs") && ambiguous.stderr.contains("hint: give more of the id"), "\(ambiguous.stderr)")
        #expect(dir.snapshot("ws") == before)
    }

    @Test func noRunsYetSaysHowToStartOne() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        let result = try await lfm(["runs", "--lf-dir", workspace], cwd: dir.path)
        #expect(result.status == 0)
        let status = try await lfm(["status", "--lf-dir", workspace], cwd: dir.path)
        #expect(status.status == 1)
        #expect(status.stderr.contains("error: no runs yet (") && status.stderr.contains("hint: start one with lfm train --model MODEL --dataset NAME"),
                "\(status.stderr)")
    }

    @Test func checkingAMissingExportIsAFailureWithTheCommandThatWritesIt() async throws {
        let (dir, ws, run, _) = try await JSONSnapshotTrainTests.runs()
        let result = try await lfm(["export", run, "--check", "--lf-dir", ws], cwd: dir.path, environment: EvalCommandTests.bareEnvironment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "error: no export in \(ws)/exports/\(run)\nhint: lfm export \(run) writes it\n", "\(result.stderr)")
    }

    /// The resume command `lfm status` prints is the one `lfm train` prints after Ctrl-C: with a
    /// relative `--lf-dir`, the workspace's absolute path (it works from any directory).
    @Test func statusResumeCommandNamesTheWorkspaceAbsolutely() async throws {
        let (dir, ws, run, _) = try await JSONSnapshotTrainTests.runs()
        let file = ws + "/.lfm/runs/\(run)/run.json"
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"status\": \"finished\"", with: "\"status\": \"interrupted\"")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let expected = "lfm train --resume \(run) --lf-dir \(ws)"
        let human = try await lfm(["status", run, "--lf-dir", "ws"], cwd: dir.path)
        #expect(human.status == 0, "\(human.stderr)")
        #expect(human.stdout.contains("  resume   \(expected)\n"), "\(human.stdout)")
        let json = try await lfm(["status", run, "--lf-dir", "ws", "--json"], cwd: dir.path)
        #expect((json.json as? [String: Any])?["resume_command"] as? String == expected, "\(json.stdout)")
    }
}
