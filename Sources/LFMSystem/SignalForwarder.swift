import Glibc
import Foundation

/// Forwards the signals lfm receives to the process groups of the children it runs.
///
/// Foundation starts each child in its own process group, so a terminal's Ctrl-C reaches only
/// lfm; this class passes it on to the child's whole group (torchrun workers included).
///
/// Policy, per run (each `ForwardedRun` counts separately, so a second child starts afresh):
/// - 1st SIGINT → SIGINT to the group (Python raises KeyboardInterrupt, training can save);
/// - 2nd SIGINT → SIGTERM to the group;
/// - 3rd and later SIGINT → SIGKILL to the group.
/// - SIGTERM and SIGHUP are forwarded unchanged.
/// A signal arriving while no run is active goes to `idleHandler`; the default for the
/// installed forwarder restores the default action and re-raises it, so lfm dies as if it
/// had no handler (exit status 128 + signal in the shell).
///
/// Handlers are installed once per process (`installSignalHandlers()`): `signal(sig, SIG_IGN)`
/// followed by a `DispatchSourceSignal`. Re-installing per child breaks Ctrl-C. Tests create
/// their own instance and call `forward(_:)` directly instead of signalling the test process.
public final class SignalForwarder: @unchecked Sendable {
    /// The process-wide forwarder that OS signals are routed to once installed.
    public static let shared = SignalForwarder()
    public static let defaultSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private struct State {
        var runs: [UInt64: ForwardedRun] = [:]
        var nextID: UInt64 = 1
        var received: [Int32] = []
        var interruptedRuns = 0
        var firstInterruption: Int32?
    }

    private let state = Locked(State())
    private let idleHandler: (@Sendable (Int32) -> Void)?

    /// - Parameter idleHandler: called for a signal that arrives while no child runs; `nil`
    ///   re-raises it with the default action if this is the installed forwarder, and does
    ///   nothing otherwise.
    public init(idleHandler: (@Sendable (Int32) -> Void)? = nil) {
        self.idleHandler = idleHandler
    }

    // MARK: Installation (once per process)

    private static let installation = Locked<(forwarder: SignalForwarder, sources: [DispatchSourceSignal])?>(nil)

    /// Routes `signals` received by this process to this forwarder. Idempotent; only the first
    /// call in a process installs anything. Returns false if a different forwarder was
    /// installed before (signals keep going there).
    @discardableResult
    public func installSignalHandlers(signals: [Int32] = SignalForwarder.defaultSignals) -> Bool {
        Self.installation.withLock { installed in
            if let installed { return installed.forwarder === self }
            var sources: [DispatchSourceSignal] = []
            let queue = DispatchQueue(label: "lfm.signals")
            for sig in signals {
                // Ignore first so the default action cannot kill lfm; libdispatch then routes
                // the signal to the source. (Order matters: the source must come second.)
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { [weak self] in self?.forward(sig) }
                source.resume()
                sources.append(source)
            }
            installed = (self, sources)
            return true
        }
    }

    /// Whether this forwarder receives the process's signals.
    public var isInstalled: Bool {
        Self.installation.withLock { $0?.forwarder === self }
    }

    // MARK: Forwarding

    /// Handles one received signal: forwards it (escalated per the policy) to every active
    /// run's process group. The installed signal sources call this; tests call it directly.
    public func forward(_ sig: Int32) {
        let active: [ForwardedRun] = state.withLock { state in
            state.received.append(sig)
            return Array(state.runs.values)
        }
        if active.isEmpty {
            if let idleHandler {
                idleHandler(sig)
            } else if isInstalled {
                Self.dieOfSignal(sig)
            }
            return
        }
        for run in active { run.receive(sig) }
    }

    /// Ends lfm as if `sig` had its default action: restore it, unblock it on this thread
    /// (libdispatch threads block signals) and raise it here; `_exit(128 + sig)` as a fallback.
    static func dieOfSignal(_ sig: Int32) -> Never {
        signal(sig, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, sig)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(sig)
        _exit(128 + sig)
    }

