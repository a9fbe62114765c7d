import Glibc
import Foundation

/// Small wrappers over process-level system calls shared by the runner, forwarder and detacher.
public enum ProcessSystem {
    /// Runs `body` with this thread's signal mask emptied, then restores it.
    ///
    /// Threads of Swift's cooperative pool (and libdispatch workers) block SIGINT/SIGTERM;
    /// `posix_spawn` (under Foundation's `Process.run()`) hands the calling thread's mask to
    /// the child, which would then never see Ctrl-C.
    static func withEmptySignalMask<T>(_ body: () throws -> T) rethrows -> T {
        var empty = sigset_t()
        var saved = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        return try body()
    }

    /// True when `pid` exists and is not a zombie. (A zombie still answers `kill(pid, 0)`;
    /// in containers whose PID 1 does not reap, orphans' zombies can linger.)
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let fields = statFields(stat)
        {
            return fields.state != "Z" && fields.state != "X"
        }
        return false
    }

    /// Pids of live (non-zombie) members of process group `pgid`.
    public static func liveMembers(ofProcessGroup pgid: pid_t) -> [pid_t] {
        guard pgid > 1 else { return [] }
        guard kill(-pgid, 0) == 0 || errno == EPERM else { return [] }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
            return []
        }
        var members: [pid_t] = []
        for entry in entries {
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let fields = statFields(stat), fields.pgrp == pgid,
                fields.state != "Z", fields.state != "X"
            else { continue }
            members.append(pid)
        }
        return members
    }

    /// Ends every live member of `pgid`: SIGTERM, up to `grace` for them to leave, then SIGKILL.
    /// Returns the pids that were still there when it started (empty: nothing to do).
    @discardableResult
    public static func terminateProcessGroup(_ pgid: pid_t, grace: Duration) async -> [pid_t] {
        guard pgid > 1 else { return [] }  // never kill(0) / kill(-1)
        let initial = liveMembers(ofProcessGroup: pgid)
        guard !initial.isEmpty else { return [] }
        kill(-pgid, SIGTERM)
        kill(-pgid, SIGCONT)  // a stopped member would not act on SIGTERM until continued
        if await waitUntilEmpty(pgid, timeout: grace) { return initial }
        kill(-pgid, SIGKILL)
        _ = await waitUntilEmpty(pgid, timeout: .seconds(2))
        return initial
    }

    /// Polls until `pgid` has no live members; false on timeout.
    static func waitUntilEmpty(_ pgid: pid_t, timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if liveMembers(ofProcessGroup: pgid).isEmpty { return true }
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Parses `/proc/<pid>/stat`: the fields after the command name (which may contain spaces
    /// and parentheses, hence the last `)`).
    static func statFields(_ stat: String) -> (state: Character, ppid: pid_t, pgrp: pid_t)? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        guard rest.count >= 4, let state = rest[0].first, let ppid = pid_t(rest[1]),
            let pgrp = pid_t(rest[2])
        else { return nil }
        return (state, ppid, pgrp)
    }
}

extension ProcessSystem {
    /// Blocks until child `pid` has terminated, WITHOUT reaping it (`WNOWAIT`), and returns how.
    /// `nil` if it is not (or no longer) our child, e.g. Foundation reaped it first.
    ///
    /// Needed because Foundation on Linux learns of a child's exit through a socket the child
    /// inherits: a grandchild still holding it (a torchrun worker, `cmd &`) delays
    /// `terminationHandler` until the grandchild exits too.
    static func waitForTermination(of pid: pid_t) -> ProcessOutcome? {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0 { break }
            if errno == EINTR { continue }
            return nil
        }
        let status = info._sifields._sigchld.si_status
        switch info.si_code {
        case Int32(CLD_EXITED): return .exited(status)
        case Int32(CLD_KILLED), Int32(CLD_DUMPED): return .signaled(status)
        default: return nil
        }
    }
}
