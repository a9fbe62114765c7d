import Foundation
import LFMCore
import LFMSystem

/// A Python environment that `llamafactory-cli` runs in: a conda/mamba env, a venv, or
/// (when none was named) whatever `PATH` offers.
public struct CondaEnvironment: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A conda, mamba or micromamba prefix (`conda-meta/` inside).
        case conda
        /// A `python -m venv` / virtualenv prefix (`pyvenv.cfg` inside).
        case venv
        /// Some other prefix with `bin/python` (treated like a venv).
        case prefix
        /// No environment: `llamafactory-cli` as found on `PATH`.
        case path
    }

    public var kind: Kind
    /// Absolute prefix (nil for `.path`).
    public var prefix: String?
    /// The env's name (`CONDA_DEFAULT_ENV`): the conda name, or the prefix's basename.
    public var name: String?
    /// Where the choice came from, for messages (`--env`, `lfm.yaml env`, `CONDA_PREFIX`, `PATH`).
    public var origin: String

    public init(kind: Kind, prefix: String?, name: String?, origin: String) {
        self.kind = kind
        self.prefix = prefix
        self.name = name
        self.origin = origin
    }

    /// `<prefix>/bin/llamafactory-cli`, or nil for `.path`.
    public var cliPath: String? { prefix.map { $0 + "/bin/llamafactory-cli" } }

    /// The variables lfm sets for the child so the env is active, as `conda activate` would;
    /// `nil` values mean "unset". `base` is lfm's own environment (for PATH).
    public func activation(base: [String: String]) -> [(key: String, value: String?)] {
        var changes: [(key: String, value: String?)] = []
        if let prefix {
            let path = base["PATH"].map { prefix + "/bin:" + $0 } ?? prefix + "/bin"
            changes.append(("PATH", path))
            switch kind {
            case .conda:
                changes.append(("CONDA_PREFIX", prefix))
                changes.append(("CONDA_DEFAULT_ENV", name ?? (prefix as NSString).lastPathComponent))
            case .venv, .prefix:
                changes.append(("VIRTUAL_ENV", prefix))
            case .path:
                break
            }
        }
        changes.append(("PYTHONUNBUFFERED", "1"))
        if base["PYTHONHOME"] != nil { changes.append(("PYTHONHOME", nil)) }
        return changes
    }

    /// How to install LLaMA-Factory into this environment.
    public var installHint: String {
        switch kind {
        case .conda:
            let env = name ?? prefix ?? "ENV"
            return "\(prefix ?? "ENV")/bin/pip install llamafactory==0.9.5   (or, in a LLaMA-Factory checkout: conda activate \(env) && pip install -e .)"
        case .venv, .prefix:
            return "\(prefix ?? "VENV")/bin/pip install llamafactory==0.9.5   (or, in a LLaMA-Factory checkout: \(prefix ?? "VENV")/bin/pip install -e .)"
        case .path:
            return "pip install llamafactory==0.9.5 in a conda env or venv, then pass --env NAME|PATH (or set `env:` in lfm.yaml)"
        }
    }

    public var description: String {
        switch kind {
        case .path: return "PATH (no environment selected)"
        default: return "\(kind.rawValue) env \(name ?? "?") at \(prefix ?? "?") (from \(origin))"
        }
    }
}

/// Picks the environment for `lfm train`: `--env`, then lfm.yaml's `env`, then `CONDA_PREFIX`,
/// then nothing (PATH). Names are resolved through conda/mamba/micromamba's `env list --json`.
public struct EnvironmentResolver: Sendable {
    /// The environment conda and `llamafactory-cli` are looked up in, and the runner for conda.
    public var context: ProcessContext
    /// Where a relative `--env ./venv` is resolved from (the command's working directory).
    public var currentDirectory: String

    public init(environment: [String: String]? = nil, runner: (any ProcessRunner)? = nil,
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        context = ProcessContext(environment: environment, runner: runner)
        self.currentDirectory = currentDirectory
    }

    /// The conda-like tool: `CONDA_EXE`, `MAMBA_EXE`, then conda, mamba, micromamba on PATH.
    public func condaTool() -> URL? {
        for key in ["CONDA_EXE", "MAMBA_EXE"] {
            if let exe = context.environment[key], !exe.isEmpty, ExecutableLocator.isExecutableFile(exe) {
                return URL(fileURLWithPath: exe)
            }
        }
        return ExecutableLocator(environment: context.environment).locateFirst(of: ["conda", "mamba", "micromamba"])
    }

