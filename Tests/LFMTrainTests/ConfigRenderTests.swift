import Foundation
import Testing
import LFMCore
import YAML
@testable import LFMTrain

// MARK: golden files

/// Compares `text` (with the temp workspace path replaced by /WORKSPACE) with
/// Golden/<name>.yaml. `LFM_UPDATE_GOLDEN=1 swift test --filter LFMTrainTests` rewrites them.
func expectGolden(_ name: String, _ text: String, workspace: Workspace, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let normalized = text.replacingOccurrences(of: workspace.root, with: "/WORKSPACE")
    let path = ConfigFixture.goldenDir + "/" + name + ".yaml"
    if ProcessInfo.processInfo.environment["LFM_UPDATE_GOLDEN"] == "1" {
        try normalized.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
        Issue.record("missing golden file \(path); run LFM_UPDATE_GOLDEN=1 swift test --filter LFMTrainTests", sourceLocation: sourceLocation)
        return
    }
    #expect(normalized == expected, "differs from \(path); if the change is intended run LFM_UPDATE_GOLDEN=1 swift test --filter LFMTrainTests", sourceLocation: sourceLocation)
}

/// stage → a dataset of the kind it trains on.
let datasetForStage = ["sft": "chat_sft", "dpo": "prefs", "kto": "kto_tags", "pt": "raw_text", "rm": "prefs"]

/// The fixed request of the golden matrix.
func goldenRequest(stage: String, method: TrainRequest.Method) -> TrainRequest {
    ConfigFixture.request("llama3", [datasetForStage[stage]!], stage: stage, method: method)
}

@Test(arguments: TrainConfigBuilder.stages, TrainRequest.Method.allCases)
func configGoldenEveryStageAndMethod(stage: String, method: TrainRequest.Method) throws {
    let workspace = try ConfigFixture.workspace()
    let rendered = try ConfigFixture.builder(workspace).render(goldenRequest(stage: stage, method: method))
    #expect(rendered.stage == stage)
    #expect(rendered.outputDir == "\(workspace.root)/saves/llama3/\(method.rawValue)/\(stage)-run1")
    try expectGolden("\(stage)_\(method.rawValue)", rendered.yaml, workspace: workspace)
    // What is written parses back to the mapping.
    #expect(try YAMLParser.parse(rendered.yaml).mapping == rendered.mapping)
    #expect(rendered.mapping.keys.first == "model_name_or_path")
}

/// Every flag at once.
func knobsRequest() -> TrainRequest {
    var request = ConfigFixture.request("qwen2.5-7b", ["chat_sft"])
    request.epochs = 1
    request.learningRate = 2e-4
    request.cutoffLength = 1024
    request.batchSize = 2
    request.gradientAccumulation = 4
    request.maxSamples = 100
    request.validationSize = 0.1
    request.loraRank = 16
    request.deepspeed = "z3"
    request.rayWorkers = 2
    request.fresh = true
    request.runDir = "runs/r1"
    request.overrides = [
        ("save_strategy", "no"), ("report_to", "wandb"), ("logging_steps", "5"), ("warmup_ratio", "0"),
        ("weight_decay", "1e-2"), ("enable_thinking", "off"), ("seed", "7"), ("my_flag", "on"),
        ("lr_scheduler_kwargs.min_lr", "1e-6"),
    ]
    return request
}

@Test func configGoldenAllFlags() throws {
    let workspace = try ConfigFixture.workspace()
    let rendered = try ConfigFixture.builder(workspace).render(knobsRequest())
    try expectGolden("sft_lora_all_flags", rendered.yaml, workspace: workspace)
    #expect(rendered.deepspeedConfig?.fileName == "ds_z3.json")
    #expect(rendered.deepspeedConfig?.json.contains("\"stage\": 3") == true)
    #expect(rendered.mapping["deepspeed"]?.scalarText == workspace.root + "/runs/r1/ds_z3.json")
    #expect(rendered.datasets.map(\.name) == ["chat_sft"])
    #expect(rendered.datasets.first?.path == workspace.dataDir + "/chat_sft.json")
}

