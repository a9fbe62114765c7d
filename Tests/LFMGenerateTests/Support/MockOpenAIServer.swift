import Foundation
import LFMCore
import LFMGenerate
#if canImport(Glibc)
import Glibc
#endif

/// Runs the Python mock of an OpenAI-compatible server (`mock_openai.py`) on 127.0.0.1 for
/// the tests and the generate benchmark (it serves nothing else, so it lives with them). Its behaviour is set by `config` (rewritten with `configure`) and by
/// markers in prompts; it logs every request and the peak number of requests in flight.
public final class MockOpenAIServer: @unchecked Sendable {
    public let directory: String
    public private(set) var port = 0
    private let process: Process

    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Starts `python3 script --dir directory` and awaits its port (polling with `Task.sleep`:
    /// no test thread is blocked while python starts on a loaded machine).
    public static func start(script: String, directory: String, config: JSONObject = JSONObject()) async throws -> MockOpenAIServer {
        let server = try MockOpenAIServer(script: script, directory: directory, config: config)
        try await server.awaitPort()
        return server
    }

    private init(script: String, directory: String, config: JSONObject) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let portFile = directory + "/port"
        try? FileManager.default.removeItem(atPath: portFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--dir", directory]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: directory + "/server.err", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory + "/server.err")
        self.process = process
        try Self.writeConfig(config, directory: directory)
        try process.run()
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
            if !process.isRunning { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let err = (FileManager.default.contents(atPath: directory + "/server.err")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw GenerateError.io("mock server did not start: \(err)")
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

    /// Kills the server (SIGKILL: a child started from async code may have SIGTERM blocked).
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
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
