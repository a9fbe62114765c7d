import Glibc
import Foundation

/// Feeds one pipe (a child's standard input) from a dedicated thread with blocking `write(2)`.
///
/// Callers queue bytes and return at once (`send`) or are told once the child has taken them
/// (`write`); the thread writes while `PipeReader`s drain the child's output, so a child that
/// answers while it reads never deadlocks on full pipes. SIGPIPE is blocked on this thread only:
/// a child that closes its stdin or exits turns the next write into `EPIPE` (reported as
/// `ProcessRunnerError.inputClosed`), never into the death of lfm. The writer owns `fd` and
/// closes it after `close()` once the queue is written, or at the first failed write.
final class PipeWriter: @unchecked Sendable {
    private struct Chunk {
        var bytes: [UInt8]
        var done: (@Sendable (ProcessRunnerError?) -> Void)?
    }

    private let fd: Int32
    private let condition = NSCondition()
    private var queue: [Chunk] = []
    private var closeRequested = false
    /// Set after the first failed write: every later chunk fails with it at once.
    private var failure: ProcessRunnerError?

    init(fd: Int32) { self.fd = fd }

    func start() {
        let thread = Thread { [self] in
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            self.loop()
        }
        thread.name = "lfm-pipe-writer"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Queues `bytes`; `done` (if any) is called from the writer thread once they are all
    /// written, or with the error that stopped them.
    func send(_ bytes: [UInt8], done: (@Sendable (ProcessRunnerError?) -> Void)? = nil) {
        condition.lock()
        if let failure {
            condition.unlock()
            done?(failure)
            return
        }
        if closeRequested {
            condition.unlock()
            done?(.inputClosed(reason: "standard input was already closed"))
            return
        }
        queue.append(Chunk(bytes: bytes, done: done))
        condition.signal()
        condition.unlock()
    }

    /// Closes the pipe (end-of-file for the child) once everything queued is written.
    func close() {
        condition.lock()
        closeRequested = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !closeRequested { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let chunk = queue.removeFirst()
            condition.unlock()

            let code = FileDescriptorIO.writeAll(fd, chunk.bytes)
            if code == 0 {
                chunk.done?(nil)
                continue
            }
            let error = ProcessRunnerError.inputClosed(
                reason: code == EPIPE ? "the child closed its standard input" : "write failed (errno \(code))")
            condition.lock()
            failure = error
            let dropped = queue
            queue = []
            condition.unlock()
            chunk.done?(error)
            for other in dropped { other.done?(error) }
            break
        }
        FileDescriptorIO.close(fd)
    }
}
