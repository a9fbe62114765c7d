import Foundation
import Glibc

/// Undo actions for work in flight (temporary copies, a data file placed before its registry
/// entry), run when SIGINT, SIGTERM or SIGHUP ends lfm, so that an interrupted command leaves the
/// files as they were.
///
/// `install()` routes those signals here (once per process; commands that forward signals to a
/// child use `SignalForwarder` instead). On a signal the actions run newest first and lfm exits
/// with 128 + the signal number (130 for Ctrl-C). `critical` runs a commit step (the rename of
/// the registry) so that a signal waits for it: the actions then see a consistent state.
public enum InterruptCleanup {
    public struct Token: Hashable, Sendable { let id: UInt64 }

    private struct State {
        var actions: [(id: UInt64, action: @Sendable () -> Void)] = []
        var nextID: UInt64 = 1
    }

    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var state = State()
    private static let sources = Locked<[DispatchSourceSignal]>([])

    /// Routes SIGINT, SIGTERM and SIGHUP to the cleanup actions. Idempotent.
    public static func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            let queue = DispatchQueue(label: "lfm.cleanup.signals")
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { runAndExit(signal: sig) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Registers `action` to run if a signal ends lfm; remove it once the work is committed.
    @discardableResult
    public static func add(_ action: @escaping @Sendable () -> Void) -> Token {
        lock.lock()
        defer { lock.unlock() }
        let id = state.nextID
        state.nextID += 1
        state.actions.append((id, action))
        return Token(id: id)
    }

    public static func remove(_ token: Token?) {
        guard let token else { return }
        lock.lock()
        defer { lock.unlock() }
        state.actions.removeAll { $0.id == token.id }
    }

    /// Runs `body` so that no cleanup action runs while it does.
    public static func critical<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The pending actions, for tests.
    public static var pendingCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return state.actions.count
    }

    /// Runs every pending action (newest first) and ends the process with 128 + `signal`.
    /// The lock is kept: no commit step can start afterwards.
    static func runAndExit(signal sig: Int32) -> Never {
        lock.lock()
        for (_, action) in state.actions.reversed() { action() }
        state.actions.removeAll()
        _exit(128 + sig)
    }
}
