import Glibc

/// The seam through which lfm runs child processes. Every child lfm starts goes through it
/// (`CleanSpawn` aside: the parent watcher and the interactive chat, which must own the
/// terminal); `FoundationProcessRunner` is the real one.
public protocol ProcessRunner: Sendable {
    /// Runs `spec` to completion, handing the child's pid (its process group id) to `onStart`
    /// right after launch and each output line to `onLine` as soon as the child has written it
    /// (never buffered until exit; the first lines may arrive before `onStart`). Calls to
    /// `onLine` are serialized (never concurrent) and keep each stream's order; the relative
    /// order of stdout and stderr lines is as the reader threads saw them. Cancelling the
    /// calling task ends the child's group. Returns how the child ended.
    /// - Throws: `ProcessRunnerError` if the child cannot be started.
    func run(
        _ spec: ProcessSpec, onStart: @escaping @Sendable (pid_t) -> Void,
        onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> ProcessOutcome

    /// Runs a short command and returns its whole stdout and stderr (lossy UTF-8), e.g.
    /// `conda env list --json`.
    func capture(_ spec: ProcessSpec) async throws -> CapturedOutput

    /// Starts `spec` with a pipe as its standard input (`spec.standardInput` is ignored) and
    /// returns at once: write to the child with `RunningProcess.write`/`send` while its output
    /// reaches `onLine` (as in `run`), close its input with `closeInput()`, and await `wait()`
    /// for how it ended. For children that read while they answer (a tokenizer server) and
    /// large inputs (`run(_:input:onLine:)`).
    /// - Throws: `ProcessRunnerError` if the child cannot be started.
    func start(_ spec: ProcessSpec, onLine: @escaping @Sendable (OutputLine) -> Void) throws
        -> any RunningProcess
}

extension ProcessRunner {
    /// `run` without the pid.
    public func run(_ spec: ProcessSpec, onLine: @escaping @Sendable (OutputLine) -> Void)
        async throws -> ProcessOutcome
    {
        try await run(spec, onStart: { _ in }, onLine: onLine)
    }

    /// Runs `spec` with `input` written to its standard input while its output is read (no
    /// deadlock however large both are), then its input closed. Input the child never reads
    /// (it exited or closed its stdin first) is dropped, as in a shell pipeline; the outcome
    /// says how it ended.
    public func run(
        _ spec: ProcessSpec, input: [UInt8], onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> ProcessOutcome {
        let child = try start(spec, onLine: onLine)
        if !input.isEmpty { child.send(input) }
        child.closeInput()
        return await child.wait()
    }

    /// Default `capture` built on `run`: lines are re-joined with `\n` (or `\r`) terminators.
    public func capture(_ spec: ProcessSpec) async throws -> CapturedOutput {
        let buffers = Locked((stdout: "", stderr: ""))
        let status = try await run(spec) { line in
            let end: String
            switch line.terminator {
            case .newline: end = "\n"
            case .carriageReturn: end = "\r"
            case .endOfStream: end = ""
            }
            buffers.withLock { buffers in
                switch line.stream {
                case .stdout: buffers.stdout += line.text + end
                case .stderr: buffers.stderr += line.text + end
                }
            }
        }
        let (stdout, stderr) = buffers.withLock { ($0.stdout, $0.stderr) }
        return CapturedOutput(status: status, stdout: stdout, stderr: stderr)
    }
}

/// A child started by `ProcessRunner.start`, whose standard input lfm writes.
public protocol RunningProcess: AnyObject, Sendable {
    /// The child's pid (also its process group id).
    var pid: pid_t { get }
    /// Queues `bytes` for the child's standard input and returns at once; a writer thread
    /// writes them while the output is read. Bytes after a failed write are dropped.
    func send(_ bytes: [UInt8])
    /// Queues `bytes` and returns once the child has taken them all.
    /// - Throws: `ProcessRunnerError.inputClosed` when the child closed its standard input or
    ///   exited first.
    func write(_ bytes: [UInt8]) async throws
    /// Closes the child's standard input (end-of-file) once the queued bytes are written.
    func closeInput()
    /// Sends SIGTERM to the child's process group, then SIGKILL after the runner's grace
    /// period if it is still there.
    func terminate()
    /// Waits for the child to end (its leftover group members ended and its output read to the
    /// end) and returns how it ended; any number of callers get the same outcome. Cancelling
    /// the waiting task terminates the child.
    func wait() async -> ProcessOutcome
}
