import LFMCore

/// Errors finding an environment or LLaMA-Factory in it.
public enum EnvironmentError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(name: String, searched: [String], tool: String?)
    case noCondaTool(name: String)
    case notAnEnvironment(path: String)
    case condaFailed(tool: String, message: String)
    case cliMissing(prefix: String, hint: String)
    case notInstalled(hint: String)
    case pathHasSpaces(String)

    /// The problem and, after "; ", the fix (warnings in plans and `lfm doctor` show both).
    public var description: String { errorMessage + "; " + (hint ?? "") }
}

extension EnvironmentError: UserFacingError {
    public var errorMessage: String {
        switch self {
        case .notFound(let name, let searched, let tool):
            let list = searched.isEmpty ? "no environments" : searched.joined(separator: ", ")
            return "no conda environment named \"\(name)\" (\(tool ?? "conda") knows: \(list))"
        case .noCondaTool(let name):
            return "cannot resolve environment name \"\(name)\": no conda, mamba or micromamba found (CONDA_EXE, MAMBA_EXE, PATH)"
        case .notAnEnvironment(let path):
            return "\(path) is not a Python environment (no bin/python inside)"
        case .condaFailed(let tool, let message):
            return "\(tool) env list --json failed: \(message)"
        case .cliMissing(let prefix, _):
            return "LLaMA-Factory is not installed in \(prefix) (no \(prefix)/bin/llamafactory-cli)"
        case .notInstalled:
            return "LLaMA-Factory is not installed: no environment selected and no llamafactory-cli on PATH"
        case .pathHasSpaces(let path):
            return "\(path) contains spaces; LLaMA-Factory's torchrun re-launch splits its arguments on spaces, so lfm refuses"
        }
    }

    public var hint: String? {
        switch self {
        case .notFound(let name, _, _):
            return "pass a prefix path with --env, or create it: conda create -n \(name) python=3.11"
        case .noCondaTool: return "pass the environment's prefix path with --env instead"
        case .notAnEnvironment: return "pass a conda env or venv prefix"
        case .condaFailed(let tool, _):
            return "check that `\(tool) env list --json` works in a shell, or pass the environment's prefix path with --env"
        case .cliMissing(_, let install), .notInstalled(let install): return "install it: \(install)"
        case .pathHasSpaces: return "use a workspace/output path without spaces"
        }
    }
}