@Test func configGoldenExportAndChat() throws {
    let workspace = try ConfigFixture.workspace()
    let adapter = workspace.root + "/saves/llama3/lora/sft-run1"
    try FileManager.default.createDirectory(atPath: adapter, withIntermediateDirectories: true)
    let builder = try ConfigFixture.builder(workspace)
    let export = try builder.renderExport(adapterDir: adapter, model: "llama3", template: nil, exportDir: "merged/llama3-sft")
    try expectGolden("export_merge_lora", export.yaml, workspace: workspace)
    #expect(export.outputDir == workspace.root + "/merged/llama3-sft")
    let chat = try builder.renderChat(adapterDir: adapter, model: "llama3", template: nil)
    try expectGolden("chat_adapter", chat.yaml, workspace: workspace)
    let plain = try builder.renderChat(adapterDir: nil, model: "qwen3-4b-instruct", template: nil)
    try expectGolden("chat_base_model", plain.yaml, workspace: workspace)
    #expect(plain.mapping["adapter_name_or_path"] == nil)
    #expect(ConfigFixture.error { try builder.renderExport(adapterDir: "nope", model: "llama3", template: nil, exportDir: "x") }?.kind == .missingAdapter)
}

// MARK: typing, checked with the real PyYAML

@Test(.enabled(if: Python.hasPyYAML, "needs python3 with PyYAML"))
func configTypesReadByPyYAML() async throws {
    let workspace = try ConfigFixture.workspace()
    let rendered = try ConfigFixture.builder(workspace).render(knobsRequest())
    let path = try Python.temp(rendered.yaml)
    let script = """
    import sys, yaml, json
    d = yaml.safe_load(open(sys.argv[1]))
    print(json.dumps({k: type(v).__name__ for k, v in d.items()}))
    print(json.dumps({k: v for k, v in d.items() if isinstance(v, (str, int, float, bool)) or v is None}))
    """
    let result = try await Python.run("/usr/bin/env", ["python3", "-c", script, path])
    #expect(result.status == 0, "\(result.output)")
    let lines = result.output.split(separator: "\n")
    let types = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: String]
    let values = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
    let expected: [String: String] = [
        "learning_rate": "float", "num_train_epochs": "float", "warmup_ratio": "float", "weight_decay": "float",
        "val_size": "float", "save_strategy": "str", "report_to": "str", "eval_strategy": "str",
        "lora_rank": "int", "cutoff_len": "int", "per_device_train_batch_size": "int", "max_samples": "int",
        "gradient_accumulation_steps": "int", "logging_steps": "int", "seed": "int", "ray_num_workers": "int",
        "bf16": "bool", "overwrite_output_dir": "bool", "enable_thinking": "bool", "my_flag": "bool",
        "resume_from_checkpoint": "NoneType", "template": "str", "dataset": "str", "output_dir": "str",
        "lr_scheduler_kwargs": "dict",
    ]
    for (key, type) in expected {
        #expect(types[key] == type, "\(key): PyYAML reads \(types[key] ?? "nothing"), expected \(type)")
    }
    #expect(values["save_strategy"] as? String == "no")
    #expect(values["learning_rate"] as? Double == 2e-4)
    #expect(values["weight_decay"] as? Double == 0.01)
    #expect(values["warmup_ratio"] as? Double == 0.0)
    #expect(rendered.yaml.contains("learning_rate: 0.0002"))
    #expect(rendered.yaml.contains("save_strategy: 'no'"))
    // Every golden file types its floats and strings the same way.
    for stage in TrainConfigBuilder.stages {
        let golden = try String(contentsOfFile: ConfigFixture.goldenDir + "/\(stage)_lora.yaml", encoding: .utf8)
        let r = try await Python.run("/usr/bin/env", ["python3", "-c", script, try Python.temp(golden)])
        let t = try JSONSerialization.jsonObject(with: Data(r.output.split(separator: "\n")[0].utf8)) as! [String: String]
        #expect(t["learning_rate"] == "float" && t["num_train_epochs"] == "float" && t["lora_rank"] == "int" && t["report_to"] == "str")
    }
}

