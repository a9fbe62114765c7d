import Foundation
import Testing
@testable import LFMGenerate

/// Runs `GenerateBenchmark` on demand only (`LFM_GENERATE_BENCH=1 swift test --filter BenchmarkRunner`);
/// a no-op otherwise, so the suite's time does not depend on it.
@Suite struct BenchmarkRunner {
    @Test func runBenchmarkOnDemand() async throws {
        guard ProcessInfo.processInfo.environment["LFM_GENERATE_BENCH"] == "1" else { return }
        let env = ProcessInfo.processInfo.environment
        let levels = env["LFM_GENERATE_BENCH_LEVELS"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1, 8, 32]
        let results = try await GenerateBenchmark.run(mockScript: Fixtures.mockScript, concurrencyLevels: levels,
                                                      keepDirectory: env["LFM_GENERATE_BENCH_DIR"])
        for r in results where r.concurrency > 1 {
            #expect(r.maxInFlight <= r.concurrency)
        }
    }
}
