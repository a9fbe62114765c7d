import Foundation
import LFMCore
import YAML

/// Turns a finished run and an ``EvalRequest`` into an ``EvalPlan``: picks the held-out dataset,
/// refuses training data, and renders the predict configs. Writes nothing.
public struct EvalPlanner: Sendable {
    public static let templateName = "predict"
    /// Keys copied from the run's train.yaml so that prediction sees the data and model the way
    /// training did (precision and quantisation too: the same machine settings as training).
    public static let inheritedKeys = [
        "template", "cutoff_len", "trust_remote_code", "quantization_bit", "quantization_method", "quantization_type",
        "double_quantization", "rope_scaling", "flash_attn", "enable_thinking", "tool_format", "bf16", "fp16",
        "infer_dtype", "media_dir",
    ]

    public var builder: TrainConfigBuilder

    public init(builder: TrainConfigBuilder) {
        self.builder = builder
    }

    public func plan(run info: RunInfo, trainConfig: YAMLMapping, request: EvalRequest) throws -> EvalPlan {
        let record = info.record
        guard info.status == .finished else { throw EvalError.runNotFinished(run: record.id, status: info.status.rawValue) }
        let full = trainConfig["finetuning_type"]?.scalarText == "full"
        guard info.adapterPath != nil else { throw EvalError.noAdapter(run: record.id, outputDir: record.outputDir) }
        let workspace = builder.workspace
        let document = try workspace.registry.read()
        let trainingNames = record.datasets.map(\.name)

        var names = request.datasets
        var notes: [String] = []
        if names.isEmpty {
            names = trainingNames.compactMap { name in
                guard name.hasSuffix("_train") else { return nil }
                let val = String(name.dropLast("_train".count)) + "_val"
                return document.entry(named: val) != nil ? val : nil
            }
            guard !names.isEmpty else { throw EvalError.noHeldOutDataset(run: record.id, training: trainingNames) }
            notes.append("evaluating on \(names.joined(separator: ", ")), the held-out split of \(trainingNames.joined(separator: ", "))")
        }
        var checksums: [RunRecord.DatasetChecksum] = []
        var usesTrainingData = false
        for name in names {
            guard let entry = document.entry(named: name) else {
                throw EvalError.unknownDataset(name, suggestion: Suggestion.closest(to: name, in: document.names))
            }
            guard case .file(let file) = entry.source else { throw EvalError.notLocal(name) }
            guard entry.kind.stages.contains("sft") else { throw EvalError.wrongKind(name, kind: "\(entry.kind)") }
            let checksum = RunRecord.DatasetChecksum(name: name, path: workspace.registry.resolve(fileName: file))
            if let trained = record.datasets.first(where: { $0.name == name })
                ?? record.datasets.first(where: { $0.sha256 != nil && $0.sha256 == checksum.sha256 }) {
                guard request.allowTrainData else {
                    throw EvalError.trainingData(dataset: name, trainedOn: trained.name, sameContent: trained.name != name)
                }
                usesTrainingData = true
                notes.append("\(name) is training data of this run (--allow-train-data): its scores overstate what the adapter learned")
            }
            checksums.append(checksum)
        }

        let model = trainConfig["model_name_or_path"]?.scalarText ?? record.model
        var configs: [PredictConfig] = []
        // A full fine-tune's output directory is the model itself; a LoRA run's holds the adapter.
        configs.append(try render(role: "adapter", model: full ? record.outputDir : model, adapter: full ? nil : record.outputDir,
                                  finetuning: full ? "full" : "lora", datasets: names, info: info, trainConfig: trainConfig, request: request))
        if request.base {
            configs.append(try render(role: "base", model: model, adapter: nil, finetuning: full ? "full" : "lora",
                                      datasets: names, info: info, trainConfig: trainConfig, request: request))
        }
        return EvalPlan(runID: record.id, runDir: info.directory.path, datasets: checksums, configs: configs,
                        notes: notes, usesTrainingData: usesTrainingData)
    }

    func render(role: String, model: String, adapter: String?, finetuning: String, datasets: [String], info: RunInfo,
                trainConfig: YAMLMapping, request: EvalRequest) throws -> PredictConfig {
        var config = try builder.templates.template(named: Self.templateName, kind: .predict).mapping()
        for key in Self.inheritedKeys {
            if let value = trainConfig[key] { config[key] = value }
        }
        // A run without a chat template (pt) predicts without one too, not with the placeholder.
        if trainConfig["template"] == nil { config.removeValue(forKey: "template") }
        config["model_name_or_path"] = .string(model)
        config["adapter_name_or_path"] = adapter.map { .string($0) }
        config["finetuning_type"] = .string(finetuning)
        config["eval_dataset"] = .string(datasets.joined(separator: ","))
        config["dataset_dir"] = .string(builder.workspace.dataDir)
        let outputDir = info.directory.path + "/eval/" + role
        config["output_dir"] = .string(outputDir)
        if let n = request.maxSamples { config["max_samples"] = .int(n) }
        if let n = request.maxNewTokens { config["max_new_tokens"] = .int(n) }
        // The held-out data is never split again, and nothing is trained.
        for key in ["val_size", "do_train", "do_eval", "dataset"] { config.removeValue(forKey: key) }
        for key in ["model_name_or_path", "adapter_name_or_path", "dataset_dir", "output_dir"] {
            if let text = config[key]?.scalarText { try TrainConfigBuilder.checkNoSpaces(text, what: key) }
        }
        let groups = ConfigKeys.grouped(config)
        let yaml = try YAMLEmitter.emitGrouped(groups)
        return PredictConfig(role: role, yaml: yaml, mapping: TrainConfigBuilder.flatten(groups),
                             configPath: info.directory.path + "/predict-\(role).yaml", outputDir: outputDir)
    }
}
