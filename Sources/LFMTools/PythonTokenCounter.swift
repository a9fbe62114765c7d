import Foundation
import LFMCore
import LFMSystem

/// Counts tokens with a Hugging Face tokenizer in the user's LLaMA-Factory Python: one
/// long-lived `python` process, started through the `ProcessRunner` seam, reading JSON Lines
/// batches on stdin and answering each with one line of counts.
///
/// `count` is synchronous (the dataset readers that call it are), but never reads a pipe
/// itself: the runner's threads write the batch while they read both output streams, and
/// `count` waits only for the answer line they hand over, so neither a large batch nor a
/// chatty stderr can fill a pipe and stall the pair.
public final class PythonTokenCounter: TokenCounter {
    public let tokenizer: String
    public let python: String
    private let child: any RunningProcess
    private let answers: AnswerLines

    static let script = """
    import json, sys
    try:
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(sys.argv[1], trust_remote_code=True)
    except Exception as e:
        sys.stdout.write("ERROR " + json.dumps(str(e)) + "\\n"); sys.stdout.flush(); sys.exit(3)
    # The Rust tokenizer directly, when there is one: same counts, no Python lists of ids.
    backend = getattr(tok, "backend_tokenizer", None) if getattr(tok, "is_fast", False) else None
    fast = getattr(backend, "encode_batch_fast", None) or getattr(backend, "encode_batch", None)
    sys.stdout.write("READY\\n"); sys.stdout.flush()
    while True:
        header = sys.stdin.readline()
        if not header:
            break
        n = int(header)
        texts = [json.loads(sys.stdin.readline()) for _ in range(n)]
        if not texts:
            counts = []
        elif fast is not None:
            counts = [len(e) for e in fast(texts, add_special_tokens=False)]
        else:
            counts = [len(x) for x in tok(texts, add_special_tokens=False)["input_ids"]]
        sys.stdout.write(" ".join(str(n) for n in counts) + "\\n"); sys.stdout.flush()
    """

    public var method: String { "exact: tokenizer \(tokenizer) (text only; the chat template adds a few tokens per turn)" }
    public var isExact: Bool { true }

    /// Starts the tokenizer process and waits until it has loaded `tokenizer`.
    /// - Throws: `ToolError.failed` when `python` is not executable or the tokenizer does not load.
    public init(tokenizer: String, python: String, runner: any ProcessRunner = FoundationProcessRunner()) throws {
        self.tokenizer = tokenizer
        self.python = python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ToolError.failed("\(python) is not an executable Python; pass --python PATH (the Python of your LLaMA-Factory environment)")
        }
        var env = ProcessInfo.processInfo.environment
        env["TOKENIZERS_PARALLELISM"] = "true"
        env["TRANSFORMERS_VERBOSITY"] = "error"
        let spec = ProcessSpec(executable: .path(URL(fileURLWithPath: python)),
                               arguments: ["-c", Self.script, tokenizer], environment: env)
        let answers = AnswerLines()
        self.answers = answers
        do {
            child = try runner.start(spec) { answers.deliver($0) }
        } catch {
            throw ToolError.failed("cannot start \(python): \(error)")
        }
        let child = self.child
        // Closes the mailbox once the child has ended and its output is read to the end.
        Task.detached { answers.close(await child.wait()) }
        let first = answers.next(childPID: child.pid)
        if first != "READY" {
            child.terminate()
            let reason: String
            if let first, first.hasPrefix("ERROR ") {
                reason = String(first.dropFirst(6))
            } else {
                reason = first ?? answers.stderrTail.suffix(400).description
            }
            throw ToolError.failed("cannot load tokenizer \(tokenizer) with \(python): \(reason)")
        }
    }

    deinit {
        // End-of-file ends the script's loop; the runner reaps it (Task above).
        child.closeInput()
    }

    public func count(_ texts: [String]) throws -> [Int] {
        var bytes = Array("\(texts.count)\n".utf8)
        for text in texts {
            JSONPrinter.writeString(text, into: &bytes)
            bytes.append(0x0A)
        }
        child.send(bytes)
        let line = answers.next(childPID: child.pid)
        let counts = line?.split(separator: " ").compactMap { Int($0) } ?? []
        guard line != nil, counts.count == texts.count else {
            let why = line.map { String($0.prefix(200)) } ?? "exited; \(answers.stderrTail.suffix(200))"
            throw ToolError.failed("the tokenizer process stopped answering (\(why))")
        }
        return counts
    }

    /// The Python of a LLaMA-Factory environment: `--python`, then the workspace's `env`
    /// (a prefix directory), then `python3` on PATH.
    public static func findPython(explicit: String?, env: String?) -> String {
        if let explicit { return explicit }
        if let env, FileManager.default.isExecutableFile(atPath: env + "/bin/python") { return env + "/bin/python" }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "python3"
    }
}

/// The tokenizer's stdout lines, handed from the runner's reader thread to the waiting `count`,
/// and the end of its stderr for error messages.
final class AnswerLines: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var ended = false
    private var stderr = ""

    func deliver(_ line: OutputLine) {
        condition.lock()
        defer { condition.unlock() }
        switch line.stream {
        case .stdout:
            lines.append(line.text)
            condition.signal()
        case .stderr:
            stderr = String((stderr + line.text + "\n").suffix(2000))
        }
    }

    func close(_ outcome: ProcessOutcome) {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    var stderrTail: String {
        condition.lock()
        defer { condition.unlock() }
        return stderr
    }

    /// The next stdout line, or nil once the child has ended without one. Besides the runner's
    /// end-of-run report, checks every second that the child is alive, so an exit is noticed
    /// even when no thread is free to deliver that report.
    func next(childPID: pid_t) -> String? {
        condition.lock()
        defer { condition.unlock() }
        var goneSince: Date?
        while lines.isEmpty && !ended {
            _ = condition.wait(until: Date().addingTimeInterval(1))
            guard lines.isEmpty, !ended else { break }
            if ProcessSystem.isAlive(childPID) {
                goneSince = nil
            } else if let since = goneSince {
                // Ten more seconds for its last output to come through the pipe (the runner's
                // report normally ends the wait long before).
                if Date().timeIntervalSince(since) > 10 { return nil }
            } else {
                goneSince = Date()
            }
        }
        return lines.isEmpty ? nil : lines.removeFirst()
    }
}
