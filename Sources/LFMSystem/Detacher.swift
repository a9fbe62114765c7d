import Glibc
import Foundation

/// What to start detached, and the files that report on it.
public struct DetachedLaunch: Sendable, Hashable {
    /// The command (its stdin is always `/dev/null`).
    public var command: ProcessSpec
    /// Receives the command's stdout and stderr (appended; created if missing).
    public var logFile: URL
    /// Receives the pid of the detached session leader, `"<pid>\n"`.
    public var pidFile: URL
    /// Receives the command's exit code, `"<code>\n"` (128 + signal if killed), when it ends.
    public var exitCodeFile: URL

    public init(command: ProcessSpec, logFile: URL, pidFile: URL, exitCodeFile: URL) {
        self.command = command
        self.logFile = logFile
        self.pidFile = pidFile
        self.exitCodeFile = exitCodeFile
    }
}

/// Starts commands that outlive lfm and the terminal (`lfm train --detach`).
///
/// How: Foundation's `Process` cannot call `setsid()`, and its child is a process group leader,
/// which `setsid()` refuses anyway. So lfm runs util-linux `setsid --fork` (it forks, and
/// the fork, not being a group leader, becomes the leader of a new session with no
/// controlling terminal: no SIGHUP when the terminal closes, no Ctrl-C from lfm's terminal,
/// reparented to init when lfm exits). The session leader is a fixed `/bin/sh` script that
/// writes its pid, redirects output to the log, runs the command as `"$@"` (arguments are
/// never interpolated into the script, so no shell injection) and writes the exit code.
/// The pid also comes back through a pipe, so `launch` returns without polling; the shell
/// stays as session leader because something must wait for the command to record its exit.
///
/// To stop the run, signal the whole session's group: `kill(-pid, SIGTERM)`.
public struct Detacher: Sendable {
    /// `setsid` from util-linux; found on `PATH` (then `/usr/bin`, `/bin`) when `nil`.
    public var setsidPath: String?
    public var shellPath: String

    public init(setsidPath: String? = nil, shellPath: String = "/bin/sh") {
        self.setsidPath = setsidPath
        self.shellPath = shellPath
    }

    static let script = """
        pidfile=$1 exitfile=$2 logfile=$3
        shift 3
        printf '%s\\n' "$$" >"$pidfile" || exit 126
        exec 3>&1 >>"$logfile" 2>&1 </dev/null
        printf '%s\\n' "$$" >&3
        exec 3>&-
        "$@"
        status=$?
        printf '%s\\n' "$status" >"$exitfile"
        exit "$status"
        """

    /// Starts `launch.command` in a new session; returns the session leader's pid once the
    /// pid file is written and output goes to the log. Stale pid/exit files are removed first.
    /// - Throws: `ProcessRunnerError` naming the missing executable, or `.detachFailed`.
    public func launch(_ launch: DetachedLaunch) async throws -> pid_t {
        let command = launch.command
        let executable = try command.resolvedExecutable()
        let setsid = try resolveSetsid(environment: command.environment)
        for file in [launch.pidFile, launch.exitCodeFile] {
            try? FileManager.default.removeItem(at: file)
        }
        let wrapper = ProcessSpec(
            executable: .path(setsid),
            arguments: ["--fork", shellPath, "-c", Self.script, "lfm-detached",
                launch.pidFile.path, launch.exitCodeFile.path, launch.logFile.path,
                executable.path] + command.arguments,
            environment: command.environment,
            workingDirectory: command.workingDirectory)
        // The forked session leader leaves setsid's group, but only after setsid exits:
        // leftover-group cleanup here would kill it.
        let runner = FoundationProcessRunner(terminatesLeftoverGroup: false)
        // Return as soon as the script reports the pid (after its output went to the log), not
        // when setsid's exit is noticed: if Foundation reaps setsid first, it reports the exit
        // only once the detached command, which holds Foundation's exit socket, has ended.
        let reported = OneShot<Result<pid_t, ProcessRunnerError>>()
        let stderr = Locked("")
        Task {
            do {
                let outcome = try await runner.run(wrapper) { line in
                    let text = line.text.trimmingCharacters(in: .whitespacesAndNewlines)
                    if line.stream == .stdout, let pid = pid_t(text), pid > 0 {
                        reported.set(.success(pid))
                    } else if line.stream == .stderr {
                        stderr.withLock { $0 += line.text + "\n" }
                    }
                }
                let reason = stderr.withLock { $0 }.trimmingCharacters(in: .whitespacesAndNewlines)
                reported.set(.failure(.detachFailed(reason: reason.isEmpty ? "setsid \(outcome), no pid reported" : reason)))
            } catch let error as ProcessRunnerError {
                reported.set(.failure(error))
            } catch {
                reported.set(.failure(.detachFailed(reason: "\(error)")))
            }
        }
        switch await reported.wait() {
        case .success(let pid):
            return pid
        case .failure(let error):
            try? FileManager.default.removeItem(at: launch.pidFile)
            throw error
        }
    }

    private func resolveSetsid(environment: [String: String]) throws -> URL {
        if let setsidPath {
            try ExecutableLocator.checkExecutable(at: setsidPath)
            return URL(fileURLWithPath: setsidPath)
        }
        let path = [environment["PATH"], "/usr/bin:/bin"].compactMap { $0 }.joined(separator: ":")
        guard let url = ExecutableLocator(searchPath: path).locate("setsid") else {
            throw ProcessRunnerError.executableNotFound(name: "setsid", searchPath: path)
        }
        return url
    }

    /// True when `pid` runs (zombies count as ended).
    public static func isAlive(_ pid: pid_t) -> Bool {
        ProcessSystem.isAlive(pid)
    }

    /// The pid in a pid file, or `nil` if it is missing or incomplete.
    public static func readPid(from file: URL) -> pid_t? {
        readNumber(from: file).flatMap { pid_t(exactly: $0) }
    }

    /// The exit code in an exit-code file, or `nil` while the command still runs (or if it
    /// was killed together with its session leader, which then could not write it).
    public static func readExitCode(from file: URL) -> Int32? {
        readNumber(from: file)
    }

    private static func readNumber(from file: URL) -> Int32? {
        guard let text = try? String(contentsOf: file, encoding: .utf8), text.hasSuffix("\n") else {
            return nil
        }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
