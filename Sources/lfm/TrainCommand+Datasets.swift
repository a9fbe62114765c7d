import Foundation
import LFMCore
import LFMTools
import LFMTrain

/// `lfm train`'s dataset check before launch (also in --dry-run): records and fields as
/// LLaMA-Factory will read them, what max_samples/val_size leave, and the truncation report;
/// `--cutoff-len auto` and `--drop-long` act on it.
extension TrainCommand {
    struct DatasetCheck {
        var preflight: DatasetPreflight
        var dropped: [LongRecordFilter.Outcome] = []
    }

    /// Checks the datasets of `plan`; `--cutoff-len auto` and `--drop-long` plan again with the
    /// changed request.
    func checkDatasets(_ plan: inout TrainPlan, session: TrainSession) async throws -> DatasetCheck {
        let workspace = session.workspace
        var request = plan.request
        let mapping = plan.rendered.mapping
        let names = mapping["dataset"]?.scalarText.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? request.datasets
        var options = DatasetPreflight.Options(stage: plan.rendered.stage)
        options.maxSamples = mapping["max_samples"]?.intValue
        options.valSize = mapping["val_size"]?.doubleValue ?? mapping["val_size"]?.intValue.map(Double.init)
        options.cutoffLen = mapping["cutoff_len"]?.intValue
        options.autoCutoff = cutoffLen == "auto"
        let model = mapping["model_name_or_path"]?.scalarText ?? ""
        var isDirectory: ObjCBool = false
        let localModel = FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory) && isDirectory.boolValue
        if localModel { options.maxPositions = DatasetPreflight.maxPositions(modelDirectory: model) }

        var counter: TokenCounter?
        let environment = plan.environment
        let makeCounter = { () -> TokenCounter in
            if let counter { return counter }
            var made: TokenCounter = EstimatedTokenCounter()
            if localModel, let prefix = environment.prefix, FileManager.default.isExecutableFile(atPath: prefix + "/bin/python") {
                do { made = try PythonTokenCounter(tokenizer: model, python: prefix + "/bin/python") } catch {
                    Terminal.warning("\(error); token counts are estimated")
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
        var check = DatasetCheck(preflight: preflight)
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
        if replan { plan = try await session.plan(request, options: plan.options) }
        return check
    }

    /// Prints the check on stderr: what the run trains on, the truncation report, warnings,
    /// errors.
    func printDatasetCheck(_ check: DatasetCheck) {
        let p = check.preflight
        for dataset in p.datasets {
            if let t = dataset.truncation { Terminal.note(t.line(name: dataset.name)) }
        }
        if let method = p.tokenMethod, p.datasets.contains(where: { $0.truncation != nil }) {
            Terminal.note("tokens: \(method)")
        }
        if let auto = p.autoCutoff { Terminal.note("--cutoff-len auto: cutoff_len \(auto) (keeps 99% of examples whole)") }
        for statement in p.statements { Terminal.note(statement) }
        for outcome in check.dropped {
            let verb = outcome.dryRun ? "would write" : "wrote"
            Terminal.note("--drop-long: \(verb) \(outcome.path) (\(outcome.kept) examples, \(outcome.dropped) longer dropped) and \(outcome.dryRun ? "register" : "registered") it as \(outcome.name)\(outcome.dryRun ? "; the run would use it" : "; the run uses it")")
        }
        for dataset in p.datasets {
            if let warning = dataset.truncation?.warning(name: dataset.name), check.dropped.isEmpty { Terminal.warning(warning) }
        }
        for warning in p.warnings { Terminal.warning(warning) }
        for error in p.errors { Terminal.error(error) }
    }
}
