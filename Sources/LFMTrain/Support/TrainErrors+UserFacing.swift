import LFMCore

/// The errors of runs, eval, resume and clusters as people see them (`UserFacingError`): the
/// `error:` line, and the fix on the `hint:` line. Errors whose text already says "…\nhint: …"
/// are split there, so the root prints both lines the same way for every command.
enum HintSplit {
    static func message(_ text: String) -> String {
        text.range(of: "\nhint: ").map { String(text[..<$0.lowerBound]) } ?? text
    }

    static func hint(_ text: String) -> String? {
        text.range(of: "\nhint: ").map { String(text[$0.upperBound...]) }
    }
}

extension RunError: UserFacingError {
    public var errorMessage: String {
        switch self {
        case .noRuns(let dir): return "no runs yet (\(dir) is empty)"
        case .unknown(let ref, let known):
            let recent = known.suffix(5).joined(separator: ", ")
            return "no run \"\(ref)\"" + (recent.isEmpty ? "" : "; recent runs: \(recent)")
        case .ambiguous(let ref, let matches): return "\"\(ref)\" matches several runs: \(matches.joined(separator: ", "))"
        case .unreadable(let path): return "cannot read \(path)"
        }
    }

    public var hint: String? {
        switch self {
        case .noRuns: return "start one with lfm train --model MODEL --dataset NAME"
        case .unknown: return "lfm runs lists the runs; give an id, a unique part of one, or last"
        case .ambiguous: return "give more of the id"
        case .unreadable: return nil
        }
    }
}

extension EvalError: UserFacingError {
    public var errorMessage: String { HintSplit.message(description) }
    public var hint: String? { HintSplit.hint(description) }
}

extension ResumeError: UserFacingError {
    public var errorMessage: String { HintSplit.message(description) }
    public var hint: String? { HintSplit.hint(description) }
}

extension TrainSessionError: UserFacingError {
    public var errorMessage: String { HintSplit.message(description) }
    public var hint: String? { HintSplit.hint(description) }
}

extension SlurmError: UserFacingError {
    public var errorMessage: String {
        if case .notInstalled(let command) = self { return "\(command) was not found on PATH" }
        return description
    }

    public var hint: String? {
        if case .notInstalled = self { return "run lfm on a Slurm login node (or install slurm-client and point it at your cluster)" }
        return nil
    }
}
