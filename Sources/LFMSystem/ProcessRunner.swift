/// The seam through which lfm runs child processes. LFMCore depends on this protocol only;
/// tests of LFMCore substitute a fake, and `FoundationProcessRunner` is the real one.
public protocol ProcessRunner: Sendable {
    /// Runs `spec` to completion, handing each output line to `onLine` as soon as the child
    /// has written it (never buffered until exit). Calls to `onLine` are serialized (never
    /// concurrent) and keep each stream's order; the relative order of stdout and stderr lines
    /// is as the reader threads saw them. Returns how the child ended.
    /// - Throws: `ProcessRunnerError` if the child cannot be started.
    func run(_ spec: ProcessSpec, onLine: @escaping @Sendable (OutputLine) -> Void) async throws
        -> ProcessOutcome

    /// Runs a short command and returns its whole stdout and stderr (lossy UTF-8), e.g.
    /// `conda env list --json`.
    func capture(_ spec: ProcessSpec) async throws -> CapturedOutput
}

extension ProcessRunner {
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