@Test func configOverrideValuesAreTypedLikeOmegaConf() throws {
    func text(_ key: String, _ value: String) throws -> String {
        var m = YAMLMapping()
        m[key] = try ConfigKeys.overrideValue(key: key, text: value)
        return try YAMLEmitter.emit(.mapping(m)).trimmingCharacters(in: .newlines)
    }
    #expect(try text("save_strategy", "no") == "save_strategy: 'no'")
    #expect(try text("eval_strategy", "'steps'") == "eval_strategy: steps")
    #expect(try text("template", "yi") == "template: yi")
    #expect(try text("learning_rate", "1e-4") == "learning_rate: 0.0001")
    #expect(try text("learning_rate", "5e-6") == "learning_rate: 5.0e-6")
    #expect(try text("learning_rate", "1") == "learning_rate: 1.0")
    #expect(try text("logging_steps", "10") == "logging_steps: 10")
    #expect(try text("bf16", "false") == "bf16: false")
    #expect(try text("bf16", "no") == "bf16: false")
    #expect(try text("resume_from_checkpoint", "null") == "resume_from_checkpoint: null")
    #expect(try text("custom", "\"no\"") == "custom: 'no'")
    #expect(try text("custom", "hello world") == "custom: hello world")
    #expect(try text("custom", "1e3") == "custom: 1000.0")
    #expect(try text("lora_target", "q_proj,v_proj") == "lora_target: q_proj,v_proj")
    #expect(try text("custom", "[1, 2]").contains("- 1"))
    #expect(try TrainConfigBuilder.parseOverride("a=b=c") == ("a", "b=c"))
    #expect(ConfigFixture.error { try TrainConfigBuilder.parseOverride("novalue") }?.kind == .badOverride)
    var m = YAMLMapping()
    #expect(ConfigFixture.error { try TrainConfigBuilder.apply(override: "bad key", "1", to: &m) }?.kind == .badOverride)
}

// MARK: stages

@Test func configStageInferredFromDatasetKind() throws {
    let workspace = try ConfigFixture.workspace()
    let builder = try ConfigFixture.builder(workspace)
    for (dataset, stage) in [("chat_sft", "sft"), ("prefs", "dpo"), ("kto_tags", "kto"), ("raw_text", "pt")] {
        let rendered = try builder.render(ConfigFixture.request("llama3", [dataset]))
        #expect(rendered.stage == stage)
        #expect(rendered.mapping["stage"]?.scalarText == stage)
        #expect(rendered.notes.contains { $0.contains("stage \(stage) inferred") })
    }
    let dpo = try builder.render(ConfigFixture.request("llama3", ["prefs"]))
    #expect(dpo.mapping["pref_beta"]?.doubleValue == 0.1)
    #expect(dpo.mapping["pref_loss"]?.scalarText == "sigmoid")
    let kto = try builder.render(ConfigFixture.request("llama3", ["kto_tags"]))
    #expect(kto.mapping["pref_beta"]?.doubleValue == 0.1)
    #expect(kto.mapping["pref_loss"] == nil)
    // pt leaves out the chat template unless one is asked for.
    let pt = try builder.render(ConfigFixture.request("llama3", ["raw_text"]))
    #expect(pt.mapping["template"] == nil)
    var ptWithTemplate = ConfigFixture.request("llama3", ["raw_text"])
    ptWithTemplate.template = "llama3"
    #expect(try builder.render(ptWithTemplate).mapping["template"]?.scalarText == "llama3")
}

