import Foundation

/// "deduplicating big.json (52 MB) ⠹ 3s" on stderr while work of unknown length runs, redrawn a
/// few times a second; only on a terminal (like `ProgressBar`), cleared with spaces when done.
final class Spinner: @unchecked Sendable {
    private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    private let label: String
    private let timer: DispatchSourceTimer?
    private let lock = NSLock()
    private var frame = 0
    private var width = 0
    private let start = Date()

    init(_ label: String, enabled: Bool = Terminal.stderrIsTTY) {
        self.label = label
        timer = enabled ? DispatchSource.makeTimerSource(queue: .global()) : nil
        timer?.schedule(deadline: .now(), repeating: .milliseconds(150))
        timer?.setEventHandler { [weak self] in self?.draw() }
        timer?.resume()
    }

    private func draw() {
        lock.withLock {
            let seconds = Int(Date().timeIntervalSince(start))
            let line = "\(label) \(Self.frames[frame % Self.frames.count]) \(seconds)s"
            frame += 1
            width = max(width, Terminal.displayWidth(line))
            FileHandle.standardError.write(Data(("\r" + line).utf8))
        }
    }

    /// Stops and clears the line.
    func stop() {
        guard let timer else { return }
        timer.cancel()
        lock.withLock {
            guard width > 0 else { return }
            FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: width) + "\r").utf8))
            width = 0
        }
    }
}
