import Foundation
import Testing
@_exported import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The `lfm` binary built alongside the tests: `$LFM_BINARY`, next to the test bundle, or
/// `.build/debug/lfm` above this file.
let lfmBinary: String? = {
    let fm = FileManager.default
    var candidates: [String] = []
    if let env = ProcessInfo.processInfo.environment["LFM_BINARY"] { candidates.append(env) }
    let bundle = Bundle.main.bundleURL
    candidates.append(bundle.appendingPathComponent("lfm").path)
    candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("lfm").path)
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while dir.path != "/" {
        candidates.append(dir.appendingPathComponent(".build/debug/lfm").path)
        dir.deleteLastPathComponent()
    }
    return candidates.first { fm.isExecutableFile(atPath: $0) }
}()

let fixturesURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("LFMCoreTests/Fixtures")

func fixturePath(_ name: String) -> String { fixturesURL.appendingPathComponent(name).path }

extension TempDir {
    /// A LLaMA-Factory checkout at `relative` with the real registry and demo slices in data/.
    @discardableResult
    func checkout(_ relative: String = "lf") throws -> String {
        let root = try mkdir(relative)
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        for item in try fm.contentsOfDirectory(atPath: fixturesURL.path) {
            try fm.copyItem(atPath: fixturePath(item), toPath: root + "/data/" + item)
        }
        return root
    }
}

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
}

/// A started `lfm` process whose output goes to files (no pipe can fill up and block it).
final class RunningLFM {
    let process = Process()
    private let exited: ProcessExit
    let outPath: String
    let errPath: String
    /// HOME and the output files of this run.
    let scratch: TempDir

    /// `executable` runs instead of lfm (`script`, to give lfm a terminal).
    init(_ arguments: [String], cwd: String, environment: [String: String?] = [:], executable: String? = nil) throws {
        let binary = try executable ?? #require(lfmBinary, "the lfm binary was not built (run `swift build`)")
        scratch = try TempDir("lfm-out")
        outPath = scratch.path + "/stdout"
        errPath = scratch.path + "/stderr"
        try #require(FileManager.default.createFile(atPath: outPath, contents: nil))
        try #require(FileManager.default.createFile(atPath: errPath, contents: nil))
        var env = ProcessInfo.processInfo.environment
        // Nothing from the shell running the tests (an activated env, a CI runner's COLUMNS)
        // changes what lfm does; a test that wants one sets it in `environment`.
        for key in ["LLAMAFACTORY_DIR", "NO_COLOR", "TERM", "COLUMNS", "LINES", "CONDA_PREFIX", "CONDA_DEFAULT_ENV",
                    "CONDA_EXE", "MAMBA_EXE", "VIRTUAL_ENV"] { env[key] = nil }
        // No user config from the machine running the tests.
        env["HOME"] = scratch.path
        env["XDG_CONFIG_HOME"] = scratch.path + "/config"
        for (key, value) in environment { env[key] = value }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        process.standardInput = FileHandle.nullDevice
        exited = ProcessExit(process)
        try process.run()
    }

    /// When the process exited (nil while it runs).
    var exitDate: Date? { exited.exitDate }

    /// Awaits the exit without blocking a thread (the termination handler resumes it).
    func wait() async -> CLIResult {
        await exited.wait()
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return CLIResult(status: process.terminationStatus, stdout: out, stderr: err)
    }

    /// Awaits the exit for at most `timeout` seconds from now; past that the process is killed
    /// (SIGKILL) and `timedOut` is true, so a hang fails one test instead of the suite.
    func wait(timeout: Double) async -> (result: CLIResult, timedOut: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !exited.hasExited {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                return (await wait(), true)
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return (await wait(), false)
    }

    /// The exit status, or minus the signal that ended the process. Only after `wait`.
    var signedStatus: Int32 {
        process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
    }
}

/// Runs `lfm` to completion (awaited: call it as `try await lfm(...)` from an `async` test).
@discardableResult
func lfm(_ arguments: [String], cwd: String, environment: [String: String?] = [:]) async throws -> CLIResult {
    try await RunningLFM(arguments, cwd: cwd, environment: environment).wait()
}

let binaryAvailable = lfmBinary != nil
