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

    // MARK: model

    /// Catalogue short name → its HF id and template; otherwise a local directory (which must
    /// exist when the text looks like a path) or a Hugging Face id `org/name`. The template is
    /// `template` if given (checked against LLaMA-Factory's names), else the catalogue's; for a
    /// model outside the catalogue it is required when `requireTemplate`.
    public func resolveModel(_ text: String, template: String?, requireTemplate: Bool = true) throws -> ResolvedModel {
        let model = text.trimmingCharacters(in: .whitespaces)
        guard !model.isEmpty else {
            throw TrainConfigError(.unknownModel, "no model given; pass --model NAME (see `lfm models`) or set defaults.model in lfm.yaml")
        }
        if let template { try Self.checkTemplate(template) }
        if let entry = catalog.entry(named: model) {
            return ResolvedModel(shortName: entry.name, path: entry.hfID, template: template ?? entry.template, origin: .catalogue)
        }
        let looksLikePath = model.hasPrefix("/") || model.hasPrefix("./") || model.hasPrefix("../") || model.hasPrefix("~")
            || model == "." || model.split(separator: "/").count > 2
        let absolute = Workspace.absolute(model, from: currentDirectory)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory)
        var resolved: ResolvedModel
        if exists && isDirectory.boolValue {
            resolved = ResolvedModel(shortName: Self.slug((absolute as NSString).lastPathComponent), path: absolute,
                                     template: template, origin: .local)
        } else if looksLikePath {
            throw TrainConfigError(.missingModelPath, "model directory \(absolute) does not exist")
        } else if Self.isHuggingFaceID(model) {
            let known = catalog.entry(hfID: model)
            resolved = ResolvedModel(shortName: known?.name ?? Self.slug(String(model.split(separator: "/").last!)),
                                     path: model, template: template ?? known?.template, origin: .huggingFace)
        } else {
            var message = "unknown model \(model)"
            if let suggestion = Suggestion.closest(to: model, in: catalog.names) { message += "; did you mean \(suggestion)?" }
            message += " Use a short name from `lfm models`, a Hugging Face id (org/name) or a local model directory"
            throw TrainConfigError(.unknownModel, message)
        }
        if resolved.template == nil && requireTemplate {
            throw TrainConfigError(.templateRequired, "\(model) is not in the model catalogue, so lfm cannot know its chat template; pass --template NAME (e.g. llama3, qwen, qwen3_nothink, mistral; LLaMA-Factory's list is in docs/training.md) or add it to templates/models.yaml")
        }
        return resolved
    }

    /// Throws unless `name` is one of LLaMA-Factory's chat templates, suggesting the closest.
    public static func checkTemplate(_ name: String) throws {
        guard !ChatTemplates.isKnown(name) else { return }
        var message = "unknown chat template \(name)"
        if let suggestion = Suggestion.closest(to: name, in: ChatTemplates.names) { message += "; did you mean \(suggestion)?" }
        message += " LLaMA-Factory would fail with \"Template \(name) does not exist.\""
        throw TrainConfigError(.unknownTemplate, message)
    }

    static func isHuggingFaceID(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        return parts.allSatisfy { part in
            !part.isEmpty && !part.hasPrefix(".") && part.unicodeScalars.allSatisfy { allowed.contains($0) }
        }
    }

    /// Lower-case, `[a-z0-9._-]` only: safe in paths.
    static func slug(_ text: String) -> String {
        let mapped = text.lowercased().map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_") ? c : "-"
        }
        let result = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return result.isEmpty ? "model" : result
    }

    // MARK: stages

    /// sft for instruction/conversation data, dpo for preference data, kto for KTO data, pt for
    /// raw text. All datasets must agree.
    public static func inferStage(_ datasets: [(name: String, kind: DatasetKind)]) throws -> String {
        guard let first = datasets.first else {
            throw TrainConfigError(.noDatasets, "no datasets given; pass registered dataset names (see `lfm list`)")
        }
        let kinds = Set(datasets.map(\.kind))
        guard kinds.count == 1 else {
            let listing = datasets.map { "\($0.name) (\(describe($0.kind)))" }.joined(separator: ", ")
            throw TrainConfigError(.mixedDatasets, "cannot train on \(listing) together: each stage takes one kind of data (sft: instruction/conversation, dpo/rm: preference pairs, kto: KTO-tagged, pt: raw text). Train them in separate runs")
        }
        return defaultStage(for: first.kind)
    }

    public static func defaultStage(for kind: DatasetKind) -> String {
        switch kind {
        case .sft: return "sft"
        case .preference: return "dpo"
        case .kto: return "kto"
        case .pretrain: return "pt"
        }
    }

    /// Refuses datasets a stage cannot use, before anything is launched: LLaMA-Factory itself
    /// rejects preference data (`ranking: true`) outside dpo/rm and plain data in dpo/rm with
    /// "The dataset is not applicable in the current training stage."; lfm also refuses KTO data
    /// outside kto (and plain data in kto: it has no kto tag), and raw text outside pt.
    public static func checkStage(_ stage: String, datasets: [(name: String, kind: DatasetKind)]) throws {
        guard stages.contains(stage) else {
            var message = "unknown stage \(stage); lfm trains \(stages.joined(separator: ", "))"
            if stage == "ppo" { message += " (ppo needs a reward model; start from your own --config FILE)" }
            else if let s = Suggestion.closest(to: stage, in: stages) { message += "; did you mean \(s)?" }
            throw TrainConfigError(.unknownStage, message)
        }
        for dataset in datasets where !dataset.kind.stages.contains(stage) {
            let ranking = dataset.kind == .preference
            let needsRanking = stage == "dpo" || stage == "rm"
            var message = "dataset \(dataset.name) is \(describe(dataset.kind)) data, which stage \(stage) cannot use"
            if ranking != needsRanking {
                message += needsRanking
                    ? ": stage \(stage) needs preference pairs (ranking: true)"
                    : ": preference data (ranking: true) only trains dpo or rm"
                message += "; LLaMA-Factory would stop with \"The dataset is not applicable in the current training stage.\""
            } else if dataset.kind == .kto {
                message += ": KTO-tagged data only trains stage kto"
            } else if stage == "kto" {
                message += ": stage kto needs a kto_tag column (desirable/undesirable) in every dataset"
            } else if dataset.kind == .pretrain {
                message += ": raw text without responses only trains stage pt"
            } else {
                message += ": stage pt trains on raw text (register it as pretrain data)"
            }
            message += ". Use --stage \(defaultStage(for: dataset.kind)) or drop the dataset"
            throw TrainConfigError(.stageMismatch, message)
        }
    }

    static func describe(_ kind: DatasetKind) -> String {
        switch kind {
        case .sft: return "sft"
        case .preference: return "preference"
        case .kto: return "kto"
        case .pretrain: return "pretrain"
        }
    }

    // MARK: render

    /// Flag-level keys accepted in lfm.yaml `defaults:`; every other key there is a LLaMA-Factory key.
    public static let flagDefaults: Set<String> = ["model", "template", "stage", "method", "deepspeed", "config"]

    public func render(_ input: TrainRequest) throws -> RenderedConfig {
        var request = input
        var notes: [String] = []
        if request.resume && request.fresh {
            throw TrainConfigError(.contradictoryFlags, "--resume and --fresh contradict each other; pick one")
        }
        let defaults = workspace.config.defaults
        if request.model.isEmpty, let model = defaults["model"]?.scalarText { request.model = model }
        if request.template == nil { request.template = defaults["template"]?.scalarText }
        if request.stage == nil { request.stage = defaults["stage"]?.scalarText }
        if request.deepspeed == nil { request.deepspeed = defaults["deepspeed"]?.scalarText }
        if request.configFile == nil { request.configFile = defaults["config"]?.scalarText }
        if input.method == .lora, let text = defaults["method"]?.scalarText {
            guard let method = TrainRequest.Method(rawValue: text) else {
                throw TrainConfigError(.unknownMethod, "lfm.yaml defaults.method is \(text); use lora, qlora or full")
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
            throw TrainConfigError(.noDatasets, "no datasets given; pass registered dataset names (see `lfm list`)")
        }
        let document = try workspace.registry.read()
        var datasets: [(name: String, kind: DatasetKind)] = []
        var paths: [(name: String, path: String?)] = []
        for name in request.datasets {
            guard let entry = document.entry(named: name) else {
                var message = "dataset \(name) is not registered in \(workspace.registry.path)"
                if let suggestion = Suggestion.closest(to: name, in: document.names) { message += "; did you mean \(suggestion)?" }
                message += " Run `lfm list` to see registered datasets, or `lfm register FILE` to add one"
                throw TrainConfigError(.unknownDataset, message)
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
                throw TrainConfigError(.contradictoryFlags, "--lora-rank does not apply to --method full")
            }
            config["lora_rank"] = .int(v)
        }
        if let v = request.validationSize {
            guard v > 0, v < 1 || v == v.rounded() else {
                throw TrainConfigError(.badValue, "--val-size must be a fraction between 0 and 1 (or a whole number of samples), got \(v)")
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
            guard workers > 0 else { throw TrainConfigError(.badValue, "--ray-workers must be at least 1") }
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
        let groups = ConfigKeys.grouped(config, templateWithModel: true)
        let yaml = try YAMLEmitter.emitGrouped(groups)
        config = Self.flatten(groups)
        return RenderedConfig(mapping: config, yaml: yaml, stage: "chat",
                              outputDir: config["adapter_name_or_path"]?.scalarText ?? "", datasets: [])
    }

    // MARK: pieces

    /// The groups merged back into one mapping, in the order the YAML file has them.
    static func flatten(_ groups: [(comment: String?, mapping: YAMLMapping)]) -> YAMLMapping {
        var result = YAMLMapping()
        for group in groups { result.merge(group.mapping) }
        return result
    }

    /// `z0`, `z2`, `z3`, `z2-offload`, `z3-offload` (also `ds_z3`, `z3_offload`), or a path to a JSON file.
    public func deepSpeedConfig(_ name: String) throws -> (fileName: String, json: String) {
        if name.hasSuffix(".json") {
            let path = Workspace.absolute(name, from: currentDirectory)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TrainConfigError(.unknownDeepSpeed, "DeepSpeed config \(path) does not exist")
            }
            return ((path as NSString).lastPathComponent, String(decoding: data, as: UTF8.self))
        }
        var key = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if !key.hasPrefix("ds_") { key = "ds_" + key }
        let available = templates.all().filter { $0.kind == .deepspeed }
        guard let found = available.first(where: { $0.name == key }) else {
            let names = available.map { String($0.name.dropFirst(3)).replacingOccurrences(of: "_", with: "-") }
            var message = "unknown DeepSpeed config \(name); choose one of \(names.joined(separator: ", ")) or a .json file"
            if let s = Suggestion.closest(to: name, in: names) { message += "; did you mean \(s)?" }
            throw TrainConfigError(.unknownDeepSpeed, message)
        }
        return (found.name + ".json", found.text)
    }

    /// Applies `--set key=value` (dotted keys set nested mappings).
    public static func apply(override key: String, _ value: String, to config: inout YAMLMapping) throws {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-"))
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy { allowed.contains($0) } }) else {
            throw TrainConfigError(.badOverride, "--set expects key=value with a LLaMA-Factory key (e.g. --set save_strategy=no); got \"\(key)=\(value)\"")
        }
        let node = try ConfigKeys.overrideValue(key: key, text: value)
        func set(_ mapping: inout YAMLMapping, _ path: ArraySlice<String>) {
            let head = path.first!
            if path.count == 1 {
                mapping[head] = node
                return
            }
            var child = mapping[head]?.mapping ?? YAMLMapping()
            set(&child, path.dropFirst())
            mapping[head] = .mapping(child)
        }
        set(&config, parts[...])
    }

    /// Parses `key=value` (as typed after `--set`).
    public static func parseOverride(_ text: String) throws -> (key: String, value: String) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw TrainConfigError(.badOverride, "--set expects key=value (e.g. --set save_strategy=no); got \"\(text)\"")
        }
        return (String(text[..<eq]).trimmingCharacters(in: .whitespaces), String(text[text.index(after: eq)...]))
    }

    static func loadConfigFile(_ path: String) throws -> YAMLMapping {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainConfigError(.badConfigFile, "config file \(path) does not exist")
        }
        do {
            let node = try YAMLParser.parse(String(decoding: data, as: UTF8.self))
            if node.isNull { return YAMLMapping() }
            guard let mapping = node.mapping else {
                throw TrainConfigError(.badConfigFile, "\(path) is not a mapping of LLaMA-Factory settings (key: value)")
            }
            return mapping
        } catch let error as TrainConfigError {
            throw error
        } catch {
            throw TrainConfigError(.badConfigFile, "\(path): \(error)")
        }
    }

    /// LLaMA-Factory's torchrun relaunch joins argv with spaces and splits it again, so a path
    /// with whitespace breaks multi-GPU runs (REFERENCE c.2).
    static func checkNoSpaces(_ path: String, what: String) throws {
        guard path.contains(where: { $0.isWhitespace }) else { return }
        throw TrainConfigError(.pathWithSpaces, "\(what) \"\(path)\" contains a space: LLaMA-Factory's multi-GPU (torchrun) relaunch splits its arguments on spaces and would break it. Move it to a path without spaces (or pass --output-dir)")
    }

    func existingDirectory(_ path: String, what: String) throws -> String {
        let absolute = Workspace.absolute(path, from: currentDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TrainConfigError(.missingAdapter, "\(what) \(absolute) does not exist")
        }
        return absolute
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }
}
