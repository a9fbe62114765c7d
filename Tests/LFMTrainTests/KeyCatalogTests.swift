import Foundation
import Testing
import YAML
@testable import LFMTrain

/// Config keys checked against LLaMA-Factory 0.9.5's own argument dataclasses (the bundled list,
/// generated from the real venv by .ci/gen-bundled-keys.sh).
@Suite struct KeyCatalogTests {
    let catalog = KeyCatalog.bundled

    func problems(_ yaml: String, _ subcommand: String = "train") throws -> [KeyProblem] {
        catalog.check(try #require(try YAMLParser.parse(yaml).mapping), subcommand: subcommand, origin: { _ in "--set" })
    }

    @Test func bundledListIsLlamaFactory095() {
        #expect(catalog.llamafactory == "0.9.5")
        #expect(catalog.subcommands["train"] == ["ModelArguments", "DataArguments", "TrainingArguments", "FinetuningArguments", "GeneratingArguments"])
        #expect(catalog.keys(for: "train").count > 300)
        #expect(catalog.fields["bf16"] == KeyCatalog.Field(kind: .bool))
        #expect(catalog.fields["learning_rate"]?.kind == .float)
        #expect(catalog.fields["stage"]?.choices == ["pt", "sft", "rm", "ppo", "dpo", "kto"])
    }

    @Test func unknownKeySuggestsTheClosest() throws {
        let found = try problems("learning_rat: 1.0e-4\n")
        #expect(found.count == 1)
        #expect(found[0].kind == .unknown)
        #expect(found[0].suggestion == "learning_rate")
        #expect(found[0].message.contains("did you mean learning_rate?"), "\(found[0].message)")
        #expect(try problems("my_totally_own_key: 1\n")[0].suggestion == nil)
    }

    @Test func wrongTypesAreRefused() throws {
        let bf16 = try problems("bf16: maybe\n")
        #expect(bf16.map(\.kind) == [.type])
        #expect(bf16[0].message.contains("\"maybe\" is not a boolean"), "\(bf16[0].message)")
        #expect(bf16[0].message.contains("true or false"))
        #expect(try problems("num_train_epochs: three\n").map(\.kind) == [.type])
        #expect(try problems("max_steps: 1.5\n").map(\.kind) == [.type])
        #expect(try problems("per_device_train_batch_size: [1, 2]\n").map(\.kind) == [.type])
        // What LLaMA-Factory takes.
        #expect(try problems("bf16: false\nnum_train_epochs: 3\nlearning_rate: 1.0e-4\nmax_samples: null\n").isEmpty)
        #expect(try problems("dataset: [a, b]\nlr_scheduler_kwargs: {min_lr: 1.0e-6}\nreport_to: none\n").isEmpty)
    }

    @Test func choicesNameTheAllowedValues() throws {
        let found = try problems("save_strategy: sometimes\nfinetuning_type: lora\nstage: sft\n")
        #expect(found.count == 1)
        #expect(found[0].kind == .choice)
        #expect(found[0].message.contains("one of no, steps, epoch, best"), "\(found[0].message)")
        // YAML 1.1 reads `no` as false: the string must be quoted.
        let unquoted = try problems("save_strategy: no\n")
        #expect(unquoted[0].message.contains("quote it"), "\(unquoted[0].message)")
        #expect(try problems("save_strategy: \"no\"\nlr_scheduler_type: cosine\noptim: adamw_torch\n").isEmpty)
    }

    @Test func keysOfAnotherSubcommandAreRefused() throws {
        // A train config fed to export: learning_rate belongs to train only.
        let found = try problems("model_name_or_path: m\nlearning_rate: 1.0e-4\nexport_dir: out\n", "export")
        #expect(found.map(\.key) == ["learning_rate"])
        #expect(found[0].kind == .otherSubcommand)
        #expect(found[0].message.contains("llamafactory-cli train, not export"), "\(found[0].message)")
    }

    @Test func errorListsEveryProblemWithAHint() throws {
        let mapping = try #require(try YAMLParser.parse("bf16: maybe\nlearning_rat: 1\n").mapping)
        #expect(throws: KeyCheckError.self) { try catalog.require(mapping, subcommand: "train", source: "test") }
        do { try catalog.require(mapping, subcommand: "train", source: "test") } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("2 config keys would fail in LLaMA-Factory:"), "\(text)")
            #expect(text.contains("\nhint: "))
        }
    }

    /// Every built-in template (all stages × methods, DeepSpeed, export, chat) passes the check.
    @Test(arguments: TrainConfigBuilder.stages, TrainRequest.Method.allCases)
    func builtInTemplatesPass(stage: String, method: TrainRequest.Method) throws {
        let workspace = try ConfigFixture.workspace()
        var request = goldenRequest(stage: stage, method: method)
        request.deepspeed = "z3"
        request.validationSize = 0.1
        let rendered = try ConfigFixture.builder(workspace).render(request)
        #expect(catalog.check(rendered.mapping, subcommand: "train").isEmpty, "\(catalog.check(rendered.mapping, subcommand: "train"))")
    }

    @Test func probeOutputDecodes() throws {
        let line = #"LFM_PROBE {"accelerator": "cuda", "bf16_supported": true, "cpu_count": 8, "devices": [{"compute_capability": "8.0", "memory_bytes": 85899345920, "name": "NVIDIA A100"}], "packages": {"llamafactory": "0.9.5", "torch": "2.11.0+cu128"}, "probe_version": 1, "torch_cuda": "12.8", "keys": {"llamafactory": "0.9.5", "subcommands": {"train": ["A"]}, "classes": {"A": ["learning_rate"]}, "fields": {"learning_rate": {"kind": "float", "optional": false}}}}"#
        let probe = try TargetProbe.parse(stdout: "some warning from an import\n" + line + "\n")
        #expect(probe.devices.first?.capability == 8.0)
        #expect(probe.llamaFactoryVersion == "0.9.5")
        #expect(probe.keys?.fields["learning_rate"]?.kind == .float)
        #expect(throws: ProbeError.self) { try TargetProbe.parse(stdout: "Traceback ...\n") }
        // What is cached reads back the same.
        #expect(try TargetProbe.decoder.decode(TargetProbe.self, from: probe.encoded()) == probe)
    }
}
