import Foundation
import LFMCore
import LFMSystem

/// `run.json`: what a run was, how it was launched and how it ended.
public struct RunRecord: Codable, Sendable, Equatable {
    public struct DatasetChecksum: Codable, Sendable, Equatable {
        public var name: String
        public var path: String?
        public var size: Int64?
        public var modified: String?
        /// `sha256` (whole file) or `none` (missing / not a local file, or a directory).
        public var checksumAlgorithm: String
        public var sha256: String?

        public init(name: String, path: String?) {
            self.name = name
            self.path = path
            checksumAlgorithm = "none"
            guard let path else { return }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { return }
            let attrs = try? FileManager.default.attributesOfItem(atPath: path)
            size = (attrs?[.size] as? NSNumber)?.int64Value
            modified = (attrs?[.modificationDate] as? Date).map(RunRecord.timestamp)
            if let hash = SHA256Digest.hex(ofFile: path) {
                sha256 = hash
                checksumAlgorithm = "sha256"
            }
        }
    }

    public enum Status: String, Codable, Sendable {
        case running, finished, failed, interrupted, killed
        /// Slurm runs: waiting in the queue; cancelled (`lfm cancel`, `scancel`).
        case pending, cancelled
    }

    public var id: String
    public var lfmVersion: String
    public var model: String
    public var template: String?
    public var datasets: [DatasetChecksum]
    public var stage: String
    public var method: String
    public var outputDir: String
    public var config: String
    public var argv: [String]
    /// Only the variables lfm set (nil: unset).
    public var environment: [String: String?]
    public var workingDirectory: String?
    public var envPrefix: String?
    public var startTime: String
    public var endTime: String?
    public var status: Status
    public var exitCode: Int32?
    public var pid: Int32?
    public var detached: Bool
    public var notes: [String]
    /// The latest `lfm eval` of this run (metrics for adapter and base, dataset, YAMLs).
    public var eval: EvalRecord?
    /// The latest `lfm export` of this run and what its check found.
    public var export: ExportVerdict?
    /// Multi-node and Slurm runs (nil for a plain local run).
    public var cluster: ClusterInfo?

    public init(id: String, model: String, template: String?, datasets: [DatasetChecksum], stage: String,
                method: String, outputDir: String, config: String, plan: LaunchPlan, envPrefix: String?,
                detached: Bool, notes: [String] = []) {
        self.id = id
        self.lfmVersion = LFMVersion.current
        self.model = model
        self.template = template
        self.datasets = datasets
        self.stage = stage
        self.method = method
        self.outputDir = outputDir
        self.config = config
        self.argv = plan.argv
        self.environment = plan.changedVariables
        self.workingDirectory = plan.workingDirectory
        self.envPrefix = envPrefix
        self.startTime = Self.timestamp(Date())
        self.status = .running
        self.detached = detached
        self.notes = notes
    }

    public mutating func finish(exitCode: Int32, interrupted: Bool = false) {
        self.exitCode = exitCode
        self.endTime = Self.timestamp(Date())
        status = exitCode == 0 ? .finished : (interrupted ? .interrupted : .failed)
    }

    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    public var startDate: Date? { Self.date(startTime) }
    public var endDate: Date? { Self.date(endTime) }

    enum CodingKeys: String, CodingKey {
        case id, model, template, datasets, stage, method, config, argv, environment, pid, detached, notes, status, cluster, eval, export
        case lfmVersion = "lfm_version", outputDir = "output_dir", workingDirectory = "working_directory"
        case envPrefix = "env_prefix", startTime = "start_time", endTime = "end_time", exitCode = "exit_code"
    }

    /// Keys in declaration order and the environment sorted by name (run.json sorts all keys; a
    /// `--json` document keeps this order, so it must not depend on dictionary order).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(lfmVersion, forKey: .lfmVersion)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(template, forKey: .template)
        try c.encode(datasets, forKey: .datasets)
        try c.encode(stage, forKey: .stage)
        try c.encode(method, forKey: .method)
        try c.encode(outputDir, forKey: .outputDir)
        try c.encode(config, forKey: .config)
        try c.encode(argv, forKey: .argv)
        try c.encode(JSONObject(environment.sorted { $0.key < $1.key }.map { JSONMember($0.key, $0.value.map { .string($0) } ?? .null) }),
                     forKey: .environment)
        try c.encodeIfPresent(workingDirectory, forKey: .workingDirectory)
        try c.encodeIfPresent(envPrefix, forKey: .envPrefix)
        try c.encode(startTime, forKey: .startTime)
        try c.encodeIfPresent(endTime, forKey: .endTime)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(exitCode, forKey: .exitCode)
        try c.encodeIfPresent(pid, forKey: .pid)
        try c.encode(detached, forKey: .detached)
        try c.encode(notes, forKey: .notes)
        try c.encodeIfPresent(eval, forKey: .eval)
        try c.encodeIfPresent(export, forKey: .export)
        try c.encodeIfPresent(cluster, forKey: .cluster)
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Re-printed by lfm's JSON printer: `"key": value` like the rest of lfm's files.
        let raw = try encoder.encode(self)
        guard let value = try? JSONParser.parse([UInt8](raw)) else { return raw + Data("\n".utf8) }
        return Data(JSONPrinter(indent: 2).bytes(value)) + Data("\n".utf8)
    }

    public static func decode(_ data: Data) throws -> RunRecord {
        try JSONDecoder().decode(RunRecord.self, from: data)
    }
}

extension RunRecord.DatasetChecksum {
    enum CodingKeys: String, CodingKey {
        case name, path, size, modified, sha256
        case checksumAlgorithm = "checksum_algorithm"
    }
}
