import Glibc
import Foundation

/// One child of `FoundationProcessRunner`, from launch (`init`) to its reaped end (`wait`).
final class FoundationRunningProcess: RunningProcess, @unchecked Sendable {
    /// Where the child's standard input comes from.
    enum Input {
        /// `spec.standardInput` (`/dev/null` or a file).
        case spec
        /// A pipe fed by a `PipeWriter`.
        case pipe
    }

    let pid: pid_t
    /// The child's process group, when Foundation made it a group leader.
    private let groupID: pid_t?
    private let options: FoundationProcessRunner
    private let process: Process
    private let exit: OneShot<ProcessOutcome>
    private let finished = OneShot<ProcessOutcome>()
    private let finishing = Locked(false)
    private let outReader: PipeReader
    private let errReader: PipeReader
    private let writer: PipeWriter?
    private let forwarded: ForwardedRun?

    /// Launches `spec`.
    /// - Throws: `ProcessRunnerError` when it cannot be started.
    init(
        _ spec: ProcessSpec, options: FoundationProcessRunner, input: Input,
        stdout: PipeReader.Sink, stderr: PipeReader.Sink, onStart: (@Sendable (pid_t) -> Void)?,
        busyRetries: Int = 0
    ) throws {
        self.options = options
        let executable = try spec.resolvedExecutable()
        if let directory = spec.workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
                isDirectory.boolValue
            else { throw ProcessRunnerError.workingDirectoryNotFound(path: directory.path) }
        }

        // The child's end of stdin, and ours when it is a pipe.
        let inputFD: Int32
        var inputWriteFD: Int32?
        switch (input, spec.standardInput) {
        case (.pipe, _):
            let pipe = try Self.makePipe()
            inputFD = pipe.read
            inputWriteFD = pipe.write
        case (.spec, .nullDevice), (.spec, .file):
            let path: String
            if case .file(let url) = spec.standardInput { path = url.path } else { path = "/dev/null" }
            inputFD = open(path, O_RDONLY | O_CLOEXEC)
            guard inputFD >= 0 else {
                throw ProcessRunnerError.cannotOpenInput(path: path, errno: errno)
            }
        }
        var opened = [inputFD] + (inputWriteFD.map { [$0] } ?? [])
        let outPipe: (read: Int32, write: Int32)
        let errPipe: (read: Int32, write: Int32)
        do {
            outPipe = try Self.makePipe()
            opened += [outPipe.read, outPipe.write]
            errPipe = try Self.makePipe()
        } catch {
            for fd in opened { close(fd) }
            throw error
        }

        let exit = OneShot<ProcessOutcome>()
        self.exit = exit
        let makeProcess = {
            let process = Process()
            process.executableURL = executable
            process.arguments = spec.arguments
            process.environment = spec.environment
            if let directory = spec.workingDirectory { process.currentDirectoryURL = directory }
            process.standardInput = FileHandle(fileDescriptor: inputFD, closeOnDealloc: false)
            process.standardOutput = FileHandle(fileDescriptor: outPipe.write, closeOnDealloc: false)
            process.standardError = FileHandle(fileDescriptor: errPipe.write, closeOnDealloc: false)
            process.terminationHandler = { finished in
                let status = finished.terminationStatus
                exit.set(finished.terminationReason == .uncaughtSignal ? .signaled(status) : .exited(status))
            }
            return process
        }

        outReader = PipeReader(fd: outPipe.read, sink: stdout)
        errReader = PipeReader(fd: errPipe.read, sink: stderr)
        outReader.start()
        errReader.start()
        let forwarded = options.signalForwarder?.beginRun()
        self.forwarded = forwarded

        var launched: Process?
        var attempt = 0
        while launched == nil {
            let process = makeProcess()
            do {
                try ProcessSystem.withEmptySignalMask { try process.run() }
                launched = process
            } catch where Self.posixCode(of: error) == ETXTBSY && attempt < busyRetries {
                attempt += 1
                usleep(Self.busyDelay(attempt: attempt))
            } catch {
                // The readers see end-of-file once these are closed, and close their own ends.
                for fd in [inputFD, outPipe.write, errPipe.write] + (inputWriteFD.map { [$0] } ?? []) {
                    close(fd)
                }
                forwarded?.end()
                if Self.posixCode(of: error) == ETXTBSY {
                    throw ProcessRunnerError.executableBusy(path: executable.path)
                }
                throw ProcessRunnerError.launchFailed(path: executable.path, reason: Self.describe(error))
            }
        }
        let process = launched!
        self.process = process
        // The child has its own copies; ours must go so the readers see end-of-file.
        for fd in [inputFD, outPipe.write, errPipe.write] { close(fd) }
        if let inputWriteFD {
            let writer = PipeWriter(fd: inputWriteFD)
            writer.start()
            self.writer = writer
        } else {
            self.writer = nil
        }

