import Foundation
import LFMSystem
import Testing
@testable import LFMTrain

/// Environment resolution. conda cannot be installed on this machine (no network to its
/// channels, and it is large), so a FAKE `conda`/`micromamba` script answers `env list --json`
/// the way the real tools do; prefixes are fake directories with `bin/python`.
@Suite struct CondaEnvironmentTests {
    /// A fake conda installed at <root>/miniconda/bin/conda listing base and two envs.
    func fakeConda(_ s: TempDir, name: String = "conda", extraEnvs: [String] = []) throws -> (tool: String, root: String) {
        let root = s.path("miniconda")
        try s.fakePrefix("miniconda", conda: true)
        try s.fakePrefix("miniconda/envs/lf", conda: true)
        try s.fakePrefix("miniconda/envs/other", conda: true, withCLI: false)
        let envs = ([root, root + "/envs/lf", root + "/envs/other"] + extraEnvs).map { "\"\($0)\"" }.joined(separator: ", ")
        let tool = try s.write("miniconda/bin/\(name)", """
            #!/bin/sh
            if [ "$1 $2 $3" = "env list --json" ]; then
              printf '{\\n  "envs": [%s]\\n}\\n' '\(envs)'
              exit 0
            fi
            echo "fake \(name): unsupported $*" >&2; exit 2
            """, executable: true)
        return (tool, root)
    }

    @Test func resolvesANameThroughCondaEnvList() async throws {
        let s = try TempDir()
        let (tool, root) = try fakeConda(s)
        let resolver = EnvironmentResolver(environment: ["PATH": "/usr/bin:/bin", "CONDA_EXE": tool])
        let env = try await resolver.resolve(flag: "lf", configured: nil)
        #expect(env.kind == .conda)
        #expect(env.prefix == root + "/envs/lf")
        #expect(env.name == "lf")
        #expect(env.origin == "--env")
        #expect(try resolver.locateCLI(in: env) == root + "/envs/lf/bin/llamafactory-cli")

        let base = try await resolver.resolve(spec: "base", origin: "test")
        #expect(base.prefix == root)
        #expect(base.name == "base")
    }

    @Test func unknownNameListsTheKnownOnes() async throws {
        let s = try TempDir()
        let (tool, _) = try fakeConda(s)
        let resolver = EnvironmentResolver(environment: ["PATH": "/usr/bin:/bin", "CONDA_EXE": tool])
        await #expect(throws: EnvironmentError.self) { try await resolver.resolve(flag: "nope", configured: nil) }
        do {
            _ = try await resolver.resolve(flag: "nope", configured: nil)
        } catch {
            let text = "\(error)"
            #expect(text.contains("\"nope\""))
            #expect(text.contains("base, lf, other"))
        }
    }

    @Test func micromambaFoundOnPath() async throws {
        let s = try TempDir()
        let (_, root) = try fakeConda(s, name: "micromamba")
        let resolver = EnvironmentResolver(environment: ["PATH": root + "/bin:/usr/bin:/bin"])
        #expect(resolver.condaTool()?.lastPathComponent == "micromamba")
        let env = try await resolver.resolve(flag: nil, configured: "lf")
        #expect(env.prefix == root + "/envs/lf")
        #expect(env.origin == "lfm.yaml env")
    }

    @Test func nameWithoutAnyCondaToolIsAClearError() async throws {
        let resolver = EnvironmentResolver(environment: ["PATH": "/nonexistent"])
        do {
            _ = try await resolver.resolve(flag: "lf", configured: nil)
            Issue.record("expected an error")
        } catch let error as EnvironmentError {
            #expect(error == .noCondaTool(name: "lf"))
            #expect("\(error)".contains("prefix path"))
        }
    }

