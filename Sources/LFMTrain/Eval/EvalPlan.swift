import Foundation
import LFMCore
import YAML

/// What `lfm eval` asks for.
public struct EvalRequest: Sendable {
    /// Registered dataset names to evaluate on; empty: the `_val` split of the run's training data.
    public var datasets: [String] = []
    public var maxSamples: Int?
    public var maxNewTokens: Int?
    /// Also predict with the base model (the comparison).
    public var base = true
    /// Accept a dataset the run trained on.
    public var allowTrainData = false

    public init() {}
}

/// One predict config, rendered and ready to write: for the adapter or for the base model.
public struct PredictConfig: Sendable {
    /// `adapter` or `base`.
    public var role: String
    public var yaml: String
    public var mapping: YAMLMapping
    /// Where the YAML is written: `<run dir>/predict-<role>.yaml`.
    public var configPath: String
    /// LLaMA-Factory's output_dir: `<run dir>/eval/<role>`.
    public var outputDir: String
}

/// Both predict configs for a run, rendered from the `predict` template with the same template,
/// cutoff and generation settings; only the model/adapter differs.
public struct EvalPlan: Sendable {
    public var runID: String
    public var runDir: String
    public var datasets: [RunRecord.DatasetChecksum]
    public var configs: [PredictConfig]
    public var notes: [String]
    /// The eval dataset is (a copy of) data the run trained on, accepted with --allow-train-data.
    public var usesTrainingData: Bool
}

public enum EvalError: Error, Sendable, CustomStringConvertible, Equatable {
    case noHeldOutDataset(run: String, training: [String])
    case unknownDataset(String, suggestion: String?)
    case notLocal(String)
    case wrongKind(String, kind: String)
    case trainingData(dataset: String, trainedOn: String, sameContent: Bool)
    case noAdapter(run: String, outputDir: String)
    case runNotFinished(run: String, status: String)
    case missingMetricPackages(env: String, missing: [String], install: String)
    case noResults(String)

    public var description: String {
        switch self {
        case .noHeldOutDataset(let run, let training):
            let first = training.first ?? "DATA"
            let stem = first.hasSuffix("_train") ? String(first.dropLast(6)) : first
            return "run \(run) trained on \(training.joined(separator: ", ")), and no held-out split of it is registered\n"
                + "hint: split before training (lfm split \(stem) --val 0.1 --register, then lfm train --dataset \(stem)_train), "
                + "or pass --dataset NAME with a registered dataset the run did not train on"
        case .unknownDataset(let name, let suggestion):
            return "dataset \"\(name)\" is not registered" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
                + "\nhint: lfm list shows the registered datasets; lfm register FILE adds one"
        case .notLocal(let name):
            return "dataset \(name) is not a local file; lfm eval needs a registered file to checksum and report on"
        case .wrongKind(let name, let kind):
            return "dataset \(name) is \(kind) data; lfm eval generates answers and needs instruction or conversation (sft) data"
        case .trainingData(let dataset, let trainedOn, let same):
            return "evaluating on training data: \(dataset) " + (same ? "has the same content (SHA-256) as \(trainedOn), which" : "is a dataset")
                + " the run trained on; its scores would not tell whether the adapter generalises"
                + "\nhint: pass a held-out dataset with --dataset NAME (lfm split NAME --val 0.1 --register makes one), "
                + "or --allow-train-data to score it anyway"
        case .noAdapter(let run, let dir):
            return "run \(run) has no trained weights in \(dir) (no adapter_model.safetensors)\nhint: lfm status \(run) shows how the run ended"
        case .runNotFinished(let run, let status):
            return "run \(run) is \(status), not finished\nhint: wait for it (lfm logs \(run) -f) and evaluate it then"
        case .missingMetricPackages(let env, let missing, let install):
            return "LLaMA-Factory's BLEU/ROUGE scoring (predict_with_generate) needs \(missing.joined(separator: ", ")), missing in \(env)"
                + "\nhint: install them: \(install)"
        case .noResults(let path):
            return "LLaMA-Factory finished but wrote no \(path)"
        }
    }
}
