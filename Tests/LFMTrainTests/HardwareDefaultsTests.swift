import Foundation
import Testing
import YAML
@testable import LFMTrain

/// Values picked for the probed machine (faked probe results), and doctor's verdicts.
@Suite struct HardwareDefaultsTests {
    static func probe(_ accelerator: String = "cuda", cc: [String] = [], bf16: Bool? = nil, cores: Int = 16) -> TargetProbe {
        var p = TargetProbe()
        p.accelerator = accelerator
        p.devices = cc.map { TargetProbe.Device(name: "GPU cc\($0)", memoryBytes: 16 << 30, computeCapability: $0) }
        p.bf16Supported = bf16
        p.cpuCount = cores
        p.packages = ["llamafactory": "0.9.5", "torch": "2.11.0+cu128", "torchaudio": "2.11.0+cu128", "torchvision": "0.26.0+cu128"]
        p.torchCuda = accelerator == "cpu" ? nil : "12.8"
        return p
    }

    static let template = """
        dataset: d
        max_samples: 1000
        preprocessing_num_workers: 16
        dataloader_num_workers: 4
        logging_steps: 10
        save_steps: 500
        per_device_train_batch_size: 1
        gradient_accumulation_steps: 8
        num_train_epochs: 3.0
        bf16: true
        """

    func choose(_ probe: TargetProbe?, records: Int? = 12, shm: Int64? = 8 << 30, gpus: String? = nil, yaml: String = template) throws -> [String: String] {
        let config = try #require(try YAMLParser.parse(yaml).mapping)
        let facts = MachineFacts(shmBytes: shm, cpuCount: 2)
        let chosen = HardwareDefaults.choose(config: config, probe: probe, facts: facts, records: records, gpus: gpus)
        return Dictionary(uniqueKeysWithValues: chosen.choices.map { ($0.key, $0.value.scalarText ?? "") })
    }

    @Test(arguments: [
        ("8.0", true, "true", "false"),   // A100
        ("9.0", true, "true", "false"),   // H100
        ("8.6", true, "true", "false"),   // RTX 3090
        ("7.5", true, "false", "true"),   // T4: torch emulates bf16, but cc < 8.0 → fp16
        ("7.0", false, "false", "true"),  // V100
        ("8.0", false, "false", "true"),  // transformers says no → fp16
    ])
    func precisionPerComputeCapability(cc: String, bf16Supported: Bool, bf16: String, fp16: String) throws {
        let chosen = try choose(Self.probe(cc: [cc], bf16: bf16Supported))
        #expect(chosen["bf16"] == bf16)
        #expect(chosen["fp16"] == fp16)
    }

    @Test func precisionOnCPUAndMixedGPUs() throws {
        let cpu = try choose(Self.probe("cpu"))
        #expect(cpu["bf16"] == "false" && cpu["fp16"] == "false")
        // The lowest of the devices decides, unless --gpus picks the newer one.
        let mixed = Self.probe(cc: ["8.0", "7.5"], bf16: true)
        #expect(try choose(mixed)["bf16"] == "false")
        #expect(try choose(mixed, gpus: "0")["bf16"] == "true")
        // No probe (no environment): precision stays the template's.
        #expect(try choose(nil)["bf16"] == nil)
    }

    @Test func workersFollowCoresRecordsAndShm() throws {
        // The target's cores count (the probe's), not this machine's.
        #expect(try choose(Self.probe(cc: ["8.0"], bf16: true, cores: 16), records: 50_000)["dataloader_num_workers"] == nil)
        let small = try choose(Self.probe(cc: ["8.0"], bf16: true, cores: 2), records: 12)
        #expect(small["preprocessing_num_workers"] == "1")
        #expect(small["dataloader_num_workers"] == "1")  // 2 cores / 2
        let large = try choose(Self.probe(cc: ["8.0"], bf16: true, cores: 2), records: 50_000)
        #expect(large["preprocessing_num_workers"] == "2")  // ≤ 2 cores
        #expect(try choose(Self.probe(cc: ["8.0"], bf16: true), shm: 64 << 20)["dataloader_num_workers"] == "0")
        #expect(try choose(Self.probe("cpu"))["dataloader_num_workers"] == "0")
    }

    @Test func loggingAndSavingScaleWithTheRun() throws {
        // 12 records, batch 1 × accumulation 8: 2 steps per epoch, 6 in 3 epochs.
        let short = try choose(Self.probe("cpu"), records: 12)
        #expect(short["logging_steps"] == "1")
        #expect(short["save_steps"] == "1")
        // 8000 records: 1000 (max_samples) → 125 per epoch, 375 steps: log every 37, save every 38.
        let medium = try choose(Self.probe("cpu"), records: 8000)
        #expect(medium["logging_steps"] == nil)  // 10 already gives ≥ 10 points
        #expect(medium["save_steps"] == "38")
        // Unknown size: nothing is guessed.
        let unknown = try choose(Self.probe("cpu"), records: nil)
        #expect(unknown["logging_steps"] == nil && unknown["save_steps"] == nil)
        // max_steps decides when set.
        #expect(HardwareDefaults.totalSteps(config: try #require(try YAMLParser.parse("max_steps: 40\n").mapping), records: nil) == 40)
    }

