import Foundation
import Testing
@testable import LFMGenerate

/// Runs `GenerateBenchmark` on demand only (`LFM_GENERATE_BENCH=1 swift test --filter BenchmarkRunner`);
/// a no-op otherwise, so the suite's time does not depend on it.
@Suite struct BenchmarkRunner {
    @Test func runBenchmarkOnDemand() async throws {
        guard ProcessInfo.processInfo.environment["LFM_GENERATE_BENCH"] == "1" else { return }
        let results = try await GenerateBenchmark.run(mockScript: Fixtures.mockScript)
        for r in results where r.concurrency > 1 {
            #expect(r.maxInFlight <= r.concurrency)
        }
    }
}
