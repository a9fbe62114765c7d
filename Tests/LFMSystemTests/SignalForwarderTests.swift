#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import LFMSystem

/// These tests never signal the test process: each uses its own `SignalForwarder` and calls
/// `forward(_:)`, which is what the installed signal sources call.
@Suite struct SignalForwarderTests {
    static let grandchildScript = """
        import os, signal, sys, time
        d = sys.argv[1]
        def on_int(signum, frame):
            open(os.path.join(d, "grandchild.int"), "w").write("%d" % os.getpid())
            sys.exit(0)
        signal.signal(signal.SIGINT, on_int)
        print("ready", flush=True)
        while True:
            time.sleep(10)
        """

    static let childScript = """
        import os, signal, subprocess, sys, time
        d = sys.argv[1]
        grandchild = None
        def on_int(signum, frame):
            open(os.path.join(d, "child.int"), "w").write("%d" % os.getpid())
            grandchild.wait()   # the grandchild got the same SIGINT (same group)
            sys.exit(0)
        signal.signal(signal.SIGINT, on_int)
        grandchild = subprocess.Popen([sys.executable, os.path.join(d, "grandchild.py"), d],
                                      stdout=subprocess.PIPE)
        grandchild.stdout.readline()
        print(grandchild.pid)
        print("ready")
        while True:
            time.sleep(10)
        """

    @Test func sigintReachesChildAndGrandchildAndNothingSurvives() async throws {
        let scratch = try TempDir()
        try scratch.script("grandchild.py", Self.grandchildScript)
        let child = try scratch.script("child.py", Self.childScript)
        let forwarder = SignalForwarder()
        let runner = FoundationProcessRunner(signalForwarder: forwarder, orphanGracePeriod: .milliseconds(500))
        let log = LineLog()
        let pgid = Locked<pid_t>(0)
        let task = Task {
            try await runner.run(python(child, [scratch.url.path]),
                onStart: { pid in pgid.withLock { $0 = pid } }, onLine: log.sink)
        }
        #expect(await log.waitFor(text: "ready"))
        #expect(await eventually { pgid.withLock { $0 } > 1 })
        let grandchild = try #require(log.texts(.stdout).compactMap { pid_t($0) }.first)
        let group = pgid.withLock { $0 }
        #expect(getpgid(grandchild) == group, "grandchild shares the child's process group")
        forwarder.forward(SIGINT)
        #expect(try await task.value == .exited(0))
        #expect(scratch.exists("child.int"))
        #expect(scratch.exists("grandchild.int"))
        #expect(kill(grandchild, 0) != 0 || !ProcessSystem.isAlive(grandchild))
        #expect(ProcessSystem.liveMembers(ofProcessGroup: group).isEmpty)
        #expect(forwarder.wasInterrupted)
        #expect(forwarder.interruptionExitCode == 130)
    }

    static let stubbornScript = """
        import signal, sys, time
        def report(signum, frame):
            print("got %d" % signum, flush=True)
        signal.signal(signal.SIGINT, report)
        signal.signal(signal.SIGTERM, report)
        print("ready", flush=True)
        while True:
            time.sleep(10)
        """

    @Test func repeatedInterruptsEscalateToTermThenKill() async throws {
        let scratch = try TempDir()
        let file = try scratch.script("stubborn.py", Self.stubbornScript)
        let forwarder = SignalForwarder()
        let runner = FoundationProcessRunner(signalForwarder: forwarder, orphanGracePeriod: .milliseconds(500))
        // Two runs in a row through one forwarder: escalation restarts with each run.
        for _ in 0..<2 {
            let log = LineLog()
            let task = Task { try await runner.run(python(file), onLine: log.sink) }
            #expect(await log.waitFor(text: "ready"))
            forwarder.forward(SIGINT)
            #expect(await log.waitFor(text: "got \(SIGINT)"))
            forwarder.forward(SIGINT)
            #expect(await log.waitFor(text: "got \(SIGTERM)"))
            forwarder.forward(SIGINT)
            #expect(try await task.value == .signaled(SIGKILL))
        }
        #expect(forwarder.receivedSignals == Array(repeating: SIGINT, count: 6))
    }

    @Test func termAndHupAreForwardedUnchanged() async throws {
        let forwarder = SignalForwarder()
        let runner = FoundationProcessRunner(signalForwarder: forwarder)
        for sig in [SIGTERM, SIGHUP] {
            let log = LineLog()
            let task = Task { try await runner.run(shell("echo up; exec sleep 30"), onLine: log.sink) }
            #expect(await log.waitFor(text: "up"))
            forwarder.forward(sig)
            #expect(try await task.value == .signaled(sig))
        }
    }

    @Test func signalBeforeAttachIsDeliveredOnAttach() async throws {
        let forwarder = SignalForwarder(idleHandler: { _ in Issue.record("no run should be idle") })
        let run = forwarder.beginRun()
        forwarder.forward(SIGINT)
        forwarder.forward(SIGINT)
        #expect(run.sentSignals.isEmpty)
        #expect(ForwardedRun.escalatedSignal(forInterrupt: 3) == SIGKILL)
        let log = LineLog()
        let pid = Locked<pid_t>(0)
        let task = Task {
            try await FoundationProcessRunner().run(
                shell("echo up; exec sleep 30"), onStart: { p in pid.withLock { $0 = p } }, onLine: log.sink)
        }
        #expect(await log.waitFor(text: "up"))
        #expect(await eventually { pid.withLock { $0 } > 1 })
        run.attach(processGroup: pid.withLock { $0 })
        #expect(run.sentSignals == [SIGINT, SIGTERM])
        let outcome = try await task.value
        // Both arrive back to back; which one the kernel lets kill it first is its business.
        #expect([.signaled(SIGINT), .signaled(SIGTERM)].contains(outcome), "\(outcome)")
        run.end()
        #expect(forwarder.wasInterrupted)
    }

    @Test func signalWithNoRunGoesToIdleHandler() {
        let seen = Locked<[Int32]>([])
        let forwarder = SignalForwarder(idleHandler: { sig in seen.withLock { $0.append(sig) } })
        forwarder.forward(SIGHUP)
        let run = forwarder.beginRun()
        run.end()
        forwarder.forward(SIGINT)
        #expect(seen.withLock { $0 } == [SIGHUP, SIGINT])
        #expect(!forwarder.wasInterrupted)
        #expect(forwarder.interruptionExitCode == nil)
    }
}
