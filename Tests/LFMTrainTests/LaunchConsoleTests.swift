#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LFMSystem
import Testing
@testable import LFMTrain

/// What the terminal sees during an attached run (written to files standing in for the terminal).
@Suite struct LaunchConsoleTests {
    func capture(tty: Bool, env: [String: String] = [:], stdoutToStderr: Bool = false,
                 _ body: (TerminalConsole) -> Void) throws -> (out: String, err: String) {
        let s = try TempDir()
        let outPath = s.path("out"), errPath = s.path("err")
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644), err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(out); close(err) }
        let console = TerminalConsole(stderrIsTTY: tty, stdoutToStderr: stdoutToStderr, environment: env,
                                      stdoutFD: out, stderrFD: err)
        body(console)
        return (s.read(outPath), s.read(errPath))
    }

    var progress: ProgressSummary {
        ProgressSummary(entries: [TrainerLogEntry(currentSteps: 3, totalSteps: 10, loss: 1.25, learningRate: 1e-4,
                                                  percentage: 30, elapsed: "0:00:03", remaining: "0:00:07")])
    }

    @Test func onATerminalTqdmRedrawsAreHiddenAndTheProgressLineIsRedrawn() throws {
        let (out, err) = try capture(tty: true) { c in
            c.childLine(OutputLine(stream: .stdout, text: "hello", terminator: .newline))
            c.childLine(OutputLine(stream: .stderr, text: " 30%|###| 3/10", terminator: .carriageReturn))
            c.progress(progress)
            c.childLine(OutputLine(stream: .stderr, text: "warning", terminator: .newline))
            c.finish()
        }
        #expect(out == "hello\n")
        #expect(!err.contains("3/10 ["))  // the tqdm redraw never reached the terminal
        #expect(!err.contains(" 30%|###|"))
        #expect(err.contains("lfm ▸ step 3/10   30%  loss 1.2500  lr 1.00e-04  elapsed 0:00:03  ETA 0:00:07"))
        #expect(err.contains("\u{1B}[36m"))  // coloured
        // The progress line is cleared before the child's line and drawn again after it, and cleared at the end.
        let warning = try #require(err.range(of: "warning\n"))
        #expect(err[..<warning.lowerBound].hasSuffix("\r\u{1B}[K"))
        #expect(err[warning.upperBound...].contains("step 3/10"))
        #expect(err.hasSuffix("\r\u{1B}[K"))
    }

    @Test func noColorKeepsTheProgressLinePlain() throws {
        let (_, err) = try capture(tty: true, env: ["NO_COLOR": "1"]) { c in c.progress(progress) }
        #expect(err.contains("step 3/10"))
        #expect(!err.contains("\u{1B}[36m"))
    }

    @Test func notATerminalPassesEverythingThroughWithoutProgress() throws {
        let (out, err) = try capture(tty: false) { c in
            c.childLine(OutputLine(stream: .stdout, text: "a", terminator: .newline))
            c.childLine(OutputLine(stream: .stderr, text: " 1/2", terminator: .carriageReturn))
            c.progress(progress)
            c.finish()
        }
        #expect(out == "a\n")
        #expect(err == " 1/2\n")
    }

    @Test func jsonModeMovesChildStdoutToStderr() throws {
        let (out, err) = try capture(tty: false, stdoutToStderr: true) { c in
            c.childLine(OutputLine(stream: .stdout, text: "a", terminator: .newline))
        }
        #expect(out.isEmpty)
        #expect(err == "a\n")
    }
}
