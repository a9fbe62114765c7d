#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import LFMSystem

/// `execve` fails with ETXTBSY while any process holds the executable open for writing — which
/// happens for a moment when another thread forks while a script is being written.
@Suite struct ProcessRunnerBusyTests {
    let runner = FoundationProcessRunner()

    @Test func aLaunchWaitsOutAWriterThatClosesSoon() async throws {
        let scratch = try TempDir()
        let tool = try scratch.script("tool", "#!/bin/sh\necho ran\n")
        let writer = open(tool, O_WRONLY | O_CLOEXEC)
        #expect(writer >= 0)
        // The launch starts while the file is open for writing; the writer lets go 30 ms later,
        // on a thread of its own: a task could wait on a starved test pool past the runner's
        // ~1 s of retries.
        let closed = Locked(false)
        Thread {
            usleep(30_000)
            close(writer)
            closed.withLock { $0 = true }
        }.start()
        let result = try await runner.capture(ProcessSpec(path: tool))
        #expect(await eventually { closed.current })
        #expect(result.stdout == "ran\n")
    }

    @Test func aWriterThatNeverClosesIsAReadableError() async throws {
        let scratch = try TempDir()
        let tool = try scratch.script("tool", "#!/bin/sh\necho ran\n")
        let writer = open(tool, O_WRONLY | O_CLOEXEC)
        defer { close(writer) }
        #expect(writer >= 0)
        do {
            _ = try await runner.capture(ProcessSpec(path: tool))
            Issue.record("launched an executable that is open for writing")
        } catch {
            #expect("\(error)" == "cannot launch \(tool): Text file busy (a process still has it open for writing)")
        }
    }
}

