import Foundation
import Testing
@_exported import TestSupport
@testable import LFMCore

/// The fixtures folder next to this file (no SwiftPM resources needed).
let fixturesURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func fixturePath(_ name: String) -> String { fixturesURL.appendingPathComponent(name).path }

func fixtureBytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: fixturesURL.appendingPathComponent(name)))
}

/// A LLaMA-Factory-like checkout: `root/data/` with the real 104-entry registry (or `registry`)
/// and the demo slices.
struct TestWorkspace {
    let dir: TempDir
    var root: String { dir.path }
    var dataDir: String { dir.path + "/data" }
    var registryPath: String { dataDir + "/dataset_info.json" }
    var workspace: Workspace { Workspace(root: root, dataDir: dataDir, configPath: nil, origin: .flag) }
    var registry: Registry { workspace.registry }

    init(registry: String? = nil, withDemoData: Bool = true) throws {
        dir = try TempDir("lfm-ws")
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir.path + "/data", withIntermediateDirectories: true)
        if withDemoData {
            for item in try fm.contentsOfDirectory(atPath: fixturesURL.path) {
                try fm.copyItem(atPath: fixturePath(item), toPath: dir.path + "/data/" + item)
            }
        }
        if let registry {
            try dir.write("data/dataset_info.json", registry)
        } else if !withDemoData {
            try fm.copyItem(atPath: fixturePath("dataset_info.json"), toPath: dir.path + "/data/dataset_info.json")
        }
    }

    func registryBytes() throws -> [UInt8] { try dir.readBytes("data/dataset_info.json") }

    /// Everything in the data directory with its bytes (the lock file, which lfm keeps on
    /// purpose, is left out).
    func snapshot() throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: dataDir) else { return result }
        for case let item as String in walker where item != ".dataset_info.json.lock" {
            let full = dataDir + "/" + item
            var isDir: ObjCBool = false
            if let link = try? fm.destinationOfSymbolicLink(atPath: full) {
                result[item] = Array(("-> " + link).utf8)
            } else if fm.fileExists(atPath: full, isDirectory: &isDir), isDir.boolValue {
                result[item + "/"] = []
            } else {
                result[item] = Array((try? Data(contentsOf: URL(fileURLWithPath: full))) ?? Data())
            }
        }
        return result
    }

    /// Writes a data file outside the data directory and returns its path.
    @discardableResult
    func source(_ name: String, _ text: String) throws -> String {
        try dir.write("incoming/" + name, text)
    }

    func register(_ source: String, name: String? = nil, force: Bool = false, configure: (inout Registrar.Request) -> Void = { _ in }) throws -> Registrar.Outcome {
        var request = Registrar.Request(source: source, currentDirectory: FileManager.default.currentDirectoryPath)
        request.name = name
        request.force = force
        configure(&request)
        return try Registrar(workspace: workspace).register(request)
    }
}

/// In a registry written with 2-space indentation: the range of the member `"name": {...}`
/// (from its opening quote to its closing brace), found by plain text search.
func memberRange(_ text: String, _ name: String) -> Range<String.Index>? {
    guard let start = text.range(of: "\n  " + JSONPrinter.quoted(name) + ": {") else { return nil }
    guard let close = text.range(of: "\n  }", range: start.upperBound..<text.endIndex) else { return nil }
    return text.index(start.lowerBound, offsetBy: 3)..<close.upperBound
}

/// Runs python3 with a script and arguments; nil when python3 is not available.
func runPython(_ script: String, _ arguments: [String]) async throws -> (status: Int32, stdout: [UInt8]) {
    let dir = try TempDir("lfm-py")
    let out = dir.path + "/out"
    try #require(FileManager.default.createFile(atPath: out, contents: nil))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle.nullDevice
    try await process.runToExit()
    return (process.terminationStatus, try dir.readBytes("out"))
}

let python3Available: Bool = {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        if FileManager.default.isExecutableFile(atPath: "\(dir)/python3") { return true }
    }
    return false
}()

/// Parses text or throws; shorthand for tests.
func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }
