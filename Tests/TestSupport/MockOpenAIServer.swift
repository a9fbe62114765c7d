import Foundation
import LFMCore
import LFMSystem
import Glibc

/// Runs the Python mock of an OpenAI-compatible server (`mock_openai.py`) on 127.0.0.1 for
/// the tests and the generate benchmark (it serves nothing else, so it lives in TestSupport). Its behaviour is set by `config` (rewritten with `configure`) and by
/// markers in prompts; it logs every request and the peak number of requests in flight.
public final class MockOpenAIServer: @unchecked Sendable {
    public let directory: String
    public private(set) var port = 0
    private let child: any RunningProcess
    /// Set once the server has ended and been reaped.
    private let ended: Locked<Bool>
    /// The end of the server's stderr (its start-up errors).
    private let errors: Locked<String>

    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Tests/LFMGenerateTests/Fixtures/mock_openai.py.
    public static let defaultScript: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("LFMGenerateTests/Fixtures/mock_openai.py").path

    /// Starts `python3 script --dir directory` and awaits its port (polling with `Task.sleep`:
    /// no test thread is blocked while python starts on a loaded machine).
    public static func start(script: String = defaultScript, directory: String, config: JSONObject = JSONObject()) async throws -> MockOpenAIServer {
        let server = try MockOpenAIServer(script: script, directory: directory, config: config)
        try await server.awaitPort()
        return server
    }

    private init(script: String, directory: String, config: JSONObject) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let portFile = directory + "/port"
        try? FileManager.default.removeItem(atPath: portFile)
        try Self.writeConfig(config, directory: directory)
        // Through the ProcessRunner seam: output read on the runner's threads, the exit awaited.
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        let spec = ProcessSpec(executable: .named("python3", searchPath: environment["PATH"] ?? "/usr/bin:/bin"),
                               arguments: [script, "--dir", directory], environment: environment)
        let errors = Locked(""), ended = Locked(false)
        self.errors = errors
        self.ended = ended
        child = try FoundationProcessRunner(orphanGracePeriod: .milliseconds(500)).start(spec) { line in
            if line.stream == .stderr { errors.withLock { $0 = String(($0 + line.text + "\n").suffix(8192)) } }
        }
        child.closeInput()
        let child = self.child
        Task.detached {
            _ = await child.wait()
            ended.withLock { $0 = true }
        }
    }

    private func awaitPort() async throws {
        let portFile = directory + "/port"
        let deadline = Date().addingTimeInterval(120)  // python's start on a loaded machine; not a speed target
        var port: Int? = nil
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: portFile), let text = String(data: data, encoding: .utf8),
               let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = value
                break
            }
            if ended.current { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        guard let port else {
            stop()
            _ = await child.wait()
            let err = errors.current
            throw ProcessRunnerError.launchFailed(path: "mock_openai.py", reason: "no port within 120 s: \(err)")
        }
        self.port = port
    }

    deinit { stop() }

    /// Replaces the behaviour config (read by the server on every request).
    public func configure(_ config: JSONObject) throws { try Self.writeConfig(config, directory: directory) }

    private static func writeConfig(_ config: JSONObject, directory: String) throws {
        let bytes = JSONPrinter(indent: nil).bytes(.object(config))
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/config.json.tmp"))
        _ = rename(directory + "/config.json.tmp", directory + "/config.json")
    }

    /// Kills the server's process group (SIGKILL: at once); the runner reaps it.
    public func stop() {
        if !ended.current { kill(-child.pid, SIGKILL) }
    }

    /// `requests`, `max_in_flight`, `in_flight` as last written by the server.
    public func stats() -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: directory + "/stats.json"),
              let value = try? JSONParser.parse([UInt8](data)), let object = value.objectValue else { return [:] }
        var out: [String: Int] = [:]
        for member in object { out[member.key] = member.value.intValue }
        return out
    }

    /// Every request the server saw (path, headers, in_flight, body).
    public func requests() -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: directory + "/requests.jsonl") else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }
}
