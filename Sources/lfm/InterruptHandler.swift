import Foundation

/// Runs `action` on Ctrl-C (SIGINT) or SIGTERM instead of dying, so work in flight can be saved.
/// The signals always end lfm: a second one exits at once, and if the work has not stopped
/// `grace` seconds after the first, lfm exits anyway (130), saying so.
final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var _fired = false
    private var count = 0
    private var stopped = false
    var fired: Bool { lock.withLock { _fired } }

    init(grace: Double = 10, _ action: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let count = self.lock.withLock { self._fired = true; self.count += 1; return self.count }
                if count > 1 { Self.forceExit("interrupted again: stopping now") }
                action()
                DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
                    if !self.lock.withLock({ self.stopped }) {
                        Self.forceExit("interrupted: work in flight did not stop within \(Int(grace)) s; stopping now")
                    }
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Ends the process with 130 without waiting for anything (no locks, no async work).
    private static func forceExit(_ message: String) -> Never {
        let line = Array((message + "\n").utf8)
        line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        _exit(130)
    }

    func stop() {
        lock.withLock { stopped = true }  // the work is over: no forced exit after this
        for source in sources { source.cancel() }
        for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) }
    }
}
