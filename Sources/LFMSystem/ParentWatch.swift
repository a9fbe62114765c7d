import Glibc
import Foundation

/// Keeps an attached child from running on unobserved when lfm itself dies (`kill -9`, OOM
/// killer): the child is started through a small watcher (lfm's own binary, started with
/// `argument` first) that sits between lfm and the real command, in the child's process group.
///
/// The watcher spawns the command, then every 200 ms reaps it or checks `getppid()`. While lfm
/// lives it only passes the exit status on (the same code, or dies of the same signal). Once lfm
/// is gone (the watcher was re-parented) it sends SIGTERM to the whole group (torchrun workers
/// included), waits `grace` seconds, then SIGKILL. It polls the parent id rather than using
/// `PR_SET_PDEATHSIG`: that signal fires when the *thread* that spawned the child exits, and lfm
/// spawns from pool threads that come and go.
///
/// SIGINT, SIGTERM and SIGHUP are ignored by the watcher: lfm sends them to the group, so they
/// reach the command directly.
public enum ParentWatch {
    /// argv[1] that turns lfm into the watcher: `lfm __lfm-watch-parent GRACE EXECUTABLE ARGS…`.
    public static let argument = "__lfm-watch-parent"

    /// lfm's own executable (`/proc/self/exe`), or nil where there is none.
    public static var currentExecutable: URL? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return URL(fileURLWithPath: path)
    }

    /// `spec` run through the watcher `watcher` (lfm's binary).
    public static func wrap(_ spec: ProcessSpec, watcher: URL, grace: Double = 10) throws -> ProcessSpec {
        var wrapped = spec
        wrapped.executable = .path(watcher)
        wrapped.arguments = [argument, String(grace), try spec.resolvedExecutable().path] + spec.arguments
        return wrapped
    }

    /// Becomes the watcher when started as one (never returns then); otherwise does nothing.
    /// Call first thing in `main`.
    public static func runIfRequested(_ arguments: [String] = CommandLine.arguments) {
        guard arguments.count >= 4, arguments[1] == argument else { return }
        exit(watch(grace: Double(arguments[2]) ?? 10, command: Array(arguments[3...])))
    }

    static func watch(grace: Double, command: [String]) -> Int32 {
        let parent = getppid()
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_IGN) }
        let child: pid_t
        switch CleanSpawn.spawn(command) {
        case .success(let pid): child = pid
        case .failure(let error):
            let message = "lfm: cannot start \(command[0]): \(error.description)\n"
            _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            return 127
        }
        // Only a group of our own may be signalled as a whole (never the group of lfm's caller).
        let ownGroup = getpgrp() == getpid()
        var orphanedAt: Date?
        while true {
            var status: Int32 = 0
            let reaped = waitpid(child, &status, WNOHANG)
            if reaped == child {
                // lfm may have died since the last look: a trainer often ends right after it
                // (SIGPIPE on its next line to lfm's closed pipe), and its workers must not stay.
                if orphanedAt != nil || getppid() != parent { endGroup(ownGroup: ownGroup, child: child, signal: SIGKILL) }
                return passOn(status)
            }
            if reaped < 0 && errno != EINTR { return 127 }
            if getppid() != parent {
                if let since = orphanedAt {
                    if Date().timeIntervalSince(since) > grace { endGroup(ownGroup: ownGroup, child: child, signal: SIGKILL) }
                } else {
                    orphanedAt = Date()
                    endGroup(ownGroup: ownGroup, child: child, signal: SIGTERM)
                }
            }
            usleep(200_000)
        }
    }

    private static func endGroup(ownGroup: Bool, child: pid_t, signal sig: Int32) {
        if ownGroup {
            killpg(getpgrp(), sig)  // ourselves included: we ignore SIGTERM; SIGKILL ends us too
        } else {
            kill(child, sig)
        }
    }

    /// Exits as the child did: its code, or death by its signal.
    private static func passOn(_ status: Int32) -> Int32 {
        let low = status & 0x7f
        if low == 0 { return (status >> 8) & 0xff }
        SignalForwarder.dieOfSignal(low)
    }
}