@Test func configStageRefusals() throws {
    let workspace = try ConfigFixture.workspace()
    let builder = try ConfigFixture.builder(workspace)
    func refusal(_ datasets: [String], _ stage: String?) -> TrainConfigError? {
        ConfigFixture.error { try builder.render(ConfigFixture.request("llama3", datasets, stage: stage)) }
    }
    let notApplicable = "The dataset is not applicable in the current training stage."
    // Preference data outside dpo/rm, and plain data in dpo/rm: LLaMA-Factory's own error.
    for stage in ["sft", "pt", "kto"] {
        let e = refusal(["prefs"], stage)
        #expect(e?.kind == .stageMismatch)
        #expect(e?.message.contains("dataset prefs is preference data") == true)
        #expect(e?.message.contains(notApplicable) == true)
        #expect(e?.description.contains("--stage dpo") == true)
    }
    for stage in ["dpo", "rm"] {
        let e = refusal(["chat_sft"], stage)
        #expect(e?.description == "dataset chat_sft is sft data, which stage \(stage) cannot use: stage \(stage) needs preference pairs (ranking: true); LLaMA-Factory would stop with \"\(notApplicable)\"; use --stage sft or drop the dataset")
    }
    #expect(refusal(["kto_tags"], "sft")?.description == "dataset kto_tags is kto data, which stage sft cannot use: KTO-tagged data only trains stage kto; use --stage kto or drop the dataset")
    #expect(refusal(["chat_sft"], "kto")?.description == "dataset chat_sft is sft data, which stage kto cannot use: stage kto needs a kto_tag column (desirable/undesirable) in every dataset; use --stage sft or drop the dataset")
    #expect(refusal(["raw_text"], "sft")?.description == "dataset raw_text is pretrain data, which stage sft cannot use: raw text without responses only trains stage pt; use --stage pt or drop the dataset")
    #expect(refusal(["chat_sft"], "pt")?.description == "dataset chat_sft is sft data, which stage pt cannot use: stage pt trains on raw text (register it as pretrain data); use --stage sft or drop the dataset")
    // A mixed list names the offender even with an explicit stage.
    #expect(refusal(["chat_sft", "prefs"], "sft")?.message.hasPrefix("dataset prefs is preference data") == true)
    // Mixed kinds cannot be inferred.
    let mixed = refusal(["chat_sft", "kto_tags"], nil)
    #expect(mixed?.kind == .mixedDatasets)
    #expect(mixed?.message.hasPrefix("cannot train on chat_sft (sft), kto_tags (kto) together") == true)
    #expect(refusal(["chat_sft"], "ppo")?.kind == .unknownStage)
    #expect(refusal(["chat_sft"], "sftt")?.message == "unknown stage sftt; lfm trains sft, dpo, kto, pt, rm; did you mean sft?")
    #expect(refusal([], nil)?.kind == .noDatasets)
}

@Test func configUnknownDatasetSuggests() throws {
    let workspace = try ConfigFixture.workspace()
    let e = ConfigFixture.error { try ConfigFixture.builder(workspace).render(ConfigFixture.request("llama3", ["chat_sf"])) }
    #expect(e?.kind == .unknownDataset)
    #expect(e?.message == "dataset \"chat_sf\" is not registered in \(workspace.dataDir)/dataset_info.json (did you mean \"chat_sft\"?)")
    #expect(e?.hint == "`lfm list` shows the registered datasets; `lfm register FILE` adds one")
}

// MARK: models and chat templates

@Test func configModelResolution() throws {
    let workspace = try ConfigFixture.workspace()
    let builder = try ConfigFixture.builder(workspace)
    let llama = try builder.resolveModel("llama3", template: nil)
    #expect(llama == ResolvedModel(shortName: "llama3", path: "meta-llama/Meta-Llama-3-8B-Instruct", template: "llama3", origin: .catalogue))
    #expect(try builder.resolveModel("Qwen3-4B-Instruct", template: nil).template == "qwen3_nothink")
    #expect(try builder.resolveModel("qwen3-4b", template: nil).template == "qwen3")
    #expect(try builder.resolveModel("qwen2.5-7b", template: nil).path == "Qwen/Qwen2.5-7B-Instruct")
    #expect(try builder.resolveModel("gemma3-4b", template: nil).template == "gemma3")
    // A Hugging Face id the catalogue knows gets its template; an unknown one needs --template.
    #expect(try builder.resolveModel("meta-llama/Llama-3.2-1B-Instruct", template: nil).template == "llama3")
    let unknownID = ConfigFixture.error { try builder.resolveModel("someorg/some-model", template: nil) }
    #expect(unknownID?.kind == .templateRequired)
    #expect(unknownID?.message.hasPrefix("someorg/some-model is not in the model catalogue") == true)
    let withTemplate = try builder.resolveModel("someorg/Some-Model", template: "chatml")
    #expect(withTemplate == ResolvedModel(shortName: "some-model", path: "someorg/Some-Model", template: "chatml", origin: .huggingFace))
    // Local directories: must exist when it looks like a path; template required.
    let local = workspace.root + "/models/tiny"
    try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
    #expect(try builder.resolveModel("./models/tiny", template: "llama3") == ResolvedModel(shortName: "tiny", path: local, template: "llama3", origin: .local))
    #expect(try builder.resolveModel("models/tiny", template: "llama3").origin == .local)
    #expect(ConfigFixture.error { try builder.resolveModel("./models/tiny", template: nil) }?.kind == .templateRequired)
    let missing = ConfigFixture.error { try builder.resolveModel("./models/missing", template: "llama3") }
    #expect(missing?.message == "model directory \(workspace.root)/models/missing does not exist")
    // Typos.
    let typo = ConfigFixture.error { try builder.resolveModel("lama3", template: nil) }
    #expect(typo?.message.hasPrefix("unknown model lama3; did you mean llama3?") == true)
    let badTemplate = ConfigFixture.error { try builder.resolveModel("llama3", template: "lama3") }
    #expect(badTemplate?.kind == .unknownTemplate)
    #expect(badTemplate?.message == "unknown chat template lama3; did you mean llama3? LLaMA-Factory would fail with \"Template lama3 does not exist.\"")
    #expect(ConfigFixture.error { try builder.resolveModel("", template: nil) }?.kind == .unknownModel)
}

