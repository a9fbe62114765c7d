#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The real `ProcessRunner`, on Foundation's `Process`.
///
/// Per run: the child gets `/dev/null` (or the spec's file) as stdin and two pipes created
/// with `O_CLOEXEC` (so concurrent runs never leak each other's write ends, which would
/// delay end-of-file); `Process.run()` is called with an empty signal mask; one thread per
/// pipe reads until end-of-file. When the child exits, any members left in its process group
/// (e.g. torchrun workers) get SIGTERM, then SIGKILL after `orphanGracePeriod`. Cancelling
/// the calling task sends SIGTERM to the whole group at once (SIGKILL after the grace period)
/// and returns the outcome as usual.
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

    public func run(_ spec: ProcessSpec, onLine: @escaping @Sendable (OutputLine) -> Void)
        async throws -> ProcessOutcome
    {
        try await run(spec, onStart: { _ in }, onLine: onLine)
    }

    public func capture(_ spec: ProcessSpec) async throws -> CapturedOutput {
        let (outcome, out, err) = try await execute(spec, stdout: .collect, stderr: .collect)
        return CapturedOutput(
            status: outcome, stdout: String(decoding: out.bytes, as: UTF8.self),
            stderr: String(decoding: err.bytes, as: UTF8.self))
    }

    /// Like `run`, and also hands the child's pid (which is its process group id) to
    /// `onStart` right after launch (the first lines may reach `onLine` before that).
    public func run(
        _ spec: ProcessSpec, onStart: @escaping @Sendable (pid_t) -> Void,
        onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> ProcessOutcome {
        let gate = NSLock()
        let serialized: @Sendable (OutputLine) -> Void = { line in
            gate.lock()
            defer { gate.unlock() }
            onLine(line)
        }
        return try await execute(
            spec, stdout: .lines(.stdout, serialized), stderr: .lines(.stderr, serialized),
            onStart: onStart
        ).outcome
    }

    // MARK: Implementation

    private func execute(
        _ spec: ProcessSpec, stdout: PipeReader.Sink, stderr: PipeReader.Sink,
        onStart: (@Sendable (pid_t) -> Void)? = nil
    ) async throws -> (outcome: ProcessOutcome, stdout: PipeReader, stderr: PipeReader) {
        let executable = try spec.resolvedExecutable()
        if let directory = spec.workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
                isDirectory.boolValue
            else { throw ProcessRunnerError.workingDirectoryNotFound(path: directory.path) }
        }

        let inputPath: String
        switch spec.standardInput {
        case .nullDevice: inputPath = "/dev/null"
        case .file(let url): inputPath = url.path
        }
        let inputFD = open(inputPath, O_RDONLY | O_CLOEXEC)
        guard inputFD >= 0 else {
            throw ProcessRunnerError.cannotOpenInput(path: inputPath, errno: errno)
        }
        let outPipe: (read: Int32, write: Int32)
        let errPipe: (read: Int32, write: Int32)
        do {
            outPipe = try Self.makePipe()
            do { errPipe = try Self.makePipe() } catch {
                close(outPipe.read)
                close(outPipe.write)
                throw error
            }
        } catch {
            close(inputFD)
            throw error
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = spec.arguments
        process.environment = spec.environment
        if let directory = spec.workingDirectory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle(fileDescriptor: inputFD, closeOnDealloc: false)
        process.standardOutput = FileHandle(fileDescriptor: outPipe.write, closeOnDealloc: false)
        process.standardError = FileHandle(fileDescriptor: errPipe.write, closeOnDealloc: false)
        let exit = OneShot<ProcessOutcome>()
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            exit.set(finished.terminationReason == .uncaughtSignal ? .signaled(status) : .exited(status))
        }

        let outReader = PipeReader(fd: outPipe.read, sink: stdout)
        let errReader = PipeReader(fd: errPipe.read, sink: stderr)
        outReader.start()
        errReader.start()
        let forwarded = signalForwarder?.beginRun()

        do {
            try ProcessSystem.withEmptySignalMask { try process.run() }
        } catch {
            for fd in [inputFD, outPipe.write, errPipe.write] { close(fd) }
            forwarded?.end()
            await outReader.wait()
            await errReader.wait()
            throw ProcessRunnerError.launchFailed(path: executable.path, reason: "\(error)")
        }
        // The child has its own copies; ours must go so the readers see end-of-file.
        for fd in [inputFD, outPipe.write, errPipe.write] { close(fd) }

        let pid = process.processIdentifier
        // Foundation makes the child a process group leader; signal the group only if so.
        let groupID: pid_t? = getpgid(pid) == pid ? pid : nil
        forwarded?.attach(processGroup: groupID ?? pid)
        onStart?(pid)

        // Learn of the exit from waitid(WNOWAIT) too (see ProcessSystem.waitForTermination):
        // whichever reports first wins.
        let cleanLeftovers = terminatesLeftoverGroup
        let grace = orphanGracePeriod
        let watcher = Thread {
            if let outcome = ProcessSystem.waitForTermination(of: pid) {
                exit.set(outcome)
            } else if let groupID, cleanLeftovers {
                // Foundation reaped the child first (waitid: ECHILD) and reports the exit only once
                // every process holding its exit socket has ended: end the group's leftovers
                // (backgrounded jobs, torchrun workers) so that it can.
                Task.detached { await ProcessSystem.terminateProcessGroup(groupID, grace: grace) }
            }
        }
        watcher.name = "lfm-exit-watcher"
        watcher.stackSize = 256 * 1024
        watcher.start()

        let outcome = await withTaskCancellationHandler {
            await exit.wait()
        } onCancel: { [orphanGracePeriod] in
            // Cancelled: SIGTERM to the group now, SIGKILL if it has not exited after the grace.
            guard !exit.isSet else { return }
            let target = groupID.map { -$0 } ?? pid
            kill(target, SIGTERM)
            Task.detached {
                try? await Task.sleep(for: orphanGracePeriod)
                if !exit.isSet { kill(target, SIGKILL) }
            }
        }

        if let groupID, terminatesLeftoverGroup || Task.isCancelled {
            // Unstructured, so a cancelled caller does not cut the grace sleeps short.
            let grace = Task.isCancelled ? .milliseconds(200) : orphanGracePeriod
            _ = await Task.detached {
                await ProcessSystem.terminateProcessGroup(groupID, grace: grace)
            }.value
        }
        forwarded?.end()
        outReader.giveUp(after: outputDrainTimeout)
        errReader.giveUp(after: outputDrainTimeout)
        await outReader.wait()
        await errReader.wait()
        return (outcome, outReader, errReader)
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        #if os(Linux)
        // pipe2 sets close-on-exec atomically: no other thread's spawn can inherit the fds.
        let result = lfm_pipe2(&fds, O_CLOEXEC)
        #else
        let result = pipe(&fds)
        if result == 0 { for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        #endif
        guard result == 0 else { throw ProcessRunnerError.pipeFailed(errno: errno) }
        return (fds[0], fds[1])
    }
}

#if os(Linux)
/// glibc's `pipe2(2)`, which Glibc's module map hides behind `_GNU_SOURCE`.
@_silgen_name("pipe2")
private func lfm_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
#endif
