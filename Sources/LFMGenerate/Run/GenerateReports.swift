/// Progress of a run, for the CLI's progress bar.
public struct GenerateProgress: Sendable, Equatable {
    public var chunksDone: Int
    public var chunksTotal: Int
    /// Chunks already in the journal when the run started (counted in `chunksDone`).
    public var chunksResumed: Int
    public var chunksFailed: Int
    public var records: Int
    public var usage: TokenUsage
    public var elapsedSeconds: Double
    /// Seconds left, from this run's pace; nil until a chunk finished.
    public var etaSeconds: Double?
}

/// What `generate` did, for the final report and `--json`.
public struct GenerateSummary: Sendable, Codable, Equatable {
    public var outputPath: String
    public var format: String
    public var model: String
    public var documents: Int
    public var skippedDocuments: [SkippedDocument]
    public var chunksTotal: Int
    /// Taken from the journal of an earlier run.
    public var chunksResumed: Int
    public var chunksGenerated: Int
    /// Left without records after retries; raw replies in `failedDirectory`.
    public var chunksFailed: Int
    public var recordsWritten: Int
    /// Records dropped by the validator.
    public var invalidRecords: Int
    /// Reply items that were not examples (no instruction, bad roles, …).
    public var unusableItems: Int
    public var exactDuplicatesRemoved: Int
    public var normalizedDuplicatesRemoved: Int
    /// Tokens used by this run's requests.
    public var usage: TokenUsage
    /// Tokens of every chunk in the output, resumed ones included.
    public var usageTotal: TokenUsage
    public var requests: Int
    public var retries: Int
    public var elapsedSeconds: Double
    public var warnings: [String]
    /// Why the chunks counted in `chunksFailed` gave no records, one entry per distinct cause.
    public var failures: [GenerateFailure]
    public var stateDirectory: String
    public var failedDirectory: String
}

/// What a run would do, without calling the API.
public struct GeneratePreview: Sendable, Codable, Equatable {
    public struct File: Sendable, Codable, Equatable {
        public var path: String
        public var characters: Int
        public var chunks: Int
    }

    public var files: [File]
    public var skippedDocuments: [SkippedDocument]
    public var chunks: Int
    public var averageChunkCharacters: Int
    public var largestChunkCharacters: Int
    /// Chunks already done in the state folder (a re-run would skip them).
    public var chunksAlreadyDone: Int
    /// Requests a run would send (preference pairs need two per chunk), retries not included.
    public var requests: Int
    public var estimatedPromptTokens: Int
    public var estimatedCompletionTokens: Int
    public var estimationMethod: String
    public var baseURL: String
    public var format: String
}

/// One reason chunks gave no records in a run (e.g. "request failed after retries: connection
/// refused by 127.0.0.1:9 …", "reply contains no JSON …"), and how many chunks it stopped.
public struct GenerateFailure: Sendable, Codable, Equatable {
    public var cause: String
    public var chunks: Int

    public init(cause: String, chunks: Int) {
        self.cause = cause
        self.chunks = chunks
    }

    /// Distinct causes, the most frequent first (ties: first seen first).
    public static func grouped(_ causes: [String]) -> [GenerateFailure] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for cause in causes {
            if counts[cause] == nil { order.append(cause) }
            counts[cause, default: 0] += 1
        }
        return order.enumerated().sorted { a, b in
            let (ca, cb) = (counts[a.element]!, counts[b.element]!)
            return ca != cb ? ca > cb : a.offset < b.offset
        }.map { GenerateFailure(cause: $0.element, chunks: counts[$0.element]!) }
    }
}
