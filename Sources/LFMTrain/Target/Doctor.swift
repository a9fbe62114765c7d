import Foundation
import LFMCore

/// Resolves the environment the way `lfm train` does, probes it and measures the machine.
public struct Doctor: Sendable {
    public var resolver: EnvironmentResolver
    public var prober: TargetProber

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        resolver = EnvironmentResolver(environment: environment)
        prober = TargetProber(environment: environment)
    }

    /// - Parameters:
    ///   - env: `--env`; nil: `configured` (lfm.yaml), then the active conda env / venv, then PATH.
    ///   - outputDirectory: where free disk is measured (the workspace, or the current directory).
    ///   - refresh: probe again even when a cached result exists.
    public func examine(env: String?, configured: String?, outputDirectory: String, refresh: Bool = false) async
        -> (report: DoctorReport, probe: TargetProbe?)
    {
        let facts = MachineFacts.measure(outputDir: outputDirectory)
        let environment: CondaEnvironment
        do {
            environment = try await resolver.resolve(flag: env, configured: configured)
        } catch {
            return (DoctorReport.diagnose(environment: nil, environmentError: "\(error)", probe: nil, facts: facts), nil)
        }
        var cli: String?
        var cliError: String?
        do { cli = try resolver.locateCLI(in: environment) } catch { cliError = "\(error)" }
        guard let python = TargetProber.python(for: environment, cli: cli, environment: prober.environment) else {
            let missing = environment.prefix.map { "no \($0)/bin/python" } ?? "no Python found for llamafactory-cli on PATH"
            return (DoctorReport.diagnose(environment: environment, cliError: cliError, probe: nil,
                                          probeError: cliError == nil ? missing : nil, facts: facts), nil)
        }
        do {
            let (probe, cached) = try await prober.probe(python: python, refresh: refresh)
            return (DoctorReport.diagnose(environment: environment, cliError: cliError, probe: probe, cached: cached, facts: facts), probe)
        } catch {
            return (DoctorReport.diagnose(environment: environment, cliError: cliError, probe: nil, probeError: "\(error)", facts: facts), nil)
        }
    }
}
