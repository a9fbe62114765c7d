import LFMCore

/// Config keys LLaMA-Factory would refuse or misread: every problem on the `error:` lines, the
/// fix (and where the keys were checked against) on the `hint:` line.
extension KeyCheckError: UserFacingError {
    public var errorMessage: String { HintSplit.message(description) }
    public var hint: String? { HintSplit.hint(description) }
}

/// A failed look inside the target environment. Plans and `lfm doctor` show `description` as a
/// warning; where it stops a command, the fix goes on the `hint:` line.
extension ProbeError: UserFacingError {
    public var errorMessage: String { description }

    public var hint: String? {
        switch self {
        case .noPython: return "pass --env with a conda env or venv prefix that holds bin/python"
        case .noResult, .failed:
            return "check that the environment's python imports torch and llamafactory; `lfm doctor --refresh` probes again"
        case .timedOut: return "the machine may be busy: run `lfm doctor --refresh` to probe again"
        }
    }
}
