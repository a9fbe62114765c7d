import Foundation
import LFMCore
import YAML

/// A model as LLaMA-Factory will load it.
public struct ResolvedModel: Sendable, Equatable {
    public enum Origin: String, Sendable {
        case catalogue, huggingFace = "hugging face", local = "local directory"
    }

    /// Used in the default output directory (`saves/<shortName>/...`).
    public var shortName: String
    /// `model_name_or_path`: a Hugging Face id or an absolute directory.
    public var path: String
    /// The chat template, when known or given.
    public var template: String?
    public var origin: Origin
}

/// Turns a ``TrainRequest`` into a LLaMA-Factory YAML config, and renders the export (merge)
/// and chat configs. Nothing here launches anything or writes files.
public struct TrainConfigBuilder: Sendable {
    public var workspace: Workspace
    public var catalog: ModelCatalog
    public var templates: TemplateLibrary
    /// Relative `--config`, `--output-dir` and model paths are resolved from here.
    public var currentDirectory: String
    /// Used for the default run id.
    public var now: Date

    /// The stages lfm has templates for.
    public static let stages = ["sft", "dpo", "kto", "pt", "rm"]
    public static let exportTemplateName = "merge_lora"
    public static let chatTemplateName = "chat"

    public init(workspace: Workspace, catalog: ModelCatalog, templates: TemplateLibrary,
                currentDirectory: String = FileManager.default.currentDirectoryPath, now: Date = Date()) {
        self.workspace = workspace
        self.catalog = catalog
        self.templates = templates
        self.currentDirectory = currentDirectory
        self.now = now
    }

