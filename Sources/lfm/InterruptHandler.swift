import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `action` on Ctrl-C (SIGINT) or SIGTERM instead of dying, so work in flight can be saved.
/// The signals always end lfm: a second one exits at once (130), and if the work has not stopped
/// `grace` seconds after the first, lfm exits anyway (130), saying so.
///
/// Off the dispatch pool on purpose: a plain `sigaction` handler (it only writes a byte to a pipe,
/// or exits on a second signal) and a thread of its own that waits on the pipe. A dispatch signal
/// source needs a free pool thread to run its handler; when every pool thread was blocked, Ctrl-C
/// and SIGTERM went unanswered.
final class InterruptHandler: @unchecked Sendable {
    private let lock = NSLock()
    private var _fired = false
    private var stopped = false
    var fired: Bool { lock.withLock { _fired } }

    init(grace: Double = 10, _ action: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        interruptWriteFD = fds[1]
        interruptCount = 0
        var handler = sigaction()
        handler.__sigaction_handler.sa_handler = onInterruptSignal
        sigemptyset(&handler.sa_mask)
        handler.sa_flags = 0
        for sig in [SIGINT, SIGTERM] { sigaction(sig, &handler, nil) }
        let readFD = fds[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while read(readFD, &byte, 1) < 0 && errno == EINTR {}
            lock.withLock { _fired = true }
            action()
            Thread.sleep(forTimeInterval: grace)
            if !lock.withLock({ stopped }) {
                let message: StaticString = "interrupted: work in flight did not stop in time; stopping now\n"
                _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
                _exit(130)
            }
        }
        thread.name = "lfm-interrupt"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    func stop() {
        lock.withLock { stopped = true }  // the work is over: no forced exit after this
        for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) }
    }
}

/// Set before the handler is installed; read only by it.
nonisolated(unsafe) private var interruptWriteFD: Int32 = -1
nonisolated(unsafe) private var interruptCount: Int32 = 0

/// Async-signal-safe: a counter, write(2) and _exit(2) only.
private func onInterruptSignal(_ signal: Int32) {
    interruptCount += 1
    if interruptCount > 1 {
        let message: StaticString = "interrupted again: stopping now\n"
        _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
        _exit(130)
    }
    var byte: UInt8 = 1
    _ = write(interruptWriteFD, &byte, 1)
}
