import Foundation
import LFMCore
import LFMTools
import LFMTrain

/// `lfm train`'s dataset check before launch (also in --dry-run), as `TrainSession.checkDatasets`
/// found it: records and fields as LLaMA-Factory will read them, what max_samples/val_size leave,
/// the truncation report, and what `--cutoff-len auto` and `--drop-long` did.
extension TrainCommand {
    /// Prints the check on stderr: what the run trains on, the truncation report, warnings,
    /// errors.
    func printDatasetCheck(_ check: TrainDatasetCheck) {
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
