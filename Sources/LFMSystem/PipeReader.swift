import Glibc
import Foundation

/// Drains one pipe on a dedicated thread with blocking `read(2)` until end-of-file.
///
/// Not `FileHandle.readabilityHandler`: on Linux it sometimes never reports end-of-file.
/// Each stream gets its own thread so a child filling one pipe never stalls the other.
/// The reader owns `fd` and closes it when done.
final class PipeReader: @unchecked Sendable {
    enum Sink {
        /// Split into lines and hand each to the closure as soon as it is complete.
        case lines(OutputLine.Stream, @Sendable (OutputLine) -> Void)
        /// Keep every byte (for `capture`).
        case collect
    }

    private let fd: Int32
    private let sink: Sink
    private let finished = DispatchGroup()
    /// Monotonic deadline (nanoseconds) after which the reader gives up, or 0 for none.
    private let giveUpAt = Locked<UInt64>(0)
    private var collected: [UInt8] = []

    init(fd: Int32, sink: Sink) {
        self.fd = fd
        self.sink = sink
    }

    func start() {
        finished.enter()
        let thread = Thread { [self] in
            self.loop()
            self.finished.leave()
        }
        thread.name = "lfm-pipe-reader"
        thread.stackSize = 512 * 1024
        thread.start()
    }

    /// After `timeout` from now, stop even without end-of-file (a process outside the child's
    /// group may still hold the pipe's write end).
    func giveUp(after timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        let nanos = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        giveUpAt.withLock { $0 = DispatchTime.now().uptimeNanoseconds + nanos }
    }

    /// Waits (without blocking a cooperative thread) until the reader has finished.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) { continuation.resume() }
        }
    }

    /// The bytes read in `.collect` mode; valid after `wait()`.
    var bytes: [UInt8] { collected }

    private func loop() {
        var splitter = LineSplitter()
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer {
            buffer.deallocate()
            close(fd)
        }
        while true {
            let deadline = giveUpAt.withLock { $0 }
            if deadline != 0, DispatchTime.now().uptimeNanoseconds >= deadline { break }
            // Wait for data, waking every 100 ms to notice a give-up deadline set meanwhile.
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready == 0 { continue }
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            let count = read(fd, buffer, bufferSize)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                break
            }
            let chunk = UnsafeRawBufferPointer(start: buffer, count: count)
            switch sink {
            case .collect:
                collected.append(contentsOf: chunk)
            case .lines(let stream, let deliver):
                splitter.feed(chunk) { text, terminator in
                    deliver(OutputLine(stream: stream, text: text, terminator: terminator))
                }
            }
        }
        if case .lines(let stream, let deliver) = sink {
            splitter.finish { text, terminator in
                deliver(OutputLine(stream: stream, text: text, terminator: terminator))
            }
        }
    }
}
