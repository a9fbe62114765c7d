import Foundation

/// The exit of a Foundation `Process`, awaited without blocking a thread: the termination handler
/// resumes the waiters. Tests must never call `waitUntilExit()` (or read a pipe to its end) on
/// Swift Testing's small cooperative pool - on a loaded two-core machine that starves every other
/// test's child I/O. Create it before `run()` (it installs the termination handler).
public final class ProcessExit: @unchecked Sendable {
    private let lock = NSLock()
    private var exited = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(_ process: Process) {
        process.terminationHandler = { [self] _ in
            let ready: [CheckedContinuation<Void, Never>] = lock.withLock {
                exited = true
                defer { waiters = [] }
                return waiters
            }
            for waiter in ready { waiter.resume() }
        }
    }

    public var hasExited: Bool { lock.withLock { exited } }

    /// Returns once the process has exited (at once if it already has).
    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if exited { return true }
                waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

extension Process {
    /// Starts the process and awaits its exit without blocking a thread. Output must go to files
    /// or `FileHandle.nullDevice` (a pipe nobody reads can fill up and block the child).
    public func runToExit() async throws {
        let exit = ProcessExit(self)
        try run()
        await exit.wait()
    }
}

/// Polls `condition` every 5 ms until true; false after `timeout`. The deadline is a bound so that
/// a hang fails the test, not a speed target: keep it generous.
public func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Runs `body` on a thread of its own and awaits its result: for library calls that block (a
/// child's start-up or exit, a pipe read) so that they do not hold one of the few threads of
/// Swift Testing's cooperative pool. Assert on the result afterwards, on the test's own task.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}
