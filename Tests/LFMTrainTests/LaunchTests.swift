#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LFMSystem
import Testing
@testable import LFMTrain

/// The launcher against REAL child processes: a FAKE llamafactory-cli (bash) that behaves like
/// the real one on the outside (two streams, tqdm `\r` lines, trainer_log.jsonl growing step by
/// step, adapter file, exit code). Fake because a real training run needs LLaMA-Factory and
/// minutes; the real one runs in Tests/Conformance/lfm_train_e2e.sh.
@Suite struct LaunchTests {
    func launch(_ s: TempDir, out: String, extra: [String: String] = [:], resume: Bool = false,
                fresh: Bool = false, distributed: DistributedOptions = DistributedOptions()) throws -> TrainLaunch {
        let prefix = try s.fakePrefix("venv")
        let env = CondaEnvironment(kind: .venv, prefix: prefix, name: "venv", origin: "test")
        return TrainLaunch(rendered: try s.rendered(outputDir: out, dataset: "tiny"), model: "/models/tiny",
                           template: "llama3", method: "lora", environment: env, cli: prefix + "/bin/llamafactory-cli",
                           distributed: distributed, resume: resume, fresh: fresh,
                           baseEnvironment: testBaseEnvironment(extra))
    }

    @Test func attachedRunStreamsLogsRecordsAndReportsProgress() async throws {
        let s = try TempDir()
        let out = s.path("out")
        var launcher = TrainLauncher(store: RunStore(stateDir: s.path(".lfm")))
        launcher.pollInterval = .milliseconds(20)
        let prepared = try launcher.prepare(try launch(s, out: out, extra: ["FAKE_SLEEP": "0.1"]), detached: false)
        #expect(s.read(prepared.directory.configFile).contains("output_dir: \(out)"))
        let console = RecordingConsole()
        let record = try await launcher.runAttached(prepared, console: console)

        #expect(record.exitCode == 0)
        #expect(record.status == .finished)
        #expect(record.pid != nil)
        #expect(record.endTime != nil)
        // Lines reach the console and train.log, in order per stream.
        let stdout = console.lines.filter { $0.stream == .stdout }.map(\.text)
        #expect(stdout.first?.hasPrefix("fake-start train \(prepared.directory.configFile)") == true)
        #expect(stdout.filter { $0.hasPrefix("step ") } == ["step 1", "step 2", "step 3", "step 4"])
        #expect(console.lines.contains { $0.stream == .stderr && $0.terminator == .carriageReturn && $0.text == " 2/4" })
        let log = s.read(prepared.directory.logFile)
        let logLines = log.split(separator: "\n").map(String.init)
        let stepLines = logLines.filter { $0.hasPrefix("step ") }
        #expect(stepLines == ["step 1", "step 2", "step 3", "step 4"])
        #expect(logLines.contains("fake-end"))
        #expect(logLines.contains(" 3/4"))  // tqdm redraws are logged too
        // The child ran in the run dir with the env activated and PYTHONHOME unset.
        #expect(logLines.contains("cwd \(prepared.directory.path)"))
        let envLine = try #require(logLines.first { $0.hasPrefix("env ") })
        #expect(envLine.contains("PATH0=\(s.path("venv"))/bin"))
        #expect(envLine.contains("VIRTUAL_ENV=\(s.path("venv"))"))
        #expect(envLine.contains("PYTHONUNBUFFERED=1"))
        #expect(envLine.contains("PYTHONHOME=unset"))
        #expect(console.finished)

        // run.json on disk.
        let onDisk = try prepared.directory.readRecord()
        #expect(onDisk == record)
        #expect(onDisk.argv == [s.path("venv") + "/bin/llamafactory-cli", "train", prepared.directory.configFile])
        #expect(onDisk.environment["VIRTUAL_ENV"] == .some(s.path("venv")))
        #expect(onDisk.environment["PYTHONHOME"] == .some(nil))
        #expect(onDisk.datasets.first?.name == "tiny")
        #expect(onDisk.datasets.first?.checksumAlgorithm == "sha256")
        #expect(onDisk.datasets.first?.sha256 == SHA256Digest.hex(of: Array(s.read(s.path("data/tiny.json")).utf8)))
        #expect(onDisk.detached == false)
        #expect(onDisk.lfmVersion == "0.1.0")
        let json = String(decoding: try Data(contentsOf: URL(fileURLWithPath: prepared.directory.recordFile)), as: UTF8.self)
        #expect(json.contains("\"output_dir\": \"\(out)\""))

        // Progress reached the console (polled from trainer_log.jsonl), and the store agrees.
        let updates = console.progressUpdates
        #expect(!updates.isEmpty)
        #expect(updates.map(\.step) == updates.map(\.step).sorted())
        #expect(updates.last.map { $0.total } == 4)
        let info = try RunStore(stateDir: s.path(".lfm")).info(prepared.directory)
        #expect(info.status == .finished)
        #expect(info.progress.step == 4 && info.progress.total == 4)
        #expect(info.progress.lastLoss == 6.5)
        #expect(info.adapterPath == out)
    }

