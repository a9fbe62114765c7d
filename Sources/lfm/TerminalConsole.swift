import Foundation
import LFMSystem
import LFMTrain

/// A launched child on the terminal (`lfm train`, `eval`, `export`): child stdout → stdout,
/// child stderr → stderr. When stderr is a terminal it also keeps a one-line progress display at
/// the bottom and hides the child's tqdm `\r` redraws there (they still go to the run's log).
/// Colour follows `Terminal` (only on a terminal, never with NO_COLOR).
final class TerminalConsole: LaunchConsole, @unchecked Sendable {
    private let lock = NSLock()
    private let stderrIsTTY: Bool
    private let stdoutToStderr: Bool
    private var progressShown = false
    private var lastProgress: String?

    /// - Parameter stdoutToStderr: send the child's stdout to stderr too (`--json` keeps stdout
    ///   for the document).
    init(stdoutToStderr: Bool = false, stderrIsTTY: Bool = Terminal.stderrIsTTY) {
        self.stdoutToStderr = stdoutToStderr
        self.stderrIsTTY = stderrIsTTY
    }

    private func write(_ fd: Int32, _ text: String) {
        FileDescriptorIO.writeAll(fd, Array(text.utf8))
    }

    private func clearProgress() {
        if progressShown { write(STDERR_FILENO, "\r\u{1B}[K"); progressShown = false }
    }

    private func drawProgress() {
        guard stderrIsTTY, let lastProgress else { return }
        write(STDERR_FILENO, "\r\u{1B}[K" + Terminal.paint(lastProgress, .cyan, stderr: true))
        progressShown = true
    }

    func childLine(_ line: OutputLine) {
        lock.lock(); defer { lock.unlock() }
        if stderrIsTTY && line.terminator == .carriageReturn { return }
        clearProgress()
        write(line.stream == .stdout && !stdoutToStderr ? STDOUT_FILENO : STDERR_FILENO, line.text + "\n")
        drawProgress()
    }

    func progress(_ summary: ProgressSummary) {
        lock.lock(); defer { lock.unlock() }
        guard stderrIsTTY else { return }
        lastProgress = "lfm ▸ " + summary.line
        drawProgress()
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        clearProgress()
        lastProgress = nil
    }
}
