import Foundation
import LFMCore
@testable import LFMGenerate

/// Throughput of `generate` against the local mock: N chunks with a fixed latency per request,
/// at several concurrency levels. Not a test: `BenchmarkRunner` calls `run` on demand.
public enum GenerateBenchmark {
    public struct Measurement: Sendable, Codable {
        public var concurrency: Int
        public var chunks: Int
        public var wallSeconds: Double
        /// Sequential-equivalent time (chunks × latency) divided by wall time.
        public var speedup: Double
        /// speedup / min(concurrency, chunks): 1.0 = ideal.
        public var efficiency: Double
        /// Best possible wall time: ceil(chunks / concurrency) rounds of one latency each.
        public var idealWallSeconds: Double
        /// idealWallSeconds / wallSeconds: 1.0 = no overhead beyond the server's latency.
        public var efficiencyVsRounds: Double
        public var maxInFlight: Int
        public var records: Int
    }

    /// Runs the benchmark. `mockScript` is the path of `mock_openai.py`.
    public static func run(mockScript: String, chunks: Int = 200, latencyMilliseconds: Int = 300,
                           concurrencyLevels: [Int] = [1, 8, 32], keepDirectory: String? = nil,
                           log: (String) -> Void = { print($0) }) async throws -> [Measurement] {
        let root = keepDirectory ?? NSTemporaryDirectory() + "lfm-gen-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { if keepDirectory == nil { try? FileManager.default.removeItem(atPath: root) } }
        try FileManager.default.createDirectory(atPath: root + "/docs", withIntermediateDirectories: true)
        // One document with `chunks` sections, each its own chunk.
        var text = ""
        for i in 0..<chunks {
            text += "# Section \(i)\n\n"
            text += String(repeating: "Paragraph \(i) describes part \(i) of the benchmark manual in plain words. ", count: 12) + "\n\n"
        }
        try text.write(toFile: root + "/docs/manual.md", atomically: true, encoding: .utf8)
        var results: [Measurement] = []
        for concurrency in concurrencyLevels {
            let server = try await MockOpenAIServer.start(script: mockScript, directory: root + "/server-\(concurrency)",
                                              config: JSONObject(["latency_ms": .int(latencyMilliseconds), "records": .int(2)]))
            defer { server.stop() }
            var options = GenerateOptions(inputs: [root + "/docs"], outputPath: root + "/out-\(concurrency).json")
            options.baseURL = server.baseURL
            options.model = "mock"
            options.chunkSize = 1200
            options.concurrency = concurrency
            options.fresh = true
            options.environment = ["OPENAI_API_KEY": "bench-key"]
            let started = Date()
            let summary = try await Generator(options: options).run()
            let wall = Date().timeIntervalSince(started)
            let sequential = Double(summary.chunksTotal) * Double(latencyMilliseconds) / 1000
            let speedup = sequential / wall
            let ideal = Double(min(concurrency, summary.chunksTotal))
            let rounds = (summary.chunksTotal + concurrency - 1) / concurrency
            let idealWall = Double(rounds) * Double(latencyMilliseconds) / 1000
            let m = Measurement(concurrency: concurrency, chunks: summary.chunksTotal, wallSeconds: wall, speedup: speedup,
                                efficiency: speedup / ideal, idealWallSeconds: idealWall, efficiencyVsRounds: idealWall / wall, maxInFlight: server.stats()["max_in_flight"] ?? 0, records: summary.recordsWritten)
            log(String(format: "generate bench: %d chunks, %d ms latency, concurrency %2d: %.2f s wall, speedup %.2fx (%.0f%% of ×%d; %.0f%% of the %.2f s that ceil(chunks/concurrency) rounds allow), max in flight %d",
                       m.chunks, latencyMilliseconds, concurrency, wall, speedup, m.efficiency * 100, Int(ideal), m.efficiencyVsRounds * 100, idealWall, m.maxInFlight))
            results.append(m)
        }
        return results
    }
}