@Test func configChatTemplateListAndCatalogueAgree() throws {
    #expect(ChatTemplates.names.count == 124)
    #expect(Set(ChatTemplates.names).count == 124)
    for name in ["llama3", "qwen", "qwen3", "qwen3_nothink", "mistral", "gemma3", "glm4", "deepseekr1", "phi4_mini", "yi", "intern2", "openchat-3.6"] {
        #expect(ChatTemplates.isKnown(name))
    }
    let catalog = try TemplateLibrary().modelCatalog()
    #expect(catalog.entries.count > 80)
    for entry in catalog.entries {
        #expect(ChatTemplates.isKnown(entry.template), "\(entry.name)")
        #expect(TrainConfigBuilder.isHuggingFaceID(entry.hfID), "\(entry.name)")
    }
    for name in ["llama3", "llama3.1-8b", "llama3.2-1b", "llama3.3-70b", "qwen2.5-7b", "qwen3-4b-instruct", "mistral", "gemma-7b", "gemma2-9b",
                 "gemma3-4b", "glm4", "deepseek-r1-7b", "phi3", "phi4", "yi", "internlm2.5-7b"] {
        #expect(catalog.entry(named: name) != nil, "\(name)")
    }
}

// MARK: paths, defaults, overrides, --config

@Test func configRefusesPathsWithSpaces() throws {
    let workspace = try ConfigFixture.workspace(name: "my work")
    let e = ConfigFixture.error { try ConfigFixture.builder(workspace).render(ConfigFixture.request("llama3", ["chat_sft"])) }
    #expect(e?.kind == .pathWithSpaces)
    #expect(e?.message.contains("splits its arguments on spaces") == true)
    let ok = try ConfigFixture.workspace()
    var request = ConfigFixture.request("llama3", ["chat_sft"])
    request.outputDir = "out dir"
    #expect(ConfigFixture.error { try ConfigFixture.builder(ok).render(request) }?.kind == .pathWithSpaces)
}

@Test func configDefaultOutputDirUsesTimestamp() throws {
    let workspace = try ConfigFixture.workspace()
    var request = ConfigFixture.request("llama3", ["chat_sft"], method: .qlora)
    request.runID = nil
    let rendered = try ConfigFixture.builder(workspace).render(request)
    #expect(rendered.outputDir == workspace.root + "/saves/llama3/qlora/sft-20260102-030405")
}

@Test func configResumeFreshAndDefaults() throws {
    var config = LFMConfig()
    config.defaults = ["model": "qwen2.5-7b", "method": "qlora", "report_to": "tensorboard", "num_train_epochs": .plain("2.0"), "save_strategy": "no"]
    let workspace = try ConfigFixture.workspace(config: config)
    let builder = try ConfigFixture.builder(workspace)
    var request = ConfigFixture.request("", ["chat_sft"])
    request.epochs = 5
    request.resume = true
    let rendered = try builder.render(request)
    #expect(rendered.mapping["model_name_or_path"]?.scalarText == "Qwen/Qwen2.5-7B-Instruct")
    #expect(rendered.mapping["quantization_bit"]?.intValue == 4)
    #expect(rendered.mapping["report_to"]?.scalarText == "tensorboard")
    #expect(rendered.mapping["num_train_epochs"]?.doubleValue == 5)  // the flag beats the default
    #expect(rendered.yaml.contains("save_strategy: 'no'"))
    #expect(rendered.mapping["overwrite_output_dir"]?.boolValue == false)
    #expect(rendered.mapping["resume_from_checkpoint"]?.isNull == true)
    request.fresh = true
    #expect(ConfigFixture.error { try builder.render(request) }?.kind == .contradictoryFlags)
    request.resume = false
    #expect(try builder.render(request).mapping["overwrite_output_dir"]?.boolValue == true)
}

