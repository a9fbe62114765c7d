import Foundation
import LFMSystem
import Testing
@testable import LFMTrain

/// A FAKE Slurm: states are scripted per test (the real one runs in .ci/slurm_e2e.sh).
final class FakeScheduler: JobScheduler, @unchecked Sendable {
    private let lock = NSLock()
    private var states: [SlurmJobState?]
    private(set) var submitted: [String] = []
    private(set) var cancelled: [String] = []
    var submitError: SlurmError?

    init(states: [SlurmJobState?]) { self.states = states }

    func submit(script: String, workingDirectory: String) async throws -> String {
        try lock.withLock {
            if let submitError { throw submitError }
            submitted.append(script)
            return "4242"
        }
    }

    /// The next scripted state (the last one repeats).
    func state(ofJob id: String) async throws -> SlurmJobState? {
        lock.withLock { states.count > 1 ? states.removeFirst() : states.first ?? nil }
    }

    func cancel(job id: String) async throws {
        lock.withLock {
            cancelled.append(id)
            states = [SlurmJobState(state: "CANCELLED", exitCode: "0:15")]
        }
    }
}

@Suite struct SlurmRunTests {
    func submit(_ s: TempDir, scheduler: FakeScheduler) async throws -> (store: RunStore, dir: RunDirectory) {
        let store = RunStore(stateDir: s.path(".lfm"))
        let env = CondaEnvironment(kind: .venv, prefix: try s.fakePrefix("venv"), name: "venv", origin: "test")
        let launch = TrainLaunch(rendered: try s.rendered(outputDir: s.path("out"), dataset: "qa"), model: "/models/tiny",
                                 template: "llama3", method: "lora", environment: env, cli: env.cliPath!,
                                 baseEnvironment: testBaseEnvironment())
        let id = try store.reserve(stage: "sft", model: "/models/tiny").id
        var settings = SlurmSettings()
        settings.nprocPerNode = 2
        let submitter = SlurmSubmitter(launcher: TrainLauncher(store: store), scheduler: scheduler)
        let (prepared, script) = try await submitter.submit(launch, settings: settings, id: id)
        #expect(scheduler.submitted == [script.scriptPath])
        return (store, prepared.directory)
    }

    @Test func submissionRecordsTheJobAndTheScriptChecksum() async throws {
        let s = try TempDir()
        let scheduler = FakeScheduler(states: [SlurmJobState(state: "PENDING", reason: "Priority")])
        let (store, dir) = try await submit(s, scheduler: scheduler)
        let record = try dir.readRecord()
        let job = try #require(record.cluster?.slurm)
        #expect(job.jobID == "4242")
        #expect(job.script == dir.path + "/job.sbatch")
        #expect(job.scriptSHA256 == SHA256Digest.hex(ofFile: job.script))
        #expect(record.cluster?.nprocPerNode == 2 && record.cluster?.job == "lfm-\(dir.id)")
        #expect(FileManager.default.fileExists(atPath: dir.configFile))
        let info = try await store.liveInfo(dir, scheduler: scheduler)
        #expect(info.status == .pending)
        #expect(info.record.cluster?.slurm?.reason == "Priority")
        // Saved, so `lfm runs` shows the reason without asking again.
        #expect(try dir.readRecord().cluster?.slurm?.reason == "Priority")
    }

