import Foundation
import LFMCore

/// What `lfm init --env` found: the environment, and whether LLaMA-Factory is in it. Quick (no
/// Python is started); `lfm doctor` looks inside.
public struct EnvironmentCheck: Sendable, Equatable, Encodable {
    public enum Verdict: String, Sendable, Encodable {
        /// Found, with llamafactory-cli.
        case ready
        /// Found, without LLaMA-Factory (installable later).
        case noLlamaFactory = "no_llamafactory"
        /// A conda name that cannot be resolved on this machine (no conda here): kept unchecked.
        case unchecked
    }

    public var spec: String
    /// What lfm.yaml should say: the absolute prefix for a path, the name for a conda env.
    public var stored: String
    public var verdict: Verdict
    public var kind: String?
    public var prefix: String?
    public var cli: String?
    public var message: String

    /// - Throws: `EnvironmentError` when the path is not an environment or conda does not know the name.
    public static func check(_ spec: String, resolver: EnvironmentResolver = EnvironmentResolver()) async throws -> EnvironmentCheck {
        let env: CondaEnvironment
        do {
            env = try await resolver.resolve(spec: spec, origin: "--env")
        } catch EnvironmentError.noCondaTool {
            // `--env venv` meant the folder here? Names without a slash are conda names.
            let local = FileManager.default.fileExists(atPath: spec + "/bin/python") ? " (for the venv in ./\(spec), pass --env ./\(spec))" : ""
            return EnvironmentCheck(spec: spec, stored: spec, verdict: .unchecked, message:
                "no conda, mamba or micromamba on this machine, so conda env \"\(spec)\" is kept unchecked\(local); lfm train resolves it where it runs (a prefix path works everywhere)")
        }
        let isPath = spec.contains("/") || spec.hasPrefix("~") || spec.hasPrefix(".")
        let stored = isPath ? (env.prefix ?? spec) : spec
        let kind = env.kind.rawValue
        do {
            let cli = try resolver.locateCLI(in: env)
            return EnvironmentCheck(spec: spec, stored: stored, verdict: .ready, kind: kind, prefix: env.prefix, cli: cli,
                                    message: "\(kind) env at \(env.prefix ?? "?") with LLaMA-Factory (\(cli))")
        } catch {
            return EnvironmentCheck(spec: spec, stored: stored, verdict: .noLlamaFactory, kind: kind, prefix: env.prefix,
                                    message: "\(kind) env at \(env.prefix ?? "?") has no llamafactory-cli yet; install it: \(env.installHint)")
        }
    }
}