    /// Resolves the environment to use; `.path` when nothing is selected.
    public func resolve(flag: String?, configured: String?) async throws -> CondaEnvironment {
        if let flag, !flag.isEmpty { return try await resolve(spec: flag, origin: "--env") }
        if let configured, !configured.isEmpty { return try await resolve(spec: configured, origin: "lfm.yaml env") }
        if let active = context.environment["CONDA_PREFIX"], !active.isEmpty {
            return try resolvePrefix(active, origin: "CONDA_PREFIX", name: context.environment["CONDA_DEFAULT_ENV"])
        }
        if let venv = context.environment["VIRTUAL_ENV"], !venv.isEmpty {
            return try resolvePrefix(venv, origin: "VIRTUAL_ENV", name: nil)
        }
        return CondaEnvironment(kind: .path, prefix: nil, name: nil, origin: "PATH")
    }

    /// A name (`llamafactory`, `base`) or a path (contains `/`, or starts with `~` or `.`).
    public func resolve(spec: String, origin: String) async throws -> CondaEnvironment {
        if spec.contains("/") || spec.hasPrefix("~") || spec.hasPrefix(".") {
            return try resolvePrefix(spec, origin: origin, name: nil)
        }
        guard let tool = condaTool() else { throw EnvironmentError.noCondaTool(name: spec) }
        let prefixes = try await listEnvironments(tool: tool)
        let toolName = tool.lastPathComponent
        if spec == "base", let root = prefixes.root {
            return CondaEnvironment(kind: .conda, prefix: root, name: "base", origin: origin)
        }
        if let match = prefixes.envs.first(where: { ($0 as NSString).lastPathComponent == spec }) {
            return CondaEnvironment(kind: .conda, prefix: match, name: spec, origin: origin)
        }
        let names = prefixes.envs.map { $0 == prefixes.root ? "base" : ($0 as NSString).lastPathComponent }
        throw EnvironmentError.notFound(name: spec, searched: names, tool: toolName)
    }

    func resolvePrefix(_ raw: String, origin: String, name: String?) throws -> CondaEnvironment {
        var path = raw
        if path.hasPrefix("~") { path = NSString(string: path).expandingTildeInPath }
        path = Workspace.absolute(path, from: currentDirectory)
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let fm = FileManager.default
        guard ExecutableLocator.isExecutableFile(path + "/bin/python") || fm.fileExists(atPath: path + "/bin/python") else {
            throw EnvironmentError.notAnEnvironment(path: path)
        }
        let kind: CondaEnvironment.Kind
        if fm.fileExists(atPath: path + "/conda-meta") { kind = .conda }
        else if fm.fileExists(atPath: path + "/pyvenv.cfg") { kind = .venv }
        else { kind = .prefix }
        return CondaEnvironment(kind: kind, prefix: path, name: name ?? (path as NSString).lastPathComponent, origin: origin)
    }

    /// `<tool> env list --json` → the env prefixes and the root prefix.
    func listEnvironments(tool: URL) async throws -> (envs: [String], root: String?) {
        let spec = ProcessSpec(executable: .path(tool), arguments: ["env", "list", "--json"], environment: context.environment)
        let output: CapturedOutput
        do { output = try await context.runner.capture(spec) } catch {
            throw EnvironmentError.condaFailed(tool: tool.path, message: "\(error)")
        }
        guard output.status.succeeded else {
            let message = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw EnvironmentError.condaFailed(tool: tool.path, message: "\(output.status): \(message)")
        }
        return try Self.parseEnvList(output.stdout, tool: tool.path)
    }

    /// Parses conda's `{"envs": [...]}` (micromamba adds nothing we need). The root prefix is
    /// the env holding the tool itself (`<root>/bin/conda`, `<root>/condabin/conda`), or the
    /// `root_prefix`/`base` key where a tool prints one.
    static func parseEnvList(_ text: String, tool: String) throws -> (envs: [String], root: String?) {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw EnvironmentError.condaFailed(tool: tool, message: "output is not JSON: \(error)")
        }
        let envs = value["envs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var root = value["root_prefix"]?.stringValue ?? value["base"]?.stringValue
        if root == nil {
            let toolDir = ((tool as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            root = envs.first { $0 == toolDir }
        }
        return (envs, root)
    }

    /// Where `llamafactory-cli` is for this env; throws the install hint when it is missing.
    /// For `.path`, it is looked up on PATH.
    public func locateCLI(in env: CondaEnvironment) throws -> String {
        if let cli = env.cliPath {
            guard ExecutableLocator.isExecutableFile(cli) else {
                throw EnvironmentError.cliMissing(prefix: env.prefix ?? "", hint: env.installHint)
            }
            return cli
        }
        guard let found = ExecutableLocator(environment: context.environment).locate("llamafactory-cli") else {
            throw EnvironmentError.notInstalled(hint: env.installHint)
        }
        return found.path
    }
}
