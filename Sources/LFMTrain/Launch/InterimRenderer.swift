import Foundation
import LFMCore
import YAML

/// STAND-IN until the config half (`TrainConfigBuilder`, branch wip-trainconf) is merged: a
/// minimal renderer with the keys measured to work on CPU (Tests/Conformance/README.md,
/// train_smoke.sh). No model catalogue, no templates directory: `model` must be a path or a
/// hub id, and `template` is required except for `pt`.
public struct InterimRenderer: Sendable {
    public var workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    public enum RenderError: Error, CustomStringConvertible {
        case unknownDataset(String, known: [String])
        case mixedStages([String])
        case badConfig(String)
        public var description: String {
            switch self {
            case .unknownDataset(let name, let known):
                return "no dataset \"\(name)\" in the registry (known: \(known.joined(separator: ", "))); register it with lfm register"
            case .mixedStages(let s): return "the datasets need different stages (\(s.joined(separator: ", "))); pass --stage"
            case .badConfig(let m): return m
            }
        }
    }

    public func render(_ request: TrainRequest) throws -> RenderedConfig {
        let document = try workspace.registry.read()
        var datasets: [(name: String, path: String?)] = []
        var stages: [String] = []
        for name in request.datasets {
            guard let entry = document.entry(named: name) else {
                throw RenderError.unknownDataset(name, known: document.names)
            }
            if case .file(let file) = entry.source {
                datasets.append((name, workspace.registry.resolve(fileName: file)))
            } else {
                datasets.append((name, nil))
            }
            stages.append(entry.kind.stages[0])
        }
        let stage: String
        if let s = request.stage { stage = s } else {
            let unique = Array(Set(stages)).sorted()
            guard unique.count <= 1 else { throw RenderError.mixedStages(unique) }
            stage = unique.first ?? "sft"
        }
        let modelPath = request.model.hasPrefix("/") || request.model.hasPrefix(".")
            ? Workspace.absolute(request.model, from: FileManager.default.currentDirectoryPath) : request.model
        let outputDir = request.outputDir.map { Workspace.absolute($0, from: FileManager.default.currentDirectoryPath) }
            ?? "\(workspace.root)/saves/\(RunStore.shortName(request.model))/\(request.method.rawValue)/\(stage)"

        var model = YAMLMapping()
        model["model_name_or_path"] = .string(modelPath)
        if request.method == .qlora { model["quantization_bit"] = .int(4) }
        var method = YAMLMapping()
        method["stage"] = .plain(stage)
        method["do_train"] = .bool(true)
        method["finetuning_type"] = .plain(request.method == .full ? "full" : "lora")
        if request.method != .full {
            method["lora_rank"] = .int(request.loraRank ?? 8)
            method["lora_target"] = .plain("all")
        }
        if stage == "dpo" { method["pref_beta"] = .double(0.1); method["pref_loss"] = .plain("sigmoid") }
        if stage == "kto" { method["pref_beta"] = .double(0.1) }
        var data = YAMLMapping()
        data["dataset"] = .string(request.datasets.joined(separator: ","))
        data["dataset_dir"] = .string(workspace.dataDir)
        if let template = request.template { data["template"] = .string(template) }
        data["cutoff_len"] = .int(request.cutoffLength ?? 1024)
        if let m = request.maxSamples { data["max_samples"] = .int(m) }
        data["overwrite_cache"] = .bool(true)
        data["preprocessing_num_workers"] = .int(1)
        data["dataloader_num_workers"] = .int(0)
        var output = YAMLMapping()
        output["output_dir"] = .string(outputDir)
        output["logging_steps"] = .int(1)
        output["save_steps"] = .int(500)
        output["overwrite_output_dir"] = .bool(false)
        output["report_to"] = .plain("none")
        var train = YAMLMapping()
        train["per_device_train_batch_size"] = .int(request.batchSize ?? 1)
        train["gradient_accumulation_steps"] = .int(request.gradientAccumulation ?? 1)
        train["learning_rate"] = .double(request.learningRate ?? 1.0e-4)
        train["num_train_epochs"] = .double(request.epochs ?? 3.0)
        train["lr_scheduler_type"] = .plain("cosine")
        train["bf16"] = .bool(false)
        train["fp16"] = .bool(false)
        var extra = YAMLMapping()
        if let v = request.validationSize { extra["val_size"] = .double(v); extra["eval_strategy"] = .plain("steps"); extra["eval_steps"] = .int(50) }
        if let n = request.rayWorkers { extra["ray_num_workers"] = .int(n) }
        var groups: [(comment: String?, mapping: YAMLMapping)] = [
            ("model", model), ("method", method), ("dataset", data), ("output", output), ("train", train),
        ]
        if !extra.isEmpty { groups.append(("eval / distributed", extra)) }
        // --set overrides win, wherever the key lives.
        for (key, value) in request.overrides {
            var placed = false
            for i in groups.indices where groups[i].mapping.contains(key: key) {
                groups[i].mapping[key] = .plain(value)
                placed = true
            }
            if !placed {
                if groups.last?.comment != "--set" { groups.append(("--set", YAMLMapping())) }
                groups[groups.count - 1].mapping[key] = .plain(value)
            }
        }
        var deepspeed: (fileName: String, json: String)?
        if let ds = request.deepspeed {
            let zero = ds.hasPrefix("z3") ? 3 : (ds.hasPrefix("z2") ? 2 : 0)
            let offload = ds.hasSuffix("-offload")
            let name = "ds_z\(zero)\(offload ? "_offload" : "")_config.json"
            var zeroJSON = "\"stage\": \(zero)"
            if offload { zeroJSON += ", \"offload_optimizer\": {\"device\": \"cpu\", \"pin_memory\": true}" }
            deepspeed = (name, """
                {
                  "train_batch_size": "auto",
                  "train_micro_batch_size_per_gpu": "auto",
                  "gradient_accumulation_steps": "auto",
                  "gradient_clipping": "auto",
                  "zero_allow_untested_optimizer": true,
                  "bf16": {"enabled": "auto"},
                  "fp16": {"enabled": "auto"},
                  "zero_optimization": {\(zeroJSON)}
                }

                """)
        }
        var merged = YAMLMapping()
        for g in groups { merged.merge(g.mapping) }
        let yaml = try YAMLEmitter.emitGrouped(groups)
        return RenderedConfig(mapping: merged, yaml: yaml, stage: stage, outputDir: outputDir, datasets: datasets,
                              deepspeedConfig: deepspeed,
                              notes: ["config rendered by lfm's interim renderer (the template-based builder is not merged yet)"])
    }

