import Glibc
import Foundation

/// The real `ProcessRunner`, on Foundation's `Process`.
///
/// Per run: the child gets `/dev/null` (or the spec's file, or with `start` a pipe lfm writes
/// from a dedicated thread) as stdin and two pipes created with `O_CLOEXEC` (so concurrent runs
/// never leak each other's write ends, which would delay end-of-file); `Process.run()` is called
/// with an empty signal mask; one thread per pipe reads until end-of-file. When the child exits,
/// any members left in its process group (e.g. torchrun workers) get SIGTERM, then SIGKILL after
/// `orphanGracePeriod`. Cancelling the calling task sends SIGTERM to the whole group at once
/// (SIGKILL after the grace period) and returns the outcome as usual.
///
/// Not swiftlang/swift-subprocess (1.0.2, SwiftPM fetches it here): it would replace `Process`
/// and the two pipe threads, but not what lfm needs around them (process-group cleanup after the
/// exit, signal forwarding to the group, an exit noticed while grandchildren hold the pipes, the
/// drain deadline, `Detacher`, `CleanSpawn`), and it brings swift-system and tools 6.2 with it.
public struct FoundationProcessRunner: ProcessRunner {
    /// Receives lfm's signals while a child runs; `nil` forwards nothing.
    public var signalForwarder: SignalForwarder?
    /// How long leftover group members get between SIGTERM and SIGKILL.
    public var orphanGracePeriod: Duration
    /// How long to keep reading after the group is gone, for a process outside the group
    /// that still holds the pipes; then the output is cut.
    public var outputDrainTimeout: Duration
    /// Whether members left in the child's process group are terminated after it exits
    /// (off only for launchers whose children detach themselves, like `Detacher`).
    public var terminatesLeftoverGroup: Bool

    public init(
        signalForwarder: SignalForwarder? = nil,
        orphanGracePeriod: Duration = .seconds(3),
        outputDrainTimeout: Duration = .seconds(2),
        terminatesLeftoverGroup: Bool = true
    ) {
        self.signalForwarder = signalForwarder
        self.orphanGracePeriod = orphanGracePeriod
        self.outputDrainTimeout = outputDrainTimeout
        self.terminatesLeftoverGroup = terminatesLeftoverGroup
    }

    public func run(
        _ spec: ProcessSpec, onStart: @escaping @Sendable (pid_t) -> Void,
        onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> ProcessOutcome {
        let serialized = Self.serialize(onLine)
        let child = try await launch {
            try FoundationRunningProcess(
                spec, options: self, input: .spec, stdout: .lines(.stdout, serialized),
                stderr: .lines(.stderr, serialized), onStart: onStart)
        }
        return await child.wait()
    }

    public func capture(_ spec: ProcessSpec) async throws -> CapturedOutput {
        let child = try await launch {
            try FoundationRunningProcess(
                spec, options: self, input: .spec, stdout: .collect, stderr: .collect, onStart: nil)
        }
        let outcome = await child.wait()
        return CapturedOutput(
            status: outcome, stdout: String(decoding: child.stdoutBytes, as: UTF8.self),
            stderr: String(decoding: child.stderrBytes, as: UTF8.self))
    }

    public func start(_ spec: ProcessSpec, onLine: @escaping @Sendable (OutputLine) -> Void) throws
        -> any RunningProcess
    {
        let serialized = Self.serialize(onLine)
        return try FoundationRunningProcess(
            spec, options: self, input: .pipe, stdout: .lines(.stdout, serialized),
            stderr: .lines(.stderr, serialized), onStart: nil,
            busyRetries: FoundationRunningProcess.busyRetries)
    }

    /// Runs `make`, retrying while the executable is busy (ETXTBSY) without holding a thread.
    private func launch(_ make: () throws -> FoundationRunningProcess) async throws
        -> FoundationRunningProcess
    {
        var attempt = 0
        while true {
            do {
                return try make()
            } catch ProcessRunnerError.executableBusy where attempt < FoundationRunningProcess.busyRetries {
                attempt += 1
                try await Task.sleep(for: .microseconds(FoundationRunningProcess.busyDelay(attempt: attempt)))
            }
        }
    }

    /// `onLine` behind a lock: the two reader threads never call it at the same time.
    private static func serialize(_ onLine: @escaping @Sendable (OutputLine) -> Void)
        -> @Sendable (OutputLine) -> Void
    {
        let gate = NSLock()
        return { line in
            gate.lock()
            defer { gate.unlock() }
            onLine(line)
        }
    }
}
