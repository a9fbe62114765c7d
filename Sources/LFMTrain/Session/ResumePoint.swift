import Foundation

/// Where `lfm train --resume RUN` continues a run, and why: its newest complete checkpoint, read
/// from `trainer_state.json` ("step 1500 of 3000"), or step 0 when none was saved.
public struct ResumePoint: Sendable, Equatable {
    /// nil: no complete checkpoint; the run starts again from step 0 in its output directory.
    public var checkpoint: Checkpoint?
    /// What to tell the user, in order.
    public var explanation: [String]
    /// `key=value` overrides for `llamafactory-cli train train.yaml ...`.
    public var overrides: [String]

    /// - Parameters:
    ///   - checkpoints: the output directory's checkpoints (`Checkpoint.scan`).
    ///   - configEpochs / configMaxSteps: the run's train.yaml values.
    ///   - epochs / maxSteps: `--epochs` and `--set max_steps=` given with `--resume`.
    ///   - command: the resume command, for the "raise --epochs" hint.
    public static func decide(run: String, outputDir: String, checkpoints: [Checkpoint], configEpochs: Double?,
                              configMaxSteps: Int?, epochs: Double?, maxSteps: Int?, command: String) throws -> ResumePoint {
        var explanation: [String] = []
        let complete = checkpoints.filter(\.complete)
        for broken in checkpoints.filter({ !$0.complete && $0.step > (complete.last?.step ?? -1) }) {
            explanation.append("\(broken.name) is incomplete (its save was cut short); it is skipped")
        }
        guard let last = complete.last else {
            explanation.append("no complete checkpoint in \(outputDir) (the first is saved at save_steps): run \(run) starts again from step 0 there")
            return ResumePoint(checkpoint: nil, explanation: explanation, overrides: ["overwrite_output_dir=true"])
        }
        let step = last.globalStep ?? last.step
        let planned = last.numTrainEpochs ?? configEpochs
        var overrides = ["overwrite_output_dir=false", "resume_from_checkpoint=\(last.path)"]
        if let total = last.maxSteps, step >= total {
            // Everything this run planned is done: only more epochs or steps continue it.
            if let maxSteps, maxSteps > step {
                explanation.append("\(last.name) is the end of the run (step \(step) of \(total)); continuing to max_steps \(maxSteps)")
            } else if let limit = configMaxSteps, limit > 0 {
                // max_steps decides over epochs in the trainer.
                throw ResumeError.complete(run: run, message: "max_steps \(limit) was reached (step \(step) of \(total) in \(last.name))",
                                           hint: "raise max_steps to continue: \(command) --set max_steps=\(limit * 2)")
            } else if let epochs, epochs > (planned ?? .infinity) {
                explanation.append("all \(format(planned)) epochs were done at step \(step); continuing to \(format(epochs)) epochs from \(last.name)")
                overrides.append("num_train_epochs=\(format(epochs))")
            } else {
                let more = (planned ?? 1) * 2
                throw ResumeError.complete(run: run, message: "all \(format(planned)) epochs are done (step \(step) of \(total) in \(last.name))",
                                           hint: "raise --epochs to continue: \(command) --epochs \(format(more))")
            }
        } else {
            let of = last.maxSteps.map { " of \($0)" } ?? ""
            let epoch = last.epoch.map { ", epoch \(format($0))" + (planned.map { " of \(format($0))" } ?? "") } ?? ""
            explanation.append("step \(step)\(of)\(epoch): resuming from \(last.name)")
            if let epochs { overrides.append("num_train_epochs=\(format(epochs))") }
        }
        if !last.hasOptimizer {
            explanation.append("\(last.name) has no optimizer state (save_only_model): resuming restarts the optimizer")
        }
        return ResumePoint(checkpoint: last, explanation: explanation, overrides: overrides)
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "?" }
        if value == value.rounded() { return String(format: "%.1f", value) }
        // trainer_state.json stores fractions of an epoch as 1.6666666666666665: two places are enough.
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

public enum ResumeError: Error, Sendable, Equatable, CustomStringConvertible {
    case complete(run: String, message: String, hint: String)
    case running(run: String, pid: Int32?)

    public var description: String {
        switch self {
        case .complete(let run, let message, let hint):
            return "run \(run) has nothing left to train: \(message)\nhint: \(hint)"
        case .running(let run, let pid):
            return "run \(run) is still running" + (pid.map { " (pid \($0))" } ?? "")
                + "\nhint: follow it with lfm logs \(run) -f, or stop it with kill -TERM -\(pid.map(String.init) ?? "PID")"
        }
    }
}
