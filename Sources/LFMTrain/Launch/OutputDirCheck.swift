import Foundation

/// What is already in a run's `output_dir`, and what lfm does about it.
///
/// LLaMA-Factory silently resumes from the last `checkpoint-*` when `overwrite_output_dir` is
/// false, and refuses a non-empty directory without checkpoints ("Output directory already
/// exists and is not empty"). lfm makes both explicit: `--resume` or `--fresh`.
public enum OutputDirState: Sendable, Equatable {
    case absent
    case empty
    /// Training finished here before (`adapter_model.safetensors` / `model.safetensors`).
    case finished(checkpoints: [String])
    /// Interrupted training left these checkpoints (sorted by step, last = newest).
    case checkpoints([String])
    /// Other files only.
    case nonEmpty

    public static func inspect(_ dir: String) -> OutputDirState {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { return .absent }
        let names = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
        if names.isEmpty { return .empty }
        let checkpoints = names.filter { name in
            guard name.hasPrefix("checkpoint-"), Int(name.dropFirst("checkpoint-".count)) != nil else { return false }
            var d: ObjCBool = false
            return fm.fileExists(atPath: dir + "/" + name, isDirectory: &d) && d.boolValue
        }.sorted { Int($0.dropFirst(11))! < Int($1.dropFirst(11))! }
        if names.contains("adapter_model.safetensors") || names.contains("model.safetensors")
            || names.contains("model.safetensors.index.json") {
            return .finished(checkpoints: checkpoints)
        }
        if !checkpoints.isEmpty { return .checkpoints(checkpoints) }
        return .nonEmpty
    }
}

public enum OutputDirError: Error, Sendable, Equatable, CustomStringConvertible {
    case needsDecision(dir: String, checkpoint: String)
    case finished(dir: String)
    case nonEmpty(dir: String)

    public var description: String {
        switch self {
        case .needsDecision(let dir, let checkpoint):
            return "\(dir) holds \(checkpoint) from an earlier run; LLaMA-Factory would silently resume from it. Continue that run with lfm train --resume RUN (lfm runs lists the runs), or pass --fresh to start over (overwrite_output_dir), or choose another --output-dir"
        case .finished(let dir):
            return "\(dir) already holds a finished run (adapter_model.safetensors); lfm will not overwrite it. Pass --fresh to train again there, or choose another --output-dir"
        case .nonEmpty(let dir):
            return "\(dir) exists and is not empty (no checkpoints); LLaMA-Factory would refuse it (\"Output directory already exists and is not empty\"). Pass --fresh to overwrite, or choose another --output-dir"
        }
    }
}

public struct ResumeDecision: Sendable, Equatable {
    /// `key=value` overrides appended to `llamafactory-cli train train.yaml`.
    public var overrides: [String]
    /// What to tell the user.
    public var note: String?

    /// Decides from the state of `dir` and the flags; throws when the user must choose.
    public static func decide(dir: String, resume: Bool, fresh: Bool) throws -> ResumeDecision {
        let state = OutputDirState.inspect(dir)
        if fresh {
            switch state {
            case .absent, .empty: return ResumeDecision(overrides: [], note: nil)
            default:
                return ResumeDecision(overrides: ["overwrite_output_dir=true"],
                                      note: "--fresh: starting over in \(dir) (overwrite_output_dir=true; earlier files there are replaced as training writes them)")
            }
        }
        switch state {
        case .absent, .empty:
            return ResumeDecision(overrides: [], note: resume ? "--resume: nothing to resume in \(dir); starting a new run" : nil)
        case .finished:
            throw OutputDirError.finished(dir: dir)
        case .checkpoints(let list):
            let last = list.last!
            guard resume else { throw OutputDirError.needsDecision(dir: dir, checkpoint: last) }
            return ResumeDecision(overrides: ["overwrite_output_dir=false", "resume_from_checkpoint=\(dir)/\(last)"],
                                  note: "resuming from \(dir)/\(last) (LLaMA-Factory continues at its step; trainer_log.jsonl is appended to)")
        case .nonEmpty:
            throw OutputDirError.nonEmpty(dir: dir)
        }
    }
}
