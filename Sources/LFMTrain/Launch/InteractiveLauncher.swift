#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LFMSystem

/// Runs a child that talks to the user (`llamafactory-cli chat`): stdin, stdout and stderr are
/// lfm's own terminal.
///
/// Not Foundation's `Process`: it puts the child in a new process group, and a process outside
/// the terminal's foreground group that reads the terminal is stopped with SIGTTIN. So this uses
/// `posix_spawn` with the child left in lfm's group (in the foreground, like `system(3)`): a
/// Ctrl-C reaches the child directly (Python turns it into KeyboardInterrupt) while lfm ignores
/// SIGINT/SIGQUIT until the child ends. The spawned child gets an empty signal mask and default
/// dispositions (the same care as the runner: threads started by libdispatch block signals).
public enum InteractiveLauncher {
    public static func run(executable: String, arguments: [String], environment: [String: String]) throws -> ProcessOutcome {
        try ExecutableLocator.checkExecutable(at: executable)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child inherits lfm's working directory (configs use absolute paths).

        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = envp.map { strdup($0) } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        // lfm ignores the terminal's Ctrl-C / Ctrl-\ while the child owns the conversation.
        let oldInt = signal(SIGINT, SIG_IGN)
        let oldQuit = signal(SIGQUIT, SIG_IGN)
        defer {
            signal(SIGINT, oldInt)
            signal(SIGQUIT, oldQuit)
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, &cArgs, &cEnv)
        guard rc == 0 else {
            throw ProcessRunnerError.launchFailed(path: executable, reason: String(cString: strerror(rc)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(127) }
        }
        let low = status & 0x7f
        if low == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(low)
    }
}
