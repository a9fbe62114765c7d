import Foundation
import LFMCore
import Testing
@testable import LFMTrain

/// `TrainSession`: plan (no writes) then run, with a FAKE llamafactory-cli (LaunchTestSupport).
@Suite struct TrainSessionTests {
    @Test func dryRunPlanWithoutLlamaFactoryWarnsAndWritesNothing() async throws {
        let scratch = try TempDir()
        let prefix = try scratch.fakePrefix("env", withCLI: false)
        let workspace = try ConfigFixture.workspace()
        let session = TrainSession(workspace: workspace, baseEnvironment: testBaseEnvironment())
        let plan = try await session.plan(TrainRequest(model: "Qwen/Qwen2.5-0.5B-Instruct", datasets: ["chat_sft"]),
                                          options: TrainLaunchOptions(env: prefix, dryRun: true))
        #expect(!plan.cliInstalled)
        #expect(plan.warnings.contains { $0.contains("LLaMA-Factory is not installed in \(prefix)") }, "\(plan.warnings)")
        #expect(plan.launchPlan.argv.first == prefix + "/bin/llamafactory-cli")
        #expect(plan.launchPlan.argv.last == plan.directory.configFile)
        #expect(plan.stage == "sft")
        #expect(!FileManager.default.fileExists(atPath: session.store.root))
        // A real run refuses the same plan before writing anything.
        await #expect(throws: EnvironmentError.self) {
            _ = try await session.plan(TrainRequest(model: "Qwen/Qwen2.5-0.5B-Instruct", datasets: ["chat_sft"]),
                                       options: TrainLaunchOptions(env: prefix))
        }
        #expect(!FileManager.default.fileExists(atPath: session.store.root))
    }

    @Test func runStartsTheChildAndReturnsTheRecordAndProgress() async throws {
        let scratch = try TempDir()
        let prefix = try scratch.fakePrefix("env")
        let workspace = try ConfigFixture.workspace()
        let session = TrainSession(workspace: workspace, baseEnvironment: testBaseEnvironment())
        var request = TrainRequest(model: "Qwen/Qwen2.5-0.5B-Instruct", datasets: ["chat_sft"])
        request.outputDir = scratch.path("out")
        let plan = try await session.plan(request, options: TrainLaunchOptions(env: prefix))
        let outcome = try await session.run(plan, console: RecordingConsole())
        #expect(outcome.exitCode == 0)
        #expect(outcome.record.status == .finished)
        #expect(outcome.directory.id == plan.id)
        #expect(outcome.info?.progress.step == 4)
        #expect(FileManager.default.fileExists(atPath: plan.directory.configFile))
    }
}
