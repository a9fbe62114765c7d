import Foundation
import Testing

/// `lfm train`'s refusals as people see them: the problem on the `error:` line (naming the
/// dataset, path or flag), the fix on the `hint:` line, exit 1.
@Suite("lfm train error hints", .enabled(if: binaryAvailable))
struct TrainErrorHintTests {
    @Test func anUnknownDatasetNamesTheRegistryAndHintsAtList() async throws {
        let (dir, workspace) = try await FidelityCommandTests.fixture()
        let result = try await lfm(["train", "--dry-run", "--model", "llama3", "--dataset", "hh", "--lf-dir", workspace],
                                   cwd: dir.path, environment: FidelityCommandTests.bareEnvironment)
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("""
            error: dataset "hh" is not registered in \(workspace)/data/dataset_info.json (did you mean "h"?)
            hint: `lfm list` shows the registered datasets; `lfm register FILE` adds one

            """), "\(result.stderr)")
    }

    @Test func aFolderThatIsNoEnvironmentHintsAtAPrefix() async throws {
        let (dir, workspace) = try await FidelityCommandTests.fixture()
        let missing = try dir.mkdir("not-an-env")
        let result = try await lfm(["train", "--model", "llama3", "--dataset", "h", "--env", missing, "--lf-dir", workspace],
                                   cwd: dir.path, environment: FidelityCommandTests.bareEnvironment)
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("""
            error: \(missing) is not a Python environment (no bin/python inside)
            hint: pass a conda env or venv prefix

            """), "\(result.stderr)")
    }

    @Test func anUnknownStageSaysWhichOnesExist() async throws {
        let (dir, workspace) = try await FidelityCommandTests.fixture()
        let result = try await lfm(["train", "--dry-run", "--model", "llama3", "--dataset", "h", "--stage", "ppo", "--lf-dir", workspace],
                                   cwd: dir.path, environment: FidelityCommandTests.bareEnvironment)
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("""
            error: unknown stage ppo; lfm trains sft, dpo, kto, pt, rm
            hint: ppo needs a reward model; start from your own --config FILE

            """), "\(result.stderr)")
    }
}
