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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child inherits lfm's working directory (configs use absolute paths).

        let envp = environment.map { "\($0.key)=\($0.value)" }
        // lfm ignores the terminal's Ctrl-C / Ctrl-\ while the child owns the conversation.
        let oldInt = signal(SIGINT, SIG_IGN)
        let oldQuit = signal(SIGQUIT, SIG_IGN)
        defer {
            signal(SIGINT, oldInt)
            signal(SIGQUIT, oldQuit)
        }
        let pid: pid_t
        switch CleanSpawn.spawn([executable] + arguments, environment: envp, fileActions: &actions) {
        case .success(let child): pid = child
        case .failure(let error):
            throw ProcessRunnerError.launchFailed(path: executable, reason: error.description)
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
