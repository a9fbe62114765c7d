import Foundation
import LFMCore
import YAML

/// Stage inference from the datasets' kinds, and the refusals LLaMA-Factory would otherwise raise at run time.
extension TrainConfigBuilder {
    /// sft for instruction/conversation data, dpo for preference data, kto for KTO data, pt for
    /// raw text. All datasets must agree.
    public static func inferStage(_ datasets: [(name: String, kind: DatasetKind)]) throws -> String {
        guard let first = datasets.first else {
            throw TrainConfigError(.noDatasets, "no datasets given", hint: "pass registered dataset names with --dataset (see `lfm list`)")
        }
        let kinds = Set(datasets.map(\.kind))
        guard kinds.count == 1 else {
            let listing = datasets.map { "\($0.name) (\(describe($0.kind)))" }.joined(separator: ", ")
            throw TrainConfigError(.mixedDatasets, "cannot train on \(listing) together: each stage takes one kind of data (sft: instruction/conversation, dpo/rm: preference pairs, kto: KTO-tagged, pt: raw text)",
                                   hint: "train them in separate runs")
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
            if stage != "ppo", let s = Suggestion.closest(to: stage, in: stages) { message += "; did you mean \(s)?" }
            throw TrainConfigError(.unknownStage, message, hint: stage == "ppo"
                ? "ppo needs a reward model; start from your own --config FILE" : "pass --stage with one of them")
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
            throw TrainConfigError(.stageMismatch, message,
                                   hint: "use --stage \(defaultStage(for: dataset.kind)) or drop the dataset")
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
}