    @Test func childExitCodeIsPropagatedAndRecorded() async throws {
        let s = try TempDir()
        let launcher = TrainLauncher(store: RunStore(stateDir: s.path(".lfm")))
        let prepared = try launcher.prepare(try launch(s, out: s.path("out"), extra: ["FAKE_EXIT": "3", "FAKE_STEPS": "1"]), detached: false)
        let record = try await launcher.runAttached(prepared, console: RecordingConsole())
        #expect(record.exitCode == 3)
        #expect(record.status == .failed)
        #expect(try prepared.directory.readRecord().status == .failed)
        #expect(try RunStore(stateDir: s.path(".lfm")).info(prepared.directory).adapterPath == nil)
    }

    @Test func interruptIsForwardedToTheChildGroup() async throws {
        let s = try TempDir()
        let forwarder = SignalForwarder(idleHandler: { _ in })
        let launcher = TrainLauncher(store: RunStore(stateDir: s.path(".lfm")), signalForwarder: forwarder)
        // Far more steps than the test waits for: the child is still running when interrupted.
        let prepared = try launcher.prepare(try launch(s, out: s.path("out"), extra: ["FAKE_STEPS": "20000", "FAKE_SLEEP": "0.05"]), detached: false)
        let console = RecordingConsole()
        let task = Task { try await launcher.runAttached(prepared, console: console) }
        // Wait for the child to be up (its INT trap installed), then "press Ctrl-C". The deadline
        // is a bound on a loaded machine, not a speed target.
        let up = await eventually(timeout: .seconds(120)) { console.lines.contains(where: { $0.text == "step 2" }) }
        #expect(up, "the fake never reached step 2: \(console.lines.map(\.text))")
        forwarder.forward(SIGINT)
        let record = try await task.value
        #expect(record.exitCode == 130)
        #expect(record.status == .interrupted)
        #expect(forwarder.interruptionExitCode == 130)
        #expect(s.read(prepared.directory.logFile).contains("fake: interrupted"))
    }

    @Test func detachedRunThenStatusAndLog() async throws {
        let s = try TempDir()
        let store = RunStore(stateDir: s.path(".lfm"))
        let launcher = TrainLauncher(store: store)
        // The fake waits for the gate file before its first step, so it is surely still running
        // when runDetached returns, however slow the machine (no race against a sleep).
        let gate = s.path("gate")
        let prepared = try launcher.prepare(try launch(s, out: s.path("out"), extra: ["FAKE_GATE": gate, "FAKE_STEPS": "40", "FAKE_SLEEP": "0.01"]), detached: true)
        let launchStart = ContinuousClock.now
        let record = try await launcher.runDetached(prepared)
        let launchTook = ContinuousClock.now - launchStart
        #expect(record.detached)
        #expect(record.pid != nil)
        let early = try store.info(prepared.directory)
        #expect(early.status == .running, "runDetached took \(launchTook); status \(early.status), exit \(String(describing: early.record.exitCode)), log: \(s.read(prepared.directory.logFile))")
        s.touch("gate")
        // A bound on a loaded machine, not a speed target.
        #expect(await eventually(timeout: .seconds(300)) { (try? store.info(prepared.directory).status) != .running })
        let info = try store.info(prepared.directory)
        #expect(info.status == .finished)
        #expect(info.record.exitCode == 0)
        #expect(info.progress.step == 40)
        // status finalized run.json from the exit file.
        #expect(try prepared.directory.readRecord().status == .finished)
        let log = s.read(prepared.directory.logFile)
        #expect(log.contains("fake-start"))
        #expect(log.contains("step 40"))
        #expect(log.contains("fake-end"))
    }

