#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import LFMSystem

@Suite struct DetacherTests {
    @Test func detachedCommandRunsInItsOwnSessionAndRecordsItsExit() async throws {
        let scratch = try TempDir()
        let script = try scratch.script("job.sh", """
            #!/bin/sh
            while [ ! -e "$1" ]; do sleep 0.01; done
            printf 'arg=[%s]\\n' "$2"
            echo oops >&2
            exit 7
            """)
        // An argument full of shell syntax must arrive verbatim (no injection).
        let tricky = "a b'\"$(touch \(scratch.path("pwned")))`x`;"
        let launch = DetachedLaunch(
            command: ProcessSpec(path: script, arguments: [scratch.path("go"), tricky], environment: testEnvironment()),
            logFile: scratch.url.appendingPathComponent("run.log"),
            pidFile: scratch.url.appendingPathComponent("run.pid"),
            exitCodeFile: scratch.url.appendingPathComponent("run.exit"))
        let pid = try await Detacher().launch(launch)
        #expect(Detacher.readPid(from: launch.pidFile) == pid)
        #expect(Detacher.isAlive(pid))
        // Its own session and group, not ours; its launcher (setsid) has exited.
        #expect(getsid(pid) == pid && getsid(pid) != getsid(0))
        #expect(getpgid(pid) == pid && getpgid(pid) != getpgid(0))
        #expect(Detacher.readExitCode(from: launch.exitCodeFile) == nil)
        scratch.touch("go")
        #expect(await eventually { Detacher.readExitCode(from: launch.exitCodeFile) != nil })
        #expect(Detacher.readExitCode(from: launch.exitCodeFile) == 7)
        #expect(await eventually { !Detacher.isAlive(pid) })
        let log = try String(contentsOf: launch.logFile, encoding: .utf8)
        #expect(log == "arg=[\(tricky)]\noops\n")
        #expect(!scratch.exists("pwned"))
    }

    @Test func detachedCommandSurvivesItsLauncher() async throws {
        let scratch = try TempDir()
        let launch = DetachedLaunch(
            command: ProcessSpec(path: "/bin/sleep", arguments: ["30"], environment: testEnvironment()),
            logFile: scratch.url.appendingPathComponent("run.log"),
            pidFile: scratch.url.appendingPathComponent("run.pid"),
            exitCodeFile: scratch.url.appendingPathComponent("run.exit"))
        let pid = try await Detacher().launch(launch)
        defer { kill(-pid, SIGKILL) }
        // The launching process (setsid) is gone and the session leader was reparented.
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = try #require(ProcessSystem.statFields(stat))
        #expect(fields.ppid != getpid())
        #expect(Detacher.isAlive(pid))
        // Stopping it: signal the session's group; a killed run leaves no exit file.
        kill(-pid, SIGTERM)
        #expect(await eventually { !Detacher.isAlive(pid) })
    }

    @Test func missingExecutableIsReportedBeforeDetaching() async throws {
        let scratch = try TempDir()
        let launch = DetachedLaunch(
            command: ProcessSpec(path: "/nonexistent/llamafactory-cli"),
            logFile: scratch.url.appendingPathComponent("run.log"),
            pidFile: scratch.url.appendingPathComponent("run.pid"),
            exitCodeFile: scratch.url.appendingPathComponent("run.exit"))
        await #expect(throws: ProcessRunnerError.noSuchFile(path: "/nonexistent/llamafactory-cli")) {
            _ = try await Detacher().launch(launch)
        }
    }

    @Test func unwritableLogFailsTheLaunch() async throws {
        let scratch = try TempDir()
        let launch = DetachedLaunch(
            command: ProcessSpec(path: "/bin/true"),
            logFile: URL(fileURLWithPath: "/nonexistent/dir/run.log"),
            pidFile: scratch.url.appendingPathComponent("run.pid"),
            exitCodeFile: scratch.url.appendingPathComponent("run.exit"))
        await #expect(throws: ProcessRunnerError.self) {
            _ = try await Detacher().launch(launch)
        }
        #expect(!FileManager.default.fileExists(atPath: launch.pidFile.path))
    }
}
