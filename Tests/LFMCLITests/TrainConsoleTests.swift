import Foundation
import Testing
import TestSupport

/// What the terminal sees during an attached `lfm train` (lfm's `TerminalConsole`), with a FAKE
/// llamafactory-cli that prints a line on stdout, a tqdm `\r` redraw and a line on stderr, and
/// logs one step to trainer_log.jsonl. On a terminal (a pseudo-terminal from `script`) the
/// redraws are hidden and a progress line is drawn, coloured unless NO_COLOR; piped, everything
/// passes through and no progress line is drawn; `--json` moves the child's stdout to stderr.
@Suite("lfm train console", .enabled(if: binaryAvailable))
struct TrainConsoleTests {
    static let script = "/usr/bin/script"

    static func fixture() async throws -> (dir: TempDir, workspace: String, venv: String) {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        let venv = try dir.mkdir("venv")
        try dir.write("venv/pyvenv.cfg", "home = /usr/bin\n")
        try dir.write("venv/bin/python", "#!/bin/sh\nexit 0\n")
        // The step is logged, then the child waits so lfm's trainer_log poll (every 0.5 s) sees it.
        try dir.write("venv/bin/llamafactory-cli", #"""
        #!/bin/sh
        out=$(sed -n 's/^output_dir: *//p' "$2" | head -n 1)
        mkdir -p "$out"
        echo "child says hello"
        printf ' 50%%|###| 1/2\r' >&2
        printf '{"current_steps": 1, "total_steps": 2, "loss": 1.25, "lr": 0.0001, "percentage": 50.0, "elapsed_time": "0:00:01", "remaining_time": "0:00:01"}\n' > "$out/trainer_log.jsonl"
        sleep 3
        echo "child warning" >&2
        touch "$out/adapter_model.safetensors"
        """#)
        for file in ["bin/python", "bin/llamafactory-cli"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: venv + "/" + file)
        }
        return (dir, workspace, venv)
    }

    static func trainArguments(_ workspace: String, _ venv: String) -> [String] {
        ["train", "--model", "llama3", "--dataset", "support", "--env", venv, "--lf-dir", workspace,
         "--set", "dataloader_num_workers=0"]
    }

    /// `lfm ARGS` on a pseudo-terminal; returns everything the terminal received.
    static func onTerminal(_ arguments: [String], cwd: String, noColor: Bool) async throws -> (status: Int32, screen: String) {
        let binary = try #require(lfmBinary)
        let scratch = try TempDir("lfm-tty")
        let screen = scratch.path + "/screen"
        try #require(FileManager.default.createFile(atPath: screen, contents: nil))
        let command = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["-qefc", command, "/dev/null"]
        var env = ProcessInfo.processInfo.environment
        for key in ["LLAMAFACTORY_DIR", "NO_COLOR", "CONDA_PREFIX", "VIRTUAL_ENV", "CONDA_DEFAULT_ENV"] { env[key] = nil }
        env["HOME"] = scratch.path
        env["XDG_CONFIG_HOME"] = scratch.path + "/config"
        env["PATH"] = "/usr/bin:/bin"
        env["SHELL"] = "/bin/sh"
        env["TERM"] = "xterm"
        if noColor { env["NO_COLOR"] = "1" }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: screen)
        process.standardError = FileHandle(forWritingAtPath: screen)
        try await process.runToExit()
        return (process.terminationStatus, (try? String(contentsOfFile: screen, encoding: .utf8)) ?? "")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script)))
    func onATerminalRedrawsAreHiddenAndProgressIsDrawn() async throws {
        let (dir, workspace, venv) = try await Self.fixture()
        let (status, screen) = try await Self.onTerminal(Self.trainArguments(workspace, venv), cwd: dir.path, noColor: false)
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("child says hello") && screen.contains("child warning"), "\(screen)")
        #expect(!screen.contains(" 50%|###| 1/2"), "the tqdm redraw reached the terminal: \(screen)")
        #expect(screen.contains("\u{1B}[36mlfm ▸ step 1/2"), "no coloured progress line: \(screen)")
        // The progress line is cleared before the child's next line.
        #expect(screen.contains("\r\u{1B}[Kchild warning"), "\(screen)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script)))
    func noColorKeepsTheProgressLinePlain() async throws {
        let (dir, workspace, venv) = try await Self.fixture()
        let (status, screen) = try await Self.onTerminal(Self.trainArguments(workspace, venv), cwd: dir.path, noColor: true)
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("lfm ▸ step 1/2"), "\(screen)")
        #expect(!screen.contains("\u{1B}[36m"), "\(screen)")
    }

    @Test func pipedEverythingPassesThroughWithoutProgress() async throws {
        let (dir, workspace, venv) = try await Self.fixture()
        let result = try await lfm(Self.trainArguments(workspace, venv), cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("child says hello\n"), "\(result.stdout)")
        #expect(result.stderr.contains(" 50%|###| 1/2\n") && result.stderr.contains("child warning\n"), "\(result.stderr)")
        #expect(!result.stderr.contains("lfm ▸ step") && !result.stderr.contains("\u{1B}["), "\(result.stderr)")
    }

    @Test func jsonMovesTheChildsStdoutToStderr() async throws {
        let (dir, workspace, venv) = try await Self.fixture()
        let result = try await lfm(Self.trainArguments(workspace, venv) + ["--json"], cwd: dir.path,
                                   environment: TrainCommandTests.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("child says hello") && result.stderr.contains("child says hello\n"), "\(result.stderr)")
        let record = try #require(result.json as? [String: Any], "\(result.stdout)")
        #expect(record["status"] as? String == "finished")
    }
}

/// A real run whose plan changes after the dataset check (`--cutoff-len auto`) claims one run
/// directory, not two: the first reservation is given back.
@Suite("lfm train run directories", .enabled(if: binaryAvailable))
struct TrainRunDirectoryTests {
    @Test func cutoffLenAutoLeavesOneRunDirectory() async throws {
        let (dir, workspace, venv) = try await TrainConsoleTests.fixture()
        let result = try await lfm(TrainConsoleTests.trainArguments(workspace, venv) + ["--cutoff-len", "auto", "--json"], cwd: dir.path,
                                   environment: TrainCommandTests.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        let id = try #require((result.json as? [String: Any])?["id"] as? String, "\(result.stdout)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: workspace + "/.lfm/runs")
        #expect(runs == [id], "\(runs)")
    }
}
