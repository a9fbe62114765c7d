import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `lfm train` attached, then lfm is killed with -9: the training group (a fake
/// llamafactory-cli and a "worker" it started, as torchrun would) must not run on unobserved.
@Suite("lfm train: lfm killed", .enabled(if: binaryAvailable), .serialized)
struct TrainParentDeathTests {
    /// A venv layout whose llamafactory-cli records its pid and its worker's, then waits.
    static let fakeCLI = """
        #!/bin/bash
        sleep 300 &
        echo $! > "$FAKE_PIDS/worker.tmp" && mv "$FAKE_PIDS/worker.tmp" "$FAKE_PIDS/worker"
        echo $$ > "$FAKE_PIDS/cli.tmp" && mv "$FAKE_PIDS/cli.tmp" "$FAKE_PIDS/cli"
        echo "fake training"
        wait
        """

    /// State, parent, group and signal masks of `pid`, for a failure message.
    static func describe(_ pid: pid_t) -> String {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let keep = status.split(separator: "\n").filter { ["Name", "State", "PPid", "NSpgid", "SigBlk", "SigIgn"].contains(String($0.prefix { $0 != ":" })) }
        return "pgid \(getpgid(pid)); " + keep.joined(separator: "; ")
    }

    /// Alive and not a zombie (an orphan may wait for a busy init to reap it).
    static func alive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    @Test func killedLFMEndsTheTrainingGroup() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        try dir.write("venv/pyvenv.cfg", "home = /usr/bin\n")
        for (name, text) in [("python", "#!/bin/sh\nexit 0\n"), ("llamafactory-cli", Self.fakeCLI)] {
            let file = try dir.write("venv/bin/" + name, text)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
        }
        let pids = try dir.mkdir("pids")
        var environment = TrainCommandTests.bareEnvironment
        environment["FAKE_PIDS"] = pids
        let running = try RunningLFM(["train", "--model", "llama3", "--dataset", "support", "--env", dir.path + "/venv",
                                      "--lf-dir", workspace], cwd: dir.path, environment: environment)
        func pid(_ name: String) -> pid_t? {
            (try? String(contentsOfFile: pids + "/" + name, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let giveUp = Date().addingTimeInterval(120)  // start-up on a loaded machine; not an assertion
        while pid("cli") == nil && running.process.isRunning && Date() < giveUp {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let cli = try #require(pid("cli"), "the fake llamafactory-cli did not start")
        let worker = try #require(pid("worker"))
        defer { for p in [cli, worker] where Self.alive(p) { kill(p, SIGKILL) } }
        #expect(Self.alive(cli) && Self.alive(worker))
        kill(running.process.processIdentifier, SIGKILL)
        _ = try await finish(running, within: 60)
        // Ended within the watcher's poll and its SIGTERM (the fake dies of it at once).
        let deadline = Date().addingTimeInterval(120)  // a bound on a loaded machine, not a speed target
        while (Self.alive(cli) || Self.alive(worker)) && Date() < deadline {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(!Self.alive(cli), "llamafactory-cli still runs after lfm was killed")
        #expect(!Self.alive(worker), "the training group's worker still runs after lfm was killed: \(Self.describe(worker))")
    }

    /// The trainer ends right after lfm dies (as a real one does: SIGPIPE on its next line to
    /// lfm's closed pipe), before the watcher's next look at its parent: the watcher used to
    /// pass the exit on and leave the workers running.
    @Test func aTrainerEndingJustAfterLFMDiedLeavesNoWorker() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        try dir.write("venv/pyvenv.cfg", "home = /usr/bin\n")
        let cli = """
            #!/bin/bash
            sleep 300 &
            echo $! > "$FAKE_PIDS/worker.tmp" && mv "$FAKE_PIDS/worker.tmp" "$FAKE_PIDS/worker"
            lfm=$(cut -d' ' -f4 /proc/$PPID/stat)  # the watcher's parent: lfm
            while kill -0 "$lfm" 2>/dev/null; do sleep 0.01; done
            exit 0
            """
        for (name, text) in [("python", "#!/bin/sh\nexit 0\n"), ("llamafactory-cli", cli)] {
            try dir.write("venv/bin/" + name, text, executable: true)
        }
        let pids = try dir.mkdir("pids")
        var environment = TrainCommandTests.bareEnvironment
        environment["FAKE_PIDS"] = pids
        let running = try RunningLFM(["train", "--model", "llama3", "--dataset", "support", "--env", dir.path + "/venv",
                                      "--lf-dir", workspace], cwd: dir.path, environment: environment)
        let giveUp = Date().addingTimeInterval(120)  // start-up on a loaded machine; not an assertion
        var worker: pid_t?
        while worker == nil && running.process.isRunning && Date() < giveUp {
            worker = (try? String(contentsOfFile: pids + "/worker", encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if worker == nil { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        let started = try #require(worker, "the fake llamafactory-cli did not start")
        defer { if Self.alive(started) { kill(started, SIGKILL) } }
        kill(running.process.processIdentifier, SIGKILL)
        _ = try await finish(running, within: 60)
        let deadline = Date().addingTimeInterval(120)  // a bound on a loaded machine, not a speed target
        while Self.alive(started) && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(!Self.alive(started), "the worker still runs after lfm was killed and the trainer ended: \(Self.describe(started))")
    }

    /// Through the watcher the child's exit code still comes back unchanged.
    @Test func exitCodeStillPassesThrough() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        try dir.write("venv/pyvenv.cfg", "home = /usr/bin\n")
        for (name, text) in [("python", "#!/bin/sh\nexit 0\n"), ("llamafactory-cli", "#!/bin/sh\necho fake\nexit 7\n")] {
            let file = try dir.write("venv/bin/" + name, text)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
        }
        let running = try RunningLFM(["train", "--model", "llama3", "--dataset", "support", "--env", dir.path + "/venv", "--lf-dir", workspace],
                                     cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        let result = try #require(try await finish(running, within: 300))
        #expect(result.status == 7, "\(result.stderr)")
        #expect(result.stdout.contains("fake"))
    }
}
