import Foundation
import LFMCore
import Testing
@testable import LFMTrain

/// The training errors as people see them (`UserFacingError`): the problem on the `error:` line,
/// the fix on the `hint:` line, never the fix inside the error text.
@Suite struct TrainErrorMessageTests {
    @Test func environmentErrorsPutTheFixOnTheHintLine() {
        let missing = EnvironmentError.cliMissing(prefix: "/envs/lf", hint: "/envs/lf/bin/pip install llamafactory==0.9.5")
        #expect(missing.errorMessage == "LLaMA-Factory is not installed in /envs/lf (no /envs/lf/bin/llamafactory-cli)")
        #expect(missing.hint == "install it: /envs/lf/bin/pip install llamafactory==0.9.5")
        #expect(missing.exitStatus == 1)
        let notAnEnv = EnvironmentError.notAnEnvironment(path: "/tmp/x")
        #expect(notAnEnv.errorMessage == "/tmp/x is not a Python environment (no bin/python inside)")
        #expect(notAnEnv.hint == "pass a conda env or venv prefix")
        // One line where plans and `lfm doctor` show it as a warning: problem; fix.
        #expect(notAnEnv.description == "/tmp/x is not a Python environment (no bin/python inside); pass a conda env or venv prefix")
        let unknown = EnvironmentError.notFound(name: "lf", searched: ["base"], tool: "micromamba")
        #expect(unknown.errorMessage == "no conda environment named \"lf\" (micromamba knows: base)")
        #expect(unknown.hint == "pass a prefix path with --env, or create it: conda create -n lf python=3.11")
        let cases: [EnvironmentError] = [
            .noCondaTool(name: "lf"), .condaFailed(tool: "/usr/bin/conda", message: "exit 1"),
            .notInstalled(hint: "pip install llamafactory==0.9.5"), .pathHasSpaces("/a b"),
        ]
        for error in cases {
            #expect(error.hint?.isEmpty == false, "\(error)")
            #expect(!error.errorMessage.lowercased().contains("install it:") && !error.errorMessage.contains("pass "), "\(error.errorMessage)")
        }
    }

    @Test func trainConfigErrorsCarryTheirHintSeparately() {
        let error = TrainConfigError(.contradictoryFlags, "--resume and --fresh contradict each other", hint: "pick one")
        #expect(error.errorMessage == "--resume and --fresh contradict each other")
        #expect(error.hint == "pick one")
        #expect(error.description == "--resume and --fresh contradict each other; pick one")
        let bare = TrainConfigError(.badValue, "--ray-workers must be at least 1, got 0")
        #expect(bare.hint == nil && bare.description == bare.message)
    }

    @Test func keyCheckErrorsListEveryKeyThenOneHint() {
        let one = KeyCheckError(problems: [KeyProblem(key: "learning_rat", origin: "--set learning_rat=...", kind: .unknown,
                                                      message: "LLaMA-Factory 0.9.5 does not know the key learning_rat; did you mean learning_rate?",
                                                      fix: "use learning_rate in --set learning_rat=...", suggestion: "learning_rate")],
                                source: "the installed LLaMA-Factory 0.9.5")
        #expect(one.errorMessage == "LLaMA-Factory 0.9.5 does not know the key learning_rat; did you mean learning_rate?")
        #expect(one.hint == "use learning_rate in --set learning_rat=... (keys checked against the installed LLaMA-Factory 0.9.5)")
        var two = one
        two.problems.append(KeyProblem(key: "bf16", origin: "--set bf16=...", kind: .type, message: "bf16: \"maybe\" is not a boolean",
                                       fix: "set bf16 to true or false"))
        #expect(two.errorMessage.hasPrefix("2 config keys would fail in LLaMA-Factory:\n  "))
        #expect(!two.errorMessage.contains("hint:"))
        #expect(two.hint == "fix each key above (keys checked against the installed LLaMA-Factory 0.9.5)")
    }

    @Test func probeErrorsSayWhatToDo() {
        for error in [ProbeError.noPython("/envs/lf"), .noResult(""), .failed("python exited 1"), .timedOut(60)] {
            #expect(error.errorMessage == error.description)
            #expect(error.hint?.isEmpty == false, "\(error)")
        }
    }
}