        let pid = process.processIdentifier
        self.pid = pid
        // Foundation makes the child a process group leader; signal the group only if so.
        let groupID: pid_t? = getpgid(pid) == pid ? pid : nil
        self.groupID = groupID
        forwarded?.attach(processGroup: groupID ?? pid)
        onStart?(pid)

        // Learn of the exit from waitid(WNOWAIT) too (see ProcessSystem.waitForTermination):
        // whichever reports first wins.
        let cleanLeftovers = options.terminatesLeftoverGroup
        let grace = options.orphanGracePeriod
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
    }

    deinit {
        // Never waited for: still let the writer thread end.
        writer?.close()
    }

    /// The bytes read in `.collect` mode; valid after `wait()`.
    var stdoutBytes: [UInt8] { outReader.bytes }
    var stderrBytes: [UInt8] { errReader.bytes }

    func send(_ bytes: [UInt8]) {
        guard let writer else { return }
        writer.send(bytes)
    }

    func write(_ bytes: [UInt8]) async throws {
        guard let writer else {
            throw ProcessRunnerError.inputClosed(reason: "the child's standard input is not a pipe")
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writer.send(bytes) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
    }

    func closeInput() { writer?.close() }

    func terminate() {
        guard !exit.isSet else { return }
        let target = groupID.map { -$0 } ?? pid
        kill(target, SIGTERM)
        let exit = self.exit
        let grace = options.orphanGracePeriod
        Task.detached {
            try? await Task.sleep(for: grace)
            if !exit.isSet { kill(target, SIGKILL) }
        }
    }

    func wait() async -> ProcessOutcome {
        let first = finishing.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return await finished.wait() }
        let outcome = await withTaskCancellationHandler {
            await exit.wait()
        } onCancel: {
            // Cancelled: SIGTERM to the group now, SIGKILL if it has not exited after the grace.
            self.terminate()
        }
        // Nothing more reaches the child: let the writer close its end.
        writer?.close()
        if let groupID, options.terminatesLeftoverGroup || Task.isCancelled {
            // Unstructured, so a cancelled caller does not cut the grace sleeps short.
            let grace = Task.isCancelled ? .milliseconds(200) : options.orphanGracePeriod
            _ = await Task.detached {
                await ProcessSystem.terminateProcessGroup(groupID, grace: grace)
            }.value
        }
        forwarded?.end()
        outReader.giveUp(after: options.outputDrainTimeout)
        errReader.giveUp(after: options.outputDrainTimeout)
        await outReader.wait()
        await errReader.wait()
        finished.set(outcome)
        return outcome
    }

    /// How often a launch that failed with ETXTBSY is retried: about 1 s of waits in all.
    ///
    /// `execve` fails so while any process holds the file open for writing. That happens for a
    /// moment when another thread forks while the file is being written (its child holds the
    /// descriptor until it execs), so a short wait is all it takes.
    static let busyRetries = 8

    /// The wait before retry `attempt` (1-based), in microseconds: 4 ms doubling to 512 ms.
    static func busyDelay(attempt: Int) -> UInt32 { UInt32(2_000 << attempt) }

    /// The POSIX error code under a Foundation launch error, if any.
    static func posixCode(of error: Error) -> Int32? {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return Int32(nsError.code) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return Int32(underlying.code)
        }
        return nil
    }

    /// "Permission denied" rather than Foundation's `Error Domain=NSCocoaErrorDomain Code=256 "(null)"…`.
    static func describe(_ error: Error) -> String {
        if let code = posixCode(of: error) { return String(cString: strerror(code)) }
        return "\(error)"
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        // pipe2 sets close-on-exec atomically: no other thread's spawn can inherit the fds.
        let result = lfm_pipe2(&fds, O_CLOEXEC)
        guard result == 0 else { throw ProcessRunnerError.pipeFailed(errno: errno) }
        return (fds[0], fds[1])
    }
}

/// glibc's `pipe2(2)`, which Glibc's module map hides behind `_GNU_SOURCE`.
@_silgen_name("pipe2")
private func lfm_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