@Test func configFileIsTheBase() throws {
    let workspace = try ConfigFixture.workspace()
    let file = workspace.root + "/mine.yaml"
    try """
    model_name_or_path: whatever
    stage: dpo
    finetuning_type: lora
    lora_rank: 32
    pref_loss: orpo
    dataset: old
    output_dir: old
    my_key: 3
    """.write(toFile: file, atomically: true, encoding: .utf8)
    var request = ConfigFixture.request("llama3", ["prefs"])
    request.configFile = "mine.yaml"
    request.overrides = [("lora_rank", "64")]
    let rendered = try ConfigFixture.builder(workspace).render(request)
    #expect(rendered.stage == "dpo")
    #expect(rendered.mapping["pref_loss"]?.scalarText == "orpo")
    #expect(rendered.mapping["pref_beta"]?.doubleValue == 0.1)
    #expect(rendered.mapping["lora_rank"]?.intValue == 64)
    #expect(rendered.mapping["dataset"]?.scalarText == "prefs")
    #expect(rendered.mapping["dataset_dir"]?.scalarText == workspace.dataDir)
    #expect(rendered.mapping["output_dir"]?.scalarText == workspace.root + "/saves/llama3/lora/dpo-run1")
    #expect(rendered.mapping["learning_rate"] == nil)  // no template keys mixed in
    #expect(rendered.yaml.contains("### other\nmy_key: 3\n"))
    // The file's template counts as given for a model outside the catalogue.
    try "stage: sft\ntemplate: chatml\n".write(toFile: workspace.root + "/chatml.yaml", atomically: true, encoding: .utf8)
    var other = ConfigFixture.request("someorg/some-model", ["chat_sft"])
    other.configFile = "chatml.yaml"
    #expect(try ConfigFixture.builder(workspace).render(other).mapping["template"]?.scalarText == "chatml")
    other.configFile = nil
    #expect(ConfigFixture.error { try ConfigFixture.builder(workspace).render(other) }?.kind == .templateRequired)
    // The file's stage is still checked against the data.
    request.datasets = ["chat_sft"]
    #expect(ConfigFixture.error { try ConfigFixture.builder(workspace).render(request) }?.kind == .stageMismatch)
    request.configFile = "missing.yaml"
    #expect(ConfigFixture.error { try ConfigFixture.builder(workspace).render(request) }?.kind == .badConfigFile)
}

@Test func configDeepSpeedAndMethodChecks() throws {
    let workspace = try ConfigFixture.workspace()
    let builder = try ConfigFixture.builder(workspace)
    for (name, file) in [("z0", "ds_z0.json"), ("z2", "ds_z2.json"), ("z3", "ds_z3.json"), ("z2-offload", "ds_z2_offload.json"), ("z3_offload", "ds_z3_offload.json"), ("ds_z3", "ds_z3.json")] {
        var request = ConfigFixture.request("llama3", ["chat_sft"], method: .full)
        request.deepspeed = name
        let rendered = try builder.render(request)
        #expect(rendered.deepspeedConfig?.fileName == file)
        #expect(rendered.mapping["deepspeed"]?.scalarText == rendered.outputDir + "/" + file)
        let json = try JSONSerialization.jsonObject(with: Data(rendered.deepspeedConfig!.json.utf8)) as? [String: Any]
        #expect(json?["train_batch_size"] as? String == "auto")
    }
    var request = ConfigFixture.request("llama3", ["chat_sft"])
    request.deepspeed = "z4"
    #expect(ConfigFixture.error { try builder.render(request) }?.kind == .unknownDeepSpeed)
    request.deepspeed = nil
    request.method = .full
    request.loraRank = 4
    #expect(ConfigFixture.error { try builder.render(request) }?.kind == .contradictoryFlags)
    request.loraRank = nil
    let full = try builder.render(request)
    #expect(full.mapping["lora_rank"] == nil && full.mapping["lora_target"] == nil)
    #expect(full.mapping["finetuning_type"]?.scalarText == "full")
}