    @Test func deadRunWithoutExitStatusIsKilled() throws {
        let s = try TempDir()
        let store = RunStore(stateDir: s.path(".lfm"))
        let dir = try store.create(id: "20260101-000000-sft-x")
        let plan = LaunchPlan(executable: "/bin/true", arguments: [], workingDirectory: nil, changes: [], base: [:])
        var record = RunRecord(id: dir.id, model: "m", template: nil, datasets: [], stage: "sft", method: "lora",
                               outputDir: s.path("out"), config: dir.configFile, plan: plan, envPrefix: nil, detached: false)
        record.pid = 999_999_999 % 4_000_000 + 3_000_000  // no such process
        try dir.write(record)
        #expect(try store.info(dir).status == .killed)
    }

    @Test func resumeAndClobberRules() throws {
        let s = try TempDir()
        let out = s.path("out")
        #expect(try ResumeDecision.decide(dir: out, resume: false, fresh: false).overrides == [])
        try s.write("out/checkpoint-5/adapter_config.json", "{}")
        try s.write("out/checkpoint-10/adapter_config.json", "{}")
        #expect(OutputDirState.inspect(out) == .checkpoints(["checkpoint-5", "checkpoint-10"]))
        #expect(throws: OutputDirError.needsDecision(dir: out, checkpoint: "checkpoint-10")) {
            try ResumeDecision.decide(dir: out, resume: false, fresh: false)
        }
        let resume = try ResumeDecision.decide(dir: out, resume: true, fresh: false)
        #expect(resume.overrides == ["overwrite_output_dir=false", "resume_from_checkpoint=\(out)/checkpoint-10"])
        #expect(try ResumeDecision.decide(dir: out, resume: false, fresh: true).overrides == ["overwrite_output_dir=true"])
        try s.write("out/adapter_model.safetensors", "")
        #expect(throws: OutputDirError.finished(dir: out)) { try ResumeDecision.decide(dir: out, resume: false, fresh: false) }
        #expect(throws: OutputDirError.finished(dir: out)) { try ResumeDecision.decide(dir: out, resume: true, fresh: false) }
        #expect(try ResumeDecision.decide(dir: out, resume: false, fresh: true).overrides == ["overwrite_output_dir=true"])
        try s.write("other/notes.txt", "x")
        #expect(throws: OutputDirError.nonEmpty(dir: s.path("other"))) {
            try ResumeDecision.decide(dir: s.path("other"), resume: false, fresh: false)
        }
    }

    @Test func prepareRefusesFinishedOutputAndWritesNothing() throws {
        let s = try TempDir()
        try s.write("out/adapter_model.safetensors", "")
        let launcher = TrainLauncher(store: RunStore(stateDir: s.path(".lfm")))
        #expect(throws: OutputDirError.self) { try launcher.prepare(try launch(s, out: s.path("out")), detached: false) }
        #expect(RunStore(stateDir: s.path(".lfm")).ids().isEmpty)
        // --resume of checkpoints goes on the command line.
        try FileManager.default.removeItem(atPath: s.path("out/adapter_model.safetensors"))
        try s.write("out/checkpoint-3/x", "")
        let prepared = try launcher.prepare(try launch(s, out: s.path("out"), resume: true), detached: false)
        #expect(prepared.plan.arguments.suffix(2) == ["overwrite_output_dir=false", "resume_from_checkpoint=\(s.path("out"))/checkpoint-3"])
        #expect(prepared.notes.contains { $0.contains("resuming from") })
    }

    @Test func pathsWithSpacesAreRefused() throws {
        let s = try TempDir()
        let launcher = TrainLauncher(store: RunStore(stateDir: s.path("my ws/.lfm")))
        do {
            _ = try launcher.plan(try launch(s, out: s.path("out")), runID: "x")
            Issue.record("expected a refusal")
        } catch let error as EnvironmentError {
            #expect("\(error)".contains("contains spaces"))
        }
    }

    @Test func distributedVariables() throws {
        let env = CondaEnvironment(kind: .conda, prefix: "/c/envs/lf", name: "lf", origin: "t")
        let multi = DistributedOptions(gpus: "0,1", nnodes: 2, nodeRank: 1, masterAddr: "10.0.0.1", masterPort: 29500)
        let plan = LaunchPlan.make(cli: "/c/envs/lf/bin/llamafactory-cli", subcommand: "train", config: "/r/train.yaml",
                                   env: env, distributed: multi, workingDirectory: "/r", base: ["PATH": "/usr/bin"])
        let vars = Dictionary(plan.changes.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(vars["CUDA_VISIBLE_DEVICES"] == .some("0,1"))
        #expect(vars["NNODES"] == .some("2"))
        #expect(vars["NODE_RANK"] == .some("1"))
        #expect(vars["NPROC_PER_NODE"] == .some("2"))
        #expect(vars["MASTER_ADDR"] == .some("10.0.0.1"))
        #expect(vars["MASTER_PORT"] == .some("29500"))
        #expect(vars["FORCE_TORCHRUN"] == .some("1"))
        #expect(plan.perNode.count == 2)
        #expect(plan.perNode.map { n in n.first { $0.key == "NODE_RANK" }?.value } == ["0", "1"])
        #expect(plan.environment["CONDA_PREFIX"] == "/c/envs/lf")
        #expect(plan.shellLine(changes: plan.perNode[0]).contains("NODE_RANK=0"))

        let ray = DistributedOptions(rayWorkers: 4).variables(rank: nil)
        #expect(ray.map(\.key) == ["USE_RAY"])
        let ds = DistributedOptions(gpus: "0", deepspeed: true).variables(rank: nil)
        #expect(ds.map(\.key) == ["CUDA_VISIBLE_DEVICES", "NPROC_PER_NODE", "FORCE_TORCHRUN"])
        #expect(DistributedOptions().variables(rank: nil).isEmpty)
        // Two nodes without GPUs: NPROC_PER_NODE is always given (LLaMA-Factory would count 0
        // devices and start torchrun --nproc_per_node 0).
        let cpu = Dictionary(DistributedOptions(nnodes: 2, nodeRank: 0, masterAddr: "127.0.0.1", nprocPerNode: 1)
            .variables(rank: 0).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(cpu["NPROC_PER_NODE"] == .some("1"))
        #expect(cpu["FORCE_TORCHRUN"] == .some("1"))
        let zero = DistributedOptions(nnodes: 2, masterAddr: "h", nprocPerNode: 0).variables(rank: 1)
        #expect(zero.contains { $0.key == "NPROC_PER_NODE" && $0.value == "1" })
        // One node, two processes (CPU or GPU): torchrun with 2.
        let two = DistributedOptions(nprocPerNode: 2).variables(rank: nil)
        #expect(two.map(\.key) == ["NPROC_PER_NODE", "FORCE_TORCHRUN"])
    }

    @Test func deepspeedJSONIsWrittenNextToTrainYAML() throws {
        let s = try TempDir()
        var l = try launch(s, out: s.path("out"))
        l.rendered.deepspeedConfig = ("ds_z2_config.json", "{\"zero_optimization\": {\"stage\": 2}}\n")
        let prepared = try TrainLauncher(store: RunStore(stateDir: s.path(".lfm"))).prepare(l, detached: false)
        let ds = prepared.directory.path + "/ds_z2_config.json"
        #expect(s.read(ds).contains("\"stage\": 2"))
        #expect(prepared.plan.arguments.contains("deepspeed=\(ds)"))
        #expect(prepared.plan.changes.contains(LaunchPlan.EnvChange("FORCE_TORCHRUN", "1")))
    }
}
