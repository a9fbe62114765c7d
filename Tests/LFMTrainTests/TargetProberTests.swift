import Foundation
import Testing
@testable import LFMTrain

/// The probe runs the env's own Python (FAKE interpreters here: shell scripts printing a result).
@Suite struct TargetProberTests {
    static let result = #"LFM_PROBE {"accelerator": "cpu", "cpu_count": 3, "devices": [], "packages": {"llamafactory": "0.9.5", "torch": "2.11.0"}, "probe_version": \#(ProbeScript.version)}"#

    @Test func probesOnceThenReadsTheCache() async throws {
        let s = try TempDir()
        let counter = s.path("runs")
        let python = try s.write("env/bin/python", "#!/bin/sh\necho x >> \(counter)\necho 'some import warning'\necho '\(Self.result)'\n", executable: true)
        let prober = TargetProber(environment: testBaseEnvironment(), cacheDirectory: s.path("cache"))
        let first = try await prober.probe(python: python)
        #expect(!first.cached)
        #expect(first.probe.cpuCount == 3)
        #expect(first.probe.llamaFactoryVersion == "0.9.5")
        let second = try await prober.probe(python: python)
        #expect(second.cached)
        #expect(second.probe == first.probe)
        let refreshed = try await prober.probe(python: python, refresh: true)
        #expect(!refreshed.cached)
        #expect(s.read(counter) == "x\nx\n")
    }

    @Test func aPythonThatPrintsNoResultIsAnErrorAndNotCached() async throws {
        let s = try TempDir()
        let python = try s.write("env/bin/python", "#!/bin/sh\necho 'ModuleNotFoundError: No module named torch' >&2\nexit 1\n", executable: true)
        let prober = TargetProber(environment: testBaseEnvironment(), cacheDirectory: s.path("cache"))
        await #expect(throws: ProbeError.self) { _ = try await prober.probe(python: python) }
        do { _ = try await prober.probe(python: python) } catch {
            #expect("\(error)".contains("No module named torch"), "\(error)")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: s.path("cache"))) ?? []).isEmpty)
    }

    @Test func pythonForAnEnvOnPathComesFromTheShebang() throws {
        let s = try TempDir()
        let python3 = try s.write("bin/python3", "#!/bin/sh\n", executable: true)
        let direct = try s.write("a/llamafactory-cli", "#!\(python3)\nimport sys\n", executable: true)
        let viaEnv = try s.write("b/llamafactory-cli", "#!/usr/bin/env python3\nimport sys\n", executable: true)
        let onPath = CondaEnvironment(kind: .path, prefix: nil, name: nil, origin: "PATH")
        #expect(TargetProber.python(for: onPath, cli: direct) == python3)
        #expect(TargetProber.python(for: onPath, cli: viaEnv, environment: ["PATH": s.path("bin")]) == python3)
        let venv = CondaEnvironment(kind: .venv, prefix: s.root, name: "x", origin: "--env")
        #expect(TargetProber.python(for: venv, cli: nil) == python3)
    }
}
