import Glibc

/// `posix_spawn` with an empty signal mask and default dispositions for the signals lfm handles.
/// Threads started by libdispatch block signals and lfm ignores some while a child runs; a child
/// must inherit neither, or Ctrl-C and SIGTERM never reach it. Used where lfm spawns directly
/// (the parent watcher, the interactive chat) instead of through `FoundationProcessRunner`.
public enum CleanSpawn {
    /// Starts `argv[0]` (an absolute path) with `argv`; `environment` nil means lfm's own.
    /// Returns the child's pid, or the `posix_spawn` error code.
    public static func spawn(_ argv: [String], environment: [String]? = nil,
                             fileActions: UnsafePointer<posix_spawn_file_actions_t>? = nil) -> Result<pid_t, SpawnError> {
        precondition(!argv.isEmpty, "CleanSpawn.spawn needs a program")
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

        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = (environment ?? []).map { strdup($0) } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        var attempt = 0
        while true {
            let rc: Int32 = environment == nil
                ? posix_spawn(&pid, argv[0], fileActions, &attr, &cArgs, environ)
                : posix_spawn(&pid, argv[0], fileActions, &attr, &cArgs, &cEnv)
            // ETXTBSY: a sibling forked while the file was being written still holds it; see
            // `FoundationRunningProcess.busyRetries`.
            if rc == ETXTBSY && attempt < FoundationRunningProcess.busyRetries {
                attempt += 1
                usleep(FoundationRunningProcess.busyDelay(attempt: attempt))
                continue
            }
            return rc == 0 ? .success(pid) : .failure(SpawnError(code: rc))
        }
    }

    /// A `posix_spawn` error code with its text.
    public struct SpawnError: Error, Sendable, Equatable {
        public var code: Int32
        public var description: String { String(cString: strerror(code)) }
    }
}