    /// `llamafactory-cli export` config: merge the run's LoRA adapter into the base model.
    public static func renderExport(model: String, adapter: String, template: String?, exportDir: String) throws -> String {
        var m = YAMLMapping()
        m["model_name_or_path"] = .string(model)
        m["adapter_name_or_path"] = .string(adapter)
        if let template { m["template"] = .string(template) }
        m["trust_remote_code"] = .bool(true)
        var e = YAMLMapping()
        e["export_dir"] = .string(exportDir)
        e["export_size"] = .int(5)
        e["export_device"] = .plain("cpu")
        e["export_legacy_format"] = .bool(false)
        return try YAMLEmitter.emitGrouped([("model", m), ("export", e)])
    }

    /// `llamafactory-cli chat` config: the base model, the adapter, the training template.
    public static func renderChat(model: String, adapter: String, template: String?, finetuningType: String) throws -> String {
        var m = YAMLMapping()
        m["model_name_or_path"] = .string(model)
        m["adapter_name_or_path"] = .string(adapter)
        if let template { m["template"] = .string(template) }
        m["infer_backend"] = .plain("huggingface")
        m["finetuning_type"] = .plain(finetuningType)
        m["trust_remote_code"] = .bool(true)
        return try YAMLEmitter.emitGrouped([("model", m)])
    }
}