    @Test func pathsAreVenvsOrCondaPrefixes() async throws {
        let s = try TempDir()
        let venv = try s.fakePrefix("venv")
        let conda = try s.fakePrefix("condaenv", conda: true)
        let resolver = EnvironmentResolver(environment: ["PATH": "/usr/bin"])
        let v = try await resolver.resolve(flag: venv + "/", configured: nil)
        #expect(v.kind == .venv)
        #expect(v.prefix == venv)
        let c = try await resolver.resolve(flag: conda, configured: nil)
        #expect(c.kind == .conda)
        await #expect(throws: EnvironmentError.notAnEnvironment(path: s.root)) {
            try await resolver.resolve(flag: s.root, configured: nil)
        }
    }

    @Test func precedenceFlagThenConfigThenActiveEnvThenPath() async throws {
        let s = try TempDir()
        let a = try s.fakePrefix("a"), b = try s.fakePrefix("b"), active = try s.fakePrefix("active", conda: true)
        let resolver = EnvironmentResolver(environment: ["PATH": "/usr/bin", "CONDA_PREFIX": active, "CONDA_DEFAULT_ENV": "active"])
        #expect(try await resolver.resolve(flag: a, configured: b).prefix == a)
        #expect(try await resolver.resolve(flag: nil, configured: b).prefix == b)
        let fromActive = try await resolver.resolve(flag: nil, configured: nil)
        #expect(fromActive.prefix == active)
        #expect(fromActive.origin == "CONDA_PREFIX")
        let none = try await EnvironmentResolver(environment: ["PATH": "/usr/bin"]).resolve(flag: nil, configured: nil)
        #expect(none.kind == .path)
    }

    @Test func activationSetsPathCondaVarsAndUnsetsPythonHome() throws {
        let conda = CondaEnvironment(kind: .conda, prefix: "/opt/c/envs/lf", name: "lf", origin: "t")
        let changes = conda.activation(base: ["PATH": "/usr/bin", "PYTHONHOME": "/x"])
        let dict = Dictionary(changes.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(dict["PATH"] == .some("/opt/c/envs/lf/bin:/usr/bin"))
        #expect(dict["CONDA_PREFIX"] == .some("/opt/c/envs/lf"))
        #expect(dict["CONDA_DEFAULT_ENV"] == .some("lf"))
        #expect(dict["PYTHONUNBUFFERED"] == .some("1"))
        #expect(dict["PYTHONHOME"] == .some(nil))
        #expect(dict["VIRTUAL_ENV"] == nil)
        let venv = CondaEnvironment(kind: .venv, prefix: "/v", name: "v", origin: "t")
        let vd = Dictionary(venv.activation(base: [:]).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(vd["VIRTUAL_ENV"] == .some("/v"))
        #expect(vd["PATH"] == .some("/v/bin"))
        #expect(vd["PYTHONHOME"] == nil)
    }

    @Test func missingLlamaFactoryNamesThePrefixAndTheInstallCommand() async throws {
        let s = try TempDir()
        let prefix = try s.fakePrefix("empty", withCLI: false)
        let resolver = EnvironmentResolver(environment: ["PATH": "/usr/bin:/bin"])
        let env = try await resolver.resolve(flag: prefix, configured: nil)
        do {
            _ = try resolver.locateCLI(in: env)
            Issue.record("expected cliMissing")
        } catch {
            #expect("\(error)".contains("not installed in \(prefix)"))
            #expect("\(error)".contains("\(prefix)/bin/pip install llamafactory==0.9.5"))
        }
        let pathEnv = CondaEnvironment(kind: .path, prefix: nil, name: nil, origin: "PATH")
        #expect(throws: EnvironmentError.self) { try resolver.locateCLI(in: pathEnv) }
    }

    @Test func parsesRealCondaOutputShapes() throws {
        let text = #"{"envs": ["/opt/conda", "/opt/conda/envs/llamafactory", "/home/u/.conda/envs/x"]}"#
        let parsed = try EnvironmentResolver.parseEnvList(text, tool: "/opt/conda/bin/conda")
        #expect(parsed.envs.count == 3)
        #expect(parsed.root == "/opt/conda")
        let condabin = try EnvironmentResolver.parseEnvList(text, tool: "/opt/conda/condabin/conda")
        #expect(condabin.root == "/opt/conda")
        #expect(throws: EnvironmentError.self) { try EnvironmentResolver.parseEnvList("not json", tool: "conda") }
    }
}
