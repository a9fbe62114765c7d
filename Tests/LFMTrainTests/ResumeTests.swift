import Foundation
import Testing
@testable import LFMTrain

/// `lfm train --resume RUN`: checkpoints read from trainer_state.json, the explanation, and the
/// run continued in its own directory.
@Suite struct ResumeTests {
    /// A checkpoint folder as the HF trainer writes it.
    @discardableResult
    static func checkpoint(_ s: TempDir, out: String, step: Int, of total: Int, epochs: Double = 3,
                           optimizer: Bool = true, complete: Bool = true) throws -> String {
        let dir = "\(out)/checkpoint-\(step)"
        try s.write(String(dir.dropFirst(s.root.count + 1)) + "/adapter_config.json", "{}")
        if complete {
            try s.write(String(dir.dropFirst(s.root.count + 1)) + "/adapter_model.safetensors", "w")
            let epoch = epochs * Double(step) / Double(total)
            try s.write(String(dir.dropFirst(s.root.count + 1)) + "/trainer_state.json",
                        #"{"global_step": \#(step), "max_steps": \#(total), "epoch": \#(epoch), "num_train_epochs": \#(epochs)}"#)
        }
        if optimizer { try s.write(String(dir.dropFirst(s.root.count + 1)) + "/optimizer.pt", "o") }
        return dir
    }

    func decide(_ out: String, epochs: Double? = nil, maxSteps: Int? = nil, configMaxSteps: Int? = nil) throws -> ResumePoint {
        try ResumePoint.decide(run: "r1", outputDir: out, checkpoints: Checkpoint.scan(outputDir: out), configEpochs: 3,
                               configMaxSteps: configMaxSteps, epochs: epochs, maxSteps: maxSteps, command: "lfm train --resume r1")
    }

    @Test func resumesFromTheNewestCompleteCheckpoint() throws {
        let s = try TempDir()
        let out = s.path("out")
        try Self.checkpoint(s, out: out, step: 500, of: 3000)
        let newest = try Self.checkpoint(s, out: out, step: 1500, of: 3000)
        try Self.checkpoint(s, out: out, step: 2000, of: 3000, optimizer: false, complete: false)  // save cut short
        let point = try decide(out)
        #expect(point.checkpoint?.path == newest)
        #expect(point.explanation.contains("checkpoint-2000 is incomplete (its save was cut short); it is skipped"))
        #expect(point.explanation.contains { $0.hasPrefix("step 1500 of 3000, epoch 1.5 of 3.0: resuming from checkpoint-1500") }, "\(point.explanation)")
        #expect(point.overrides == ["overwrite_output_dir=false", "resume_from_checkpoint=\(newest)"])
    }

    @Test func fractionalEpochsAreShortNumbers() {
        #expect(ResumePoint.format(1.6666666666666665) == "1.67")
        #expect(ResumePoint.format(1.5) == "1.5")
        #expect(ResumePoint.format(3) == "3.0")
        #expect(ResumePoint.format(nil) == "?")
    }

    @Test func allEpochsDoneAsksForMore() throws {
        let s = try TempDir()
        let out = s.path("out")
        try Self.checkpoint(s, out: out, step: 3000, of: 3000)
        #expect(throws: ResumeError.complete(run: "r1", message: "all 3.0 epochs are done (step 3000 of 3000 in checkpoint-3000)",
                                             hint: "raise --epochs to continue: lfm train --resume r1 --epochs 6.0")) {
            try decide(out)
        }
        let more = try decide(out, epochs: 5)
        #expect(more.explanation.first == "all 3.0 epochs were done at step 3000; continuing to 5.0 epochs from checkpoint-3000")
        #expect(more.overrides.last == "num_train_epochs=5.0")
        // A max_steps run needs a higher max_steps, not epochs.
        #expect(throws: ResumeError.self) { try decide(out, epochs: 5, configMaxSteps: 3000) }
        #expect(try decide(out, maxSteps: 4000, configMaxSteps: 3000).checkpoint?.step == 3000)
    }

    @Test func noOptimizerStateIsExplained() throws {
        let s = try TempDir()
        let out = s.path("out")
        try Self.checkpoint(s, out: out, step: 1500, of: 3000, optimizer: false)
        let point = try decide(out)
        #expect(point.explanation.last == "checkpoint-1500 has no optimizer state (save_only_model): resuming restarts the optimizer")
    }

    @Test func noCheckpointStartsAgain() throws {
        let s = try TempDir()
        let point = try decide(s.path("out"))
        #expect(point.checkpoint == nil)
        #expect(point.overrides == ["overwrite_output_dir=true"])
        #expect(point.explanation[0].contains("starts again from step 0"))
    }

    @Test func trainerLogLosesTheStepsThatRunAgain() throws {
        let s = try TempDir()
        let lines = (1...7).map { #"{"current_steps": \#($0), "total_steps": 10, "loss": 1.0}"# } + [#"{"current_st"#]
        let log = try s.write("out/trainer_log.jsonl", lines.joined(separator: "\n"))
        #expect(try TrainerLogTail.truncate(path: log, after: 5) == 3)
        #expect(TrainerLogTail.readAll(path: log).map(\.currentSteps) == [1, 2, 3, 4, 5])
        #expect(try TrainerLogTail.truncate(path: log, after: 5) == 0)
    }

    /// An interrupted run (fake CLI) is planned for resume in its own directory, and the hint after
    /// the interruption is that exact command.
    @Test func interruptedRunContinuesInItsOwnDirectory() async throws {
        let s = try TempDir()
        let prefix = try s.fakePrefix("env")
        let workspace = try ConfigFixture.workspace()
        let session = TrainSession(workspace: workspace, baseEnvironment: testBaseEnvironment(["FAKE_EXIT": "130"]))
        var request = TrainRequest(model: "Qwen/Qwen2.5-0.5B-Instruct", datasets: ["chat_sft"])
        request.outputDir = s.path("out")
        let first = try await session.plan(request, options: TrainLaunchOptions(env: prefix))
        let ended = try await session.run(first, console: RecordingConsole())
        #expect(ended.record.status == .failed)
        #expect(ended.resumeHint == nil)  // no checkpoint, not interrupted: nothing to offer
        let checkpoint = try Self.checkpoint(s, out: s.path("out"), step: 2, of: 4)
        #expect(session.resumeHint(ended.record) == "continue from checkpoint-2 with: lfm train --resume \(first.id) --lf-dir \(workspace.root)")

        let again = TrainSession(workspace: workspace, baseEnvironment: testBaseEnvironment())
        let plan = try await again.planResume(ResumeRequest(run: first.id), options: TrainLaunchOptions())
        #expect(plan.directory == first.directory)
        #expect(plan.launchPlan.arguments == ["train", first.directory.configFile, "overwrite_output_dir=false",
                                              "resume_from_checkpoint=\(checkpoint)"])
        #expect(plan.environment.prefix == prefix)  // the run's own env
        let resumed = try await again.run(plan, console: RecordingConsole())
        #expect(resumed.record.status == .finished)
        #expect(resumed.directory == first.directory)
        #expect(try first.directory.readRecord().notes.last?.contains("resuming from checkpoint-2") == true)
        #expect(try String(contentsOfFile: first.directory.logFile, encoding: .utf8).contains("--- lfm: "))
        // A bad --set is refused before anything runs.
        await #expect(throws: KeyCheckError.self) {
            _ = try await session.planResume(ResumeRequest(run: first.id, overrides: [("bf16", "maybe")]), options: TrainLaunchOptions())
        }
    }
}
