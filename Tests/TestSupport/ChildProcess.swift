import Foundation
import Glibc
import LFMSystem

/// A helper child's whole output (python3 and the like, run by tests).
public struct ChildOutput: Sendable {
    /// The exit status, or 128 + the signal that ended it.
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// stdout, then stderr.
    public var output: String { stdout + stderr }
}

/// Runs `executable` through lfm's own `FoundationProcessRunner`: awaited without blocking a
/// thread of Swift Testing's pool, stdout and stderr read concurrently (a child that fills one
/// pipe never deadlocks), a freshly written executable retried while busy (ETXTBSY).
public func runChild(
    _ executable: String, _ arguments: [String],
    environment: [String: String] = ProcessInfo.processInfo.environment
) async throws -> ChildOutput {
    let spec = ProcessSpec(path: executable, arguments: arguments, environment: environment)
    let captured = try await FoundationProcessRunner().capture(spec)
    return ChildOutput(status: captured.status.exitCode, stdout: captured.stdout, stderr: captured.stderr)
}

/// The synchronous form, only for what must be known at static initialisation (`.enabled(if:)`
/// conditions, a path used by synchronous helpers): both pipes are read to their end at the same
/// time (stderr on a thread of its own), so a chatty child cannot block on a full pipe. nil when
/// the child cannot be started.
public func runChildSync(
    _ executable: String, _ arguments: [String],
    environment: [String: String] = ProcessInfo.processInfo.environment
) -> ChildOutput? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    // With an empty signal mask, as lfm's runner does: a pool or dispatch thread blocks SIGINT and
    // SIGTERM, and the child would inherit that (a `kill -TERM` would then never reach it).
    var empty = sigset_t(), saved = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &saved)
    let started = (try? process.run()) != nil
    pthread_sigmask(SIG_SETMASK, &saved, nil)
    guard started else { return nil }
    let stderrBox = Locked(Data())
    let stderrDone = DispatchSemaphore(value: 0)
    Thread {
        let data = err.fileHandleForReading.readDataToEndOfFile()
        stderrBox.withLock { $0 = data }
        stderrDone.signal()
    }.start()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    stderrDone.wait()
    process.waitUntilExit()
    let stderr = stderrBox.withLock { $0 }
    let status = process.terminationReason == .uncaughtSignal
        ? 128 + process.terminationStatus : process.terminationStatus
    return ChildOutput(status: status, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
}