    @Test func refusedSubmissionIsRecordedAsFailedWithSbatchsMessage() async throws {
        let s = try TempDir()
        let scheduler = FakeScheduler(states: [nil])
        scheduler.submitError = .submitFailed(status: "exit 1", stderr: "sbatch: error: invalid partition specified: gpux")
        await #expect(throws: SlurmError.self) { try await submit(s, scheduler: scheduler) }
        let store = RunStore(stateDir: s.path(".lfm"))
        let record = try store.directory(id: try #require(store.ids().last)).readRecord()
        #expect(record.status == .failed)
        #expect(record.notes.last?.contains("invalid partition specified: gpux") == true)
    }

    @Test func stateFollowsSlurmThenTheExitStatusTheScriptWrote() async throws {
        let s = try TempDir()
        let scheduler = FakeScheduler(states: [
            SlurmJobState(state: "PENDING", reason: "Resources"),
            SlurmJobState(state: "RUNNING"),
            SlurmJobState(state: "FAILED", reason: "NonZeroExitCode", exitCode: "3:0"),
        ])
        let (store, dir) = try await submit(s, scheduler: scheduler)
        #expect(try await store.liveInfo(dir, scheduler: scheduler).status == .pending)
        #expect(try await store.liveInfo(dir, scheduler: scheduler).status == .running)
        try "3\n".write(toFile: dir.exitFile, atomically: true, encoding: .utf8)
        let failed = try await store.liveInfo(dir, scheduler: scheduler)
        #expect(failed.status == .failed)
        #expect(failed.record.exitCode == 3)
        #expect(failed.record.cluster?.slurm?.state == "FAILED")
        #expect(failed.record.cluster?.slurm?.reason == "NonZeroExitCode")
        // Final: Slurm is not asked again, and the state survives Slurm forgetting the job.
        let forgot = FakeScheduler(states: [nil])
        #expect(try await store.liveInfo(dir, scheduler: forgot).status == .failed)
    }

    @Test func aJobSlurmForgotWithoutAnExitStatusWasKilled() async throws {
        let s = try TempDir()
        let scheduler = FakeScheduler(states: [SlurmJobState(state: "RUNNING"), nil])
        let (store, dir) = try await submit(s, scheduler: scheduler)
        #expect(try await store.liveInfo(dir, scheduler: scheduler).status == .running)
        let gone = try await store.liveInfo(dir, scheduler: scheduler)
        #expect(gone.status == .killed)
        #expect(gone.record.cluster?.slurm?.reason?.contains("no longer knows job 4242") == true)
        // A job that completed and was forgotten before anyone looked: the exit file decides.
        let s2 = try TempDir()
        let later = FakeScheduler(states: [nil])
        let (store2, dir2) = try await submit(s2, scheduler: later)
        try "0\n".write(toFile: dir2.exitFile, atomically: true, encoding: .utf8)
        #expect(try await store2.liveInfo(dir2, scheduler: later).status == .finished)
    }

    @Test func cancelCallsScancelAndRecordsCancelled() async throws {
        let s = try TempDir()
        let scheduler = FakeScheduler(states: [SlurmJobState(state: "RUNNING")])
        let (store, dir) = try await submit(s, scheduler: scheduler)
        let canceller = RunCanceller(store: store, scheduler: scheduler, grace: .seconds(5))
        let (action, info) = try await canceller.cancel(dir)
        #expect(action == .scancel(jobID: "4242"))
        #expect(scheduler.cancelled == ["4242"])
        #expect(info.status == .cancelled)
        #expect(info.record.exitCode == 143 && info.record.endTime != nil)
        #expect(info.record.cluster?.slurm?.cancelledByUser == true)
        // Cancelling again does nothing.
        let again = try await canceller.cancel(dir)
        #expect(again.action == .alreadyOver(.cancelled))
        #expect(scheduler.cancelled == ["4242"])
    }

    @Test func cancelEndsADetachedRunsProcessGroup() async throws {
        let s = try TempDir()
        let store = RunStore(stateDir: s.path(".lfm"))
        let env = CondaEnvironment(kind: .venv, prefix: try s.fakePrefix("venv"), name: "venv", origin: "test")
        let launch = TrainLaunch(rendered: try s.rendered(outputDir: s.path("out")), model: "/models/tiny", template: nil,
                                 method: "lora", environment: env, cli: env.cliPath!,
                                 baseEnvironment: testBaseEnvironment(["FAKE_STEPS": "1000", "FAKE_SLEEP": "0.2"]))
        let launcher = TrainLauncher(store: store)
        let prepared = try launcher.prepare(launch, detached: true)
        let record = try await launcher.runDetached(prepared)
        let pid = try #require(record.pid)
        // Wait (generously) until the fake trainer is past its first step.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: s.path("out/trainer_log.jsonl")), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let canceller = RunCanceller(store: store, scheduler: FakeScheduler(states: [nil]), grace: .seconds(5))
        let (action, info) = try await canceller.cancel(prepared.directory)
        #expect(action == .endProcessGroup(pid: pid))
        #expect(info.status == .cancelled)
        // SIGKILLed members are gone once the kernel has run them (slower on a loaded machine);
        // the fake alone would run 200 s.
        #expect(await eventually(timeout: .seconds(120)) { ProcessSystem.liveMembers(ofProcessGroup: pid).isEmpty })
    }
}