    @Test func setAlwaysWins() async throws {
        let scratch = try TempDir()
        let workspace = try ConfigFixture.workspace()
        let session = TrainSession(workspace: workspace, baseEnvironment: testBaseEnvironment())
        var request = TrainRequest(model: "Qwen/Qwen2.5-0.5B-Instruct", datasets: ["chat_sft"])
        request.overrides = [("logging_steps", "7"), ("dataloader_num_workers", "3")]
        let plan = try await session.plan(request, options: TrainLaunchOptions(env: try scratch.fakePrefix("env", withCLI: false), dryRun: true))
        #expect(plan.rendered.mapping["logging_steps"]?.intValue == 7)
        #expect(plan.rendered.mapping["dataloader_num_workers"]?.intValue == 3)
        #expect(plan.rendered.mapping["save_steps"]?.intValue == 1)  // 2 records: 1 step per epoch
        #expect(!plan.defaults.contains { $0.key == "logging_steps" })
        #expect(plan.notes.contains { $0.hasPrefix("save_steps: 1") }, "\(plan.notes)")
        // Planned without the target's environment: the plan says it used defaults.
        #expect(plan.warnings.contains { $0.contains("the plan uses defaults") }, "\(plan.warnings)")
    }

    @Test func precisionTheMachineCannotRunIsWarned() throws {
        let config = try #require(try YAMLParser.parse("bf16: true\nfp16: true\n").mapping)
        let cpu = TrainSession.precisionConflicts(config, probe: Self.probe("cpu"), gpus: nil)
        #expect(cpu.count == 2)
        #expect(cpu[0].contains("Your setup doesn't support bf16/gpu"), "\(cpu)")
        #expect(TrainSession.precisionConflicts(config, probe: Self.probe(cc: ["7.5"], bf16: true), gpus: nil).count == 1)
        #expect(TrainSession.precisionConflicts(config, probe: Self.probe(cc: ["8.0"], bf16: true), gpus: nil).isEmpty)
        #expect(TrainSession.precisionConflicts(config, probe: nil, gpus: nil).isEmpty)
    }

    @Test func allowExtraArgsTurnsUnknownKeysIntoAWarning() async throws {
        let scratch = try TempDir()
        let env = try scratch.fakePrefix("env", withCLI: false)
        var request = TrainRequest(model: "Qwen/Qwen2.5-0.5B-Instruct", datasets: ["chat_sft"])
        request.overrides = [("my_own_key", "1")]
        let strict = TrainSession(workspace: try ConfigFixture.workspace(), baseEnvironment: testBaseEnvironment())
        await #expect(throws: KeyCheckError.self) { _ = try await strict.plan(request, options: TrainLaunchOptions(env: env, dryRun: true)) }
        let lenient = TrainSession(workspace: try ConfigFixture.workspace(), baseEnvironment: testBaseEnvironment(["ALLOW_EXTRA_ARGS": "1"]))
        let plan = try await lenient.plan(request, options: TrainLaunchOptions(env: env, dryRun: true))
        #expect(plan.warnings.contains("ALLOW_EXTRA_ARGS is set: LLaMA-Factory will ignore my_own_key"), "\(plan.warnings)")
        request.overrides = [("bf16", "maybe")]
        await #expect(throws: KeyCheckError.self) { _ = try await lenient.plan(request, options: TrainLaunchOptions(env: env, dryRun: true)) }
    }

    @Test func doctorVerdicts() {
        let facts = MachineFacts(freeDiskBytes: 100 << 30, diskPath: "/w", shmBytes: 64 << 20, cpuCount: 2)
        let env = CondaEnvironment(kind: .venv, prefix: "/v", name: "v", origin: "--env")
        // CPU-only: "no GPU" and low shm are warnings; nothing stops a run.
        let cpu = DoctorReport.diagnose(environment: env, probe: Self.probe("cpu"), facts: facts)
        #expect(cpu.gpu == "no GPU")
        #expect(cpu.llamafactory == "0.9.5")
        #expect(!cpu.hasErrors)
        #expect(cpu.verdicts.contains { $0.check == "shm" && $0.level == .warning && $0.fix?.contains("--shm-size") == true })
        // The 0.9.5 install trap: torchaudio built for another torch.
        var trap = Self.probe(cc: ["8.0"], bf16: true)
        trap.packages["torchaudio"] = "2.9.1+cu126"
        let bad = DoctorReport.diagnose(environment: env, probe: trap, facts: facts)
        let audio = bad.verdicts.first { $0.check == "torch_extensions" }
        #expect(audio?.level == .error)
        #expect(audio?.fix?.contains("torchaudio==2.11.*") == true, "\(String(describing: audio))")
        #expect(audio?.fix?.contains("whl/cu128") == true)
        #expect(bad.gpu == "1 × GPU cc8.0 (16 GiB, cc 8.0)")
        // nvidia-smi sees a GPU that torch cannot use.
        var blind = Self.probe("cpu")
        blind.nvidiaSmi = [TargetProbe.SMIDevice(name: "Tesla T4", memoryMib: 15360, computeCapability: "7.5", driver: "535")]
        #expect(DoctorReport.diagnose(environment: env, probe: blind, facts: facts).verdicts.contains { $0.check == "gpu" && $0.level == .error })
        // LLaMA-Factory missing.
        var none = Self.probe("cpu")
        none.packages["llamafactory"] = nil
        let missing = DoctorReport.diagnose(environment: env, cliError: "LLaMA-Factory is not installed in /v", probe: none, facts: facts)
        #expect(missing.hasErrors)
        #expect(missing.verdicts.contains { $0.check == "llamafactory" && $0.fix?.contains("pip install llamafactory==0.9.5") == true })
    }
}
