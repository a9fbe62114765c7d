import Foundation

/// What `lfm export` found when it checked the merged model it wrote (the `export` entry of run.json).
public struct ExportVerdict: Codable, Sendable, Equatable {
    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        /// true: passed, false: failed, nil: could not be checked (see `detail`).
        public var ok: Bool?
        public var detail: String
        public init(name: String, ok: Bool?, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var time: String
    public var exportDir: String
    /// true: the LoRA weights are in the exported tensors; false: the export equals the base
    /// model where the adapter says it must differ; nil: undecided.
    public var merged: Bool?
    public var checks: [Check]
    /// LLaMA-Factory's Ollama Modelfile beside the export, when there is one.
    public var ollamaModelfile: String?

    public init(exportDir: String, merged: Bool?, checks: [Check], ollamaModelfile: String?) {
        self.time = RunRecord.timestamp(Date())
        self.exportDir = exportDir
        self.merged = merged
        self.checks = checks
        self.ollamaModelfile = ollamaModelfile
    }

    /// No check failed.
    public var ok: Bool { !checks.contains { $0.ok == false } }

    enum CodingKeys: String, CodingKey {
        case time, merged, checks, ok
        case exportDir = "export_dir", ollamaModelfile = "ollama_modelfile"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(exportDir, forKey: .exportDir)
        try c.encode(merged, forKey: .merged)
        try c.encode(checks, forKey: .checks)
        try c.encode(ok, forKey: .ok)
        try c.encode(ollamaModelfile, forKey: .ollamaModelfile)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decode(String.self, forKey: .time)
        exportDir = try c.decode(String.self, forKey: .exportDir)
        merged = try c.decodeIfPresent(Bool.self, forKey: .merged)
        checks = try c.decode([Check].self, forKey: .checks)
        ollamaModelfile = try c.decodeIfPresent(String.self, forKey: .ollamaModelfile)
    }
}