    /// The builder `lfm` uses: workspace, user and built-in templates and models.
    public static func standard(workspace: Workspace, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TrainConfigBuilder {
        let templates = TemplateLibrary.standard(workspaceRoot: workspace.root, environment: environment)
        return TrainConfigBuilder(workspace: workspace, catalog: try templates.modelCatalog(), templates: templates)
    }

    // MARK: render

    /// Flag-level keys accepted in lfm.yaml `defaults:`; every other key there is a LLaMA-Factory key.
    public static let flagDefaults: Set<String> = ["model", "template", "stage", "method", "deepspeed", "config"]

    public func render(_ input: TrainRequest) throws -> RenderedConfig {
        var request = input
        var notes: [String] = []
        if request.resume && request.fresh {
            throw TrainConfigError(.contradictoryFlags, "--resume and --fresh contradict each other", hint: "pick one")
        }
        let defaults = workspace.config.defaults
        if request.model.isEmpty, let model = defaults["model"]?.scalarText { request.model = model }
        if request.template == nil { request.template = defaults["template"]?.scalarText }
        if request.stage == nil { request.stage = defaults["stage"]?.scalarText }
        if request.deepspeed == nil { request.deepspeed = defaults["deepspeed"]?.scalarText }
        if request.configFile == nil { request.configFile = defaults["config"]?.scalarText }
        if input.method == .lora, let text = defaults["method"]?.scalarText {
            guard let method = TrainRequest.Method(rawValue: text) else {
                throw TrainConfigError(.unknownMethod, "lfm.yaml defaults.method is \(text)", hint: "use lora, qlora or full")
            }
            request.method = method
        }

        try Self.checkNoSpaces(workspace.root, what: "the workspace directory")

        // A --config file is read first: its `template` counts as given.
        let fileConfig = try request.configFile.map { try Self.loadConfigFile(Workspace.absolute($0, from: currentDirectory)) }
        if request.template == nil, let fileTemplate = fileConfig?["template"]?.scalarText {
            request.template = fileTemplate
        }

        // Model.
        let model = try resolveModel(request.model, template: request.template)

        // Datasets.
        guard !request.datasets.isEmpty else {
            throw TrainConfigError(.noDatasets, "no datasets given", hint: "pass registered dataset names with --dataset (see `lfm list`)")
        }
        let document = try workspace.registry.read()
        var datasets: [(name: String, kind: DatasetKind)] = []
        var paths: [(name: String, path: String?)] = []
        for name in request.datasets {
            guard let entry = document.entry(named: name) else {
                var message = "dataset \"\(name)\" is not registered in \(workspace.registry.path)"
                if let suggestion = Suggestion.closest(to: name, in: document.names) { message += " (did you mean \"\(suggestion)\"?)" }
                throw TrainConfigError(.unknownDataset, message,
                                       hint: "`lfm list` shows the registered datasets; `lfm register FILE` adds one")
            }
            datasets.append((name, entry.kind))
            if case .file(let file) = entry.source {
                paths.append((name, workspace.registry.resolve(fileName: file)))
            } else {
                paths.append((name, nil))
            }
        }

        // Base config: --config FILE, or the stage's template.
        var config: YAMLMapping
        var stage: String
        if let file = request.configFile, let fileConfig {
            config = fileConfig
            if let explicit = request.stage {
                stage = explicit
            } else if let fromFile = config["stage"]?.scalarText {
                stage = fromFile
                notes.append("stage \(stage) from \(file)")
            } else {
                stage = try Self.inferStage(datasets)
                notes.append("stage \(stage) inferred from the datasets (\(Self.describe(datasets[0].kind)) data)")
            }
            try Self.checkStage(stage, datasets: datasets)
        } else {
            if let explicit = request.stage {
                stage = explicit
            } else {
                stage = try Self.inferStage(datasets)
                notes.append("stage \(stage) inferred from the datasets (\(Self.describe(datasets[0].kind)) data)")
            }
            try Self.checkStage(stage, datasets: datasets)
            let base = try templates.template(named: request.baseTemplate ?? stage, kind: .train)
            config = try base.mapping()
        }
        config["stage"] = .string(stage)
        if config["do_train"] == nil { config["do_train"] = .bool(true) }

        // Method overlay (a --config file keeps its own method unless qlora/full is asked for).
        if request.configFile == nil || request.method != .lora {
            let overlay = try templates.template(named: request.method.rawValue, kind: .method).mapping()
            for (key, value) in overlay {
                config[key] = value.isNull ? nil : value
            }
        }

        // Stage keys.
        if stage == "dpo" {
            if config["pref_beta"] == nil { config["pref_beta"] = .double(0.1) }
            if config["pref_loss"] == nil { config["pref_loss"] = .string("sigmoid") }
        } else if stage == "kto" {
            if config["pref_beta"] == nil { config["pref_beta"] = .double(0.1) }
        }

        // Values for the target machine, over template values only.
        for (key, value) in request.machineDefaults where fileConfig?[key] == nil {
            config[key] = value
        }

        // lfm.yaml defaults (LLaMA-Factory keys).
        for (key, value) in defaults where !Self.flagDefaults.contains(key) {
            config[key] = value
        }

        // What lfm fills in.
        config["model_name_or_path"] = .string(model.path)
        if stage == "pt" && request.template == nil {
            config["template"] = nil  // like LLaMA-Factory's pretraining example
        } else {
            config["template"] = model.template.map { .string($0) }
        }
        config["dataset"] = .string(request.datasets.joined(separator: ","))
        config["dataset_dir"] = .string(workspace.dataDir)
        let outputDir: String
        if let given = request.outputDir {
            outputDir = Workspace.absolute(given, from: currentDirectory)
        } else {
            // lfm's run ids already name the stage (`20261124-211500-sft-tiny`): don't repeat it.
            let id = request.runID ?? Self.timestamp(now)
            let leaf = id.contains("-\(stage)-") ? id : "\(stage)-\(id)"
            outputDir = "\(workspace.root)/saves/\(model.shortName)/\(request.method.rawValue)/\(leaf)"
        }
        config["output_dir"] = .string(outputDir)

        // Flags.
        if let v = request.epochs { config["num_train_epochs"] = .double(v) }
        if let v = request.learningRate { config["learning_rate"] = .double(v) }
        if let v = request.cutoffLength { config["cutoff_len"] = .int(v) }
        if let v = request.batchSize { config["per_device_train_batch_size"] = .int(v) }
        if let v = request.gradientAccumulation { config["gradient_accumulation_steps"] = .int(v) }
        if let v = request.maxSamples { config["max_samples"] = .int(v) }
        if let v = request.loraRank {
            guard request.method != .full else {
                throw TrainConfigError(.contradictoryFlags, "--lora-rank does not apply to --method full",
                                       hint: "drop --lora-rank, or train with --method lora or qlora")
            }
            config["lora_rank"] = .int(v)
        }
        if let v = request.validationSize {
            guard v > 0, v < 1 || v == v.rounded() else {
                throw TrainConfigError(.badValue, "--val-size must be a fraction between 0 and 1 (or a whole number of samples), got \(v)",
                                       hint: "e.g. --val-size 0.1")
            }
            config["val_size"] = v < 1 ? .double(v) : .int(Int(v))
            if config["per_device_eval_batch_size"] == nil { config["per_device_eval_batch_size"] = .int(1) }
            if config["eval_strategy"] == nil { config["eval_strategy"] = .string("steps") }
            if config["eval_steps"] == nil { config["eval_steps"] = config["save_steps"] ?? .int(500) }
        }

        // DeepSpeed and Ray.
        var deepspeed: (fileName: String, json: String)?
        if let name = request.deepspeed {
            deepspeed = try deepSpeedConfig(name)
            let directory = request.runDir.map { Workspace.absolute($0, from: currentDirectory) } ?? outputDir
            config["deepspeed"] = .string(directory + "/" + deepspeed!.fileName)
            if request.method == .qlora && name.contains("3") {
                notes.append("QLoRA with ZeRO-3 needs recent bitsandbytes/accelerate; ZeRO-2 is the safer choice")
            }
        }
        if let workers = request.rayWorkers {
            guard workers > 0 else { throw TrainConfigError(.badValue, "--ray-workers must be at least 1, got \(workers)") }
            config["ray_num_workers"] = .int(workers)
        }

        // Resume or start over.
        if request.fresh {
            config["overwrite_output_dir"] = .bool(true)
        } else if request.resume {
            config["overwrite_output_dir"] = .bool(false)
            config["resume_from_checkpoint"] = .null
        }

        // --set, last, in order.
        for (key, value) in request.overrides {
            try Self.apply(override: key, value, to: &config)
        }

        for key in ["model_name_or_path", "dataset_dir", "output_dir", "deepspeed"] {
            if let text = config[key]?.scalarText { try Self.checkNoSpaces(text, what: key) }
        }
        if config["template"]?.scalarText == "TEMPLATE" { config["template"] = nil }
        if let template = config["template"]?.scalarText { try Self.checkTemplate(template) }

        let groups = ConfigKeys.grouped(config)
        let yaml = try YAMLEmitter.emitGrouped(groups)
        config = Self.flatten(groups)
        return RenderedConfig(mapping: config, yaml: yaml, stage: stage, outputDir: config["output_dir"]?.scalarText ?? outputDir,
                              datasets: paths, deepspeedConfig: deepspeed, notes: notes)
    }

    /// The export (merge LoRA) config for `llamafactory-cli export`.
    public func renderExport(adapterDir: String, model: String, template: String?, exportDir: String) throws -> RenderedConfig {
        let resolved = try resolveModel(model, template: template)
        let adapter = try existingDirectory(adapterDir, what: "adapter directory")
        let export = Workspace.absolute(exportDir, from: currentDirectory)
        var config = try templates.template(named: Self.exportTemplateName, kind: .export).mapping()
        config["model_name_or_path"] = .string(resolved.path)
        config["adapter_name_or_path"] = .string(adapter)
        config["template"] = resolved.template.map { .string($0) }
        config["export_dir"] = .string(export)
        for key in ["model_name_or_path", "adapter_name_or_path", "export_dir"] {
            if let text = config[key]?.scalarText { try Self.checkNoSpaces(text, what: key) }
        }
        config.removeValue(forKey: "quantization_bit")  // never merge into a quantised model
        try KeyCatalog.bundled.require(config, subcommand: "export", source: "lfm's list for LLaMA-Factory \(KeyCatalog.bundled.llamafactory ?? "")",
                                       origin: { _ in "template \(Self.exportTemplateName)" })
        let groups = ConfigKeys.grouped(config, templateWithModel: true)
        let yaml = try YAMLEmitter.emitGrouped(groups)
        config = Self.flatten(groups)
        return RenderedConfig(mapping: config, yaml: yaml, stage: "export", outputDir: export, datasets: [])
    }

    /// The inference config for `llamafactory-cli chat` (adapter optional).
    public func renderChat(adapterDir: String?, model: String, template: String?) throws -> RenderedConfig {
        let resolved = try resolveModel(model, template: template)
        var config = try templates.template(named: Self.chatTemplateName, kind: .chat).mapping()
        config["model_name_or_path"] = .string(resolved.path)
        if let adapterDir {
            config["adapter_name_or_path"] = .string(try existingDirectory(adapterDir, what: "adapter directory"))
        } else {
            config["adapter_name_or_path"] = nil
        }
        config["template"] = resolved.template.map { .string($0) }
        try KeyCatalog.bundled.require(config, subcommand: "chat", source: "lfm's list for LLaMA-Factory \(KeyCatalog.bundled.llamafactory ?? "")",
                                       origin: { _ in "template \(Self.chatTemplateName)" })
        let groups = ConfigKeys.grouped(config, templateWithModel: true)
        let yaml = try YAMLEmitter.emitGrouped(groups)
        config = Self.flatten(groups)
        return RenderedConfig(mapping: config, yaml: yaml, stage: "chat",
                              outputDir: config["adapter_name_or_path"]?.scalarText ?? "", datasets: [])
    }

}
