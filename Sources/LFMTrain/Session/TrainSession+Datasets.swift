import Foundation
import LFMCore
import LFMTools

/// What `lfm train` found about its datasets before launch (also in `--dry-run`).
public struct TrainDatasetCheck: Sendable {
    /// Records and fields as LLaMA-Factory will read them, what max_samples/val_size leave, and
    /// the truncation report.
    public var preflight: DatasetPreflight
    /// `--drop-long`: the copies without the examples longer than cutoff_len.
    public var dropped: [LongRecordFilter.Outcome] = []
    /// Why tokens are estimated although the model is local (its tokenizer did not load).
    public var counterWarnings: [String] = []
}

extension TrainSession {
    /// Checks the datasets of `plan` (the model's tokenizer counts when the model is a local
    /// directory and the environment has Python); `autoCutoff` (`--cutoff-len auto`) and
    /// `dropLong` (`--drop-long`) plan again with the changed request.
    public func checkDatasets(_ plan: inout TrainPlan, autoCutoff: Bool, dropLong: Bool) async throws -> TrainDatasetCheck {
        var request = plan.request
        let mapping = plan.rendered.mapping
        let dryRun = plan.options.dryRun
        let names = mapping["dataset"]?.scalarText.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? request.datasets
        var options = DatasetPreflight.Options(stage: plan.rendered.stage)
        options.maxSamples = mapping["max_samples"]?.intValue
        options.valSize = mapping["val_size"]?.doubleValue ?? mapping["val_size"]?.intValue.map(Double.init)
        options.cutoffLen = mapping["cutoff_len"]?.intValue
        options.autoCutoff = autoCutoff
        let model = mapping["model_name_or_path"]?.scalarText ?? ""
        var isDirectory: ObjCBool = false
        let localModel = FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory) && isDirectory.boolValue
        if localModel { options.maxPositions = DatasetPreflight.maxPositions(modelDirectory: model) }

        var counter: TokenCounter?
        var counterWarnings: [String] = []
        let environment = plan.environment
        let makeCounter = { () -> TokenCounter in
            if let counter { return counter }
            var made: TokenCounter = EstimatedTokenCounter()
            if localModel, let prefix = environment.prefix, FileManager.default.isExecutableFile(atPath: prefix + "/bin/python") {
                do { made = try PythonTokenCounter(tokenizer: model, python: prefix + "/bin/python") } catch {
                    counterWarnings.append("\(error); token counts are estimated")
                }
            }
            counter = made
            return made
        }
        var preflight = try DatasetPreflight.check(names, workspace: workspace, options: options, counter: makeCounter)
        if let counter, counter.isExact, preflight.tokenMethod != nil {
            preflight.tokenMethod = "counted with the model's tokenizer (text only, no chat template)"
        } else if let counter, !counter.isExact, preflight.tokenMethod != nil {
            preflight.tokenMethod = "estimated (CJK ×1.0, Latin words ×1.3)"
                + (localModel ? "; the model's tokenizer did not load" : "; --model DIR counts exactly")
        }
        var check = TrainDatasetCheck(preflight: preflight)
        var replan = false
        if let auto = preflight.autoCutoff {
            request.cutoffLength = auto
            replan = true
        }
        if dropLong, !check.preflight.hasErrors {
            let cutoff = request.cutoffLength ?? mapping["cutoff_len"]?.intValue ?? 2048
            var renamed = request.datasets
            for dataset in check.preflight.datasets {
                guard let t = dataset.truncation, !t.packed, t.longer > 0 else { continue }
                let outcome = try LongRecordFilter(counter: makeCounter(), cutoffLen: cutoff).filter(dataset.name, workspace: workspace, dryRun: dryRun)
                check.dropped.append(outcome)
                renamed = renamed.map { $0 == dataset.name ? outcome.name : $0 }
            }
            if renamed != request.datasets, !dryRun {
                request.datasets = renamed
                replan = true
            }
        }
        check.counterWarnings = counterWarnings
        if replan {
            // The new plan claims its own run id: give back the first one (nothing is in it yet).
            if !dryRun { plan.directory.release() }
            plan = try await self.plan(request, options: plan.options)
        }
        return check
    }
}
