import Glibc
import Foundation
import Testing
@testable import LFMSystem

/// `ProcessRunner.start` / `run(_:input:onLine:)`: lfm writes a child's stdin while it reads its
/// output.
@Suite struct ProcessInputTests {
    let runner = FoundationProcessRunner(orphanGracePeriod: .milliseconds(500))

    /// 8 MiB in, 8 MiB out on stdout and again on stderr: every pipe fills many times over
    /// while lfm is still writing, so writing first and reading after would deadlock.
    @Test func largeInputAndLargeOutputOnBothStreamsDoNotDeadlock() async throws {
        let scratch = try TempDir()
        let echo = try scratch.script("echo.py", """
            import sys
            for line in sys.stdin:
                sys.stdout.write(line)
                sys.stderr.write(line)
            """)
        let lineCount = 100_000
        var input: [UInt8] = []
        input.reserveCapacity(lineCount * 84)
        for i in 0..<lineCount {
            input.append(contentsOf: "\(i) ".utf8)
            input.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: 76))
            input.append(0x0A)
        }
        let counts = Locked((out: 0, err: 0, last: ""))
        let outcome = try await runner.run(python(echo), input: input) { line in
            counts.withLock {
                if line.stream == .stdout { $0.out += 1; $0.last = line.text } else { $0.err += 1 }
            }
        }
        #expect(outcome == .exited(0))
        let seen = counts.current
        #expect(seen.out == lineCount)
        #expect(seen.err == lineCount)
        #expect(seen.last.hasPrefix("\(lineCount - 1) x"))
    }

    /// Answers come back while stdin is still open: request, answer, request, answer.
    @Test func childAnswersEachRequestBeforeInputIsClosed() async throws {
        let log = LineLog()
        let child = try runner.start(shell("while read n; do echo \"got $n\"; done; echo bye"), onLine: log.sink)
        for n in 1...3 {
            try await child.write(Array("\(n)\n".utf8))
            #expect(await log.waitFor(text: "got \(n)"))
        }
        #expect(!log.texts(.stdout).contains("bye"))
        child.closeInput()
        #expect(await child.wait() == .exited(0))
        #expect(log.texts(.stdout) == ["got 1", "got 2", "got 3", "bye"])
    }

    /// A child that stops reading and exits: the rest of the input is dropped, lfm survives
    /// the broken pipe (no SIGPIPE), and the outcome is the child's.
    @Test func childExitingEarlyDropsTheRestOfTheInput() async throws {
        let log = LineLog()
        let input = Array(repeating: Array("line\n".utf8), count: 2_000_000).flatMap { $0 }
        let outcome = try await runner.run(shell("head -n 2; exit 7"), input: input, onLine: log.sink)
        #expect(outcome == .exited(7))
        #expect(log.texts(.stdout) == ["line", "line"])
    }

    @Test func writeAfterTheChildExitedThrowsInputClosed() async throws {
        let child = try runner.start(shell("exit 3"), onLine: { _ in })
        #expect(await child.wait() == .exited(3))
        await #expect(throws: ProcessRunnerError.self) { try await child.write(Array("late\n".utf8)) }
    }

    /// A child killed while lfm is blocked writing to its full pipe: the pending write fails,
    /// `wait` reports the signal.
    @Test func childKilledWhileAWriteIsPending() async throws {
        let child = try runner.start(shell("exec sleep 600"), onLine: { _ in })
        // Far more than a pipe holds and nobody reads it: this write cannot finish.
        let pending = Task { try await child.write([UInt8](repeating: 0x61, count: 8 << 20)) }
        try await Task.sleep(for: .milliseconds(100))
        kill(child.pid, SIGKILL)
        #expect(await child.wait() == .signaled(SIGKILL))
        await #expect(throws: ProcessRunnerError.self) { try await pending.value }
    }

    @Test func terminateEndsTheChildWithSIGTERM() async throws {
        let log = LineLog()
        let child = try runner.start(shell("echo up; exec sleep 600"), onLine: log.sink)
        #expect(await log.waitFor(text: "up"))
        child.terminate()
        #expect(await child.wait() == .signaled(SIGTERM))
        // Any number of waiters get the same outcome.
        #expect(await child.wait() == .signaled(SIGTERM))
    }

    @Test func cancellingTheWaitTerminatesTheChild() async throws {
        let log = LineLog()
        let child = try runner.start(shell("echo up; exec sleep 600"), onLine: log.sink)
        let waiter = Task { await child.wait() }
        #expect(await log.waitFor(text: "up"))
        waiter.cancel()
        #expect(await waiter.value == .signaled(SIGTERM))
    }

    @Test func aMissingExecutableIsReportedBeforeAnyInput() {
        #expect(throws: ProcessRunnerError.noSuchFile(path: "/nonexistent/lfm-nope")) {
            _ = try runner.start(ProcessSpec(path: "/nonexistent/lfm-nope"), onLine: { _ in })
        }
    }
}
