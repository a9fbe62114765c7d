import Foundation
import LFMSystem
import Testing
@testable import LFMTrain

/// A `ProcessRunner` that starts nothing: it records the spec, reports a pid and two lines, and
/// returns the outcome it was given.
final class ScriptedRunner: ProcessRunner, @unchecked Sendable {
    let outcome: ProcessOutcome
    private let lock = NSLock()
    private var _specs: [ProcessSpec] = []
    var specs: [ProcessSpec] { lock.withLock { _specs } }

    init(outcome: ProcessOutcome) { self.outcome = outcome }

    func run(_ spec: ProcessSpec, onStart: @escaping @Sendable (pid_t) -> Void,
             onLine: @escaping @Sendable (OutputLine) -> Void) async throws -> ProcessOutcome {
        lock.withLock { _specs.append(spec) }
        onStart(4242)
        onLine(OutputLine(stream: .stdout, text: "scripted out", terminator: .newline))
        onLine(OutputLine(stream: .stderr, text: "scripted err", terminator: .newline))
        return outcome
    }

    func start(_ spec: ProcessSpec, onLine: @escaping @Sendable (OutputLine) -> Void) throws -> any RunningProcess {
        throw ProcessRunnerError.launchFailed(path: "scripted", reason: "start is not scripted")
    }
}

/// Launchers run their child through the runner they are given (the seam), not one of their own.
@Suite struct InjectedRunnerTests {
    @Test func trainLauncherRunsTheAttachedChildThroughItsRunner() async throws {
        let s = try TempDir()
        let prefix = try s.fakePrefix("venv")
        let env = CondaEnvironment(kind: .venv, prefix: prefix, name: "venv", origin: "test")
        let launch = TrainLaunch(rendered: try s.rendered(outputDir: s.path("out"), dataset: "tiny"), model: "/models/tiny",
                                 template: "llama3", method: "lora", environment: env, cli: prefix + "/bin/llamafactory-cli",
                                 distributed: DistributedOptions(), resume: false, fresh: false,
                                 baseEnvironment: testBaseEnvironment())
        let runner = ScriptedRunner(outcome: .exited(3))
        var launcher = TrainLauncher(store: RunStore(stateDir: s.path(".lfm")), runner: runner)
        launcher.pollInterval = .milliseconds(20)
        let prepared = try launcher.prepare(launch, detached: false)
        let console = RecordingConsole()
        let record = try await launcher.runAttached(prepared, console: console)

        #expect(runner.specs == [prepared.plan.spec])
        #expect(record.pid == 4242)
        #expect(record.exitCode == 3)
        #expect(console.lines.map(\.text) == ["scripted out", "scripted err"])
        #expect(s.read(prepared.directory.logFile) == "scripted out\nscripted err\n")
    }

    @Test func targetProberAndEvalRunnerKeepTheRunnerTheyAreGiven() {
        let runner = ScriptedRunner(outcome: .exited(0))
        #expect(TargetProber(environment: [:], cacheDirectory: nil, runner: runner).runner as? ScriptedRunner === runner)
        #expect(EvalRunner(runner: runner).runner as? ScriptedRunner === runner)
    }
}