    /// Every signal handed to `forward(_:)` so far, in order.
    public var receivedSignals: [Int32] { state.withLock { $0.received } }

    /// True once any run has been interrupted by a forwarded signal (the caller should then
    /// exit 130 for SIGINT, or 128 + signal).
    public var wasInterrupted: Bool { state.withLock { $0.interruptedRuns > 0 } }

    /// Registers a run about to start. Signals received before `attach(processGroup:)` are
    /// kept and delivered on attach, so a Ctrl-C during launch is not lost.
    public func beginRun() -> ForwardedRun {
        state.withLock { state in
            let run = ForwardedRun(id: state.nextID, forwarder: self)
            state.nextID += 1
            state.runs[run.id] = run
            return run
        }
    }

    /// The exit status lfm should use after an interrupted run: 128 + the first signal
    /// received during any run (130 for Ctrl-C); `nil` if no run was interrupted.
    public var interruptionExitCode: Int32? {
        state.withLock { $0.firstInterruption.map { 128 + $0 } }
    }

    fileprivate func end(_ run: ForwardedRun, interruption: Int32?) {
        state.withLock { state in
            if state.runs.removeValue(forKey: run.id) != nil, let interruption {
                state.interruptedRuns += 1
                if state.firstInterruption == nil { state.firstInterruption = interruption }
            }
        }
    }
}

/// One child run registered with a `SignalForwarder`.
public final class ForwardedRun: @unchecked Sendable {
    private struct State {
        var processGroup: pid_t?
        var pending: [Int32] = []
        var received: [Int32] = []
        var sent: [Int32] = []
        var interruptCount = 0
        var ended = false
    }

    let id: UInt64
    private weak var forwarder: SignalForwarder?
    private let state = Locked(State())

    fileprivate init(id: UInt64, forwarder: SignalForwarder) {
        self.id = id
        self.forwarder = forwarder
    }

    /// The signal actually sent for the `count`-th SIGINT of a run (1-based).
    public static func escalatedSignal(forInterrupt count: Int) -> Int32 {
        switch count {
        case ...1: return SIGINT
        case 2: return SIGTERM
        default: return SIGKILL
        }
    }

    /// Starts forwarding to `pgid`, delivering any signals received meanwhile.
    public func attach(processGroup pgid: pid_t) {
        let pending: [Int32] = state.withLock { state in
            state.processGroup = pgid
            defer { state.pending = [] }
            return state.pending
        }
        for sig in pending { send(sig, to: pgid) }
    }

    func receive(_ sig: Int32) {
        let target: (pid_t, Int32)? = state.withLock { state in
            guard !state.ended else { return nil }
            state.received.append(sig)
            var outgoing = sig
            if sig == SIGINT {
                state.interruptCount += 1
                outgoing = Self.escalatedSignal(forInterrupt: state.interruptCount)
            }
            guard let pgid = state.processGroup else {
                state.pending.append(outgoing)
                return nil
            }
            return (pgid, outgoing)
        }
        if let (pgid, outgoing) = target { send(outgoing, to: pgid) }
    }

    private func send(_ sig: Int32, to pgid: pid_t) {
        // kill(-0) would signal lfm's own group and kill(-1) every process we may signal.
        guard pgid > 1 else { return }
        state.withLock { $0.sent.append(sig) }
        kill(-pgid, sig)
    }

    /// Signals received by lfm during this run, in order.
    public var receivedSignals: [Int32] { state.withLock { $0.received } }
    /// Signals sent to the child's group (after escalation), in order.
    public var sentSignals: [Int32] { state.withLock { $0.sent } }
    /// The first signal received during the run, if any: the run was interrupted.
    public var interruption: Int32? { state.withLock { $0.received.first } }

    /// Stops forwarding to this run; call once the child and its group are gone.
    public func end() {
        let interruption: Int32? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            return state.received.first
        }
        forwarder?.end(self, interruption: interruption)
    }
}
