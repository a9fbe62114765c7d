import Foundation
@testable import LFMCore
import Testing
import TestSupport
@testable import LFMTools

/// `lfm stats` counts duplicates with ``DistinctHashes``: past its limit the hashes spill to a
/// nameless temporary file. With tiny limits the report must be the in-memory one.
@Suite struct StatsBoundedTests {
    @Test("spilled duplicate hashes give the in-memory stats report, in one pass and in two parts", arguments: ["sft.json", "pref.jsonl"])
    func sameReport(_ name: String) throws {
        let dir = try TempDir()
        let scratch = try TempDir()
        var records = StatsPartsTests.records(3000, preference: name.hasPrefix("pref"))
        for i in stride(from: 1200, to: 3000, by: 3) { records[i] = records[(i * 31) % 1500] }
        let path = try dir.records(name, records, jsonl: name.hasSuffix(".jsonl"))
        var reference = StatsCollector()
        reference.partsMinimumSize = .max
        reference.hashLimits = .unbounded
        let expected = try reference.collectReportingSplit(try DatasetInput.file(path), cutoffLen: 512).report
        #expect(expected.duplicates > 500)
        for (split, limit) in [(false, 40), (true, 40), (true, 1000)] {
            var bounded = StatsCollector()
            bounded.partsMinimumSize = split ? 0 : .max
            bounded.hashLimits = DistinctHashes.Limits(inMemory: limit, runEntries: 37, mergeMemory: 1024, directories: [scratch.path])
            let got = try bounded.collectReportingSplit(try DatasetInput.file(path), cutoffLen: 512)
            #expect(got.report == expected, "split \(split), limit \(limit)")
            #expect(got.report.duplicates == expected.duplicates)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }

    @Test("a spill write that fails (full disk) means counting again in memory: same report")
    func failedWrite() throws {
        let dir = try TempDir()
        let path = try dir.records("sft.jsonl", StatsPartsTests.records(3000), jsonl: true)
        var reference = StatsCollector()
        reference.hashLimits = .unbounded
        for split in [false, true] {
            reference.partsMinimumSize = split ? 0 : .max
            let expected = try reference.collectReportingSplit(try DatasetInput.file(path), cutoffLen: 512).report
            var failing = StatsCollector()
            failing.partsMinimumSize = split ? 0 : .max
            failing.hashLimits = DistinctHashes.Limits(inMemory: 40, runEntries: 37, mergeMemory: 1024, directories: [dir.path])
            failing.hashLimits.failWrites = true
            #expect(try failing.collectReportingSplit(try DatasetInput.file(path), cutoffLen: 512).report == expected)
        }
    }

    @Test("distinct hashes: spilled or not, held in memory within the limit")
    func distinct() throws {
        let dir = try TempDir()
        var rng = SplitMix64(seed: 9)
        let values = (0..<5000).map { _ in UInt64(rng.below(1800)) }
        let limits = DistinctHashes.Limits(inMemory: 100, runEntries: 64, mergeMemory: 512, directories: [dir.path])
        let a = DistinctHashes(limits: limits), b = DistinctHashes(limits: .unbounded)
        var most = 0
        for (i, v) in values.enumerated() {
            (i < 2000 ? a : b).insert(v)
            most = max(most, a.heldInMemory)
        }
        #expect(a.spilled && !b.spilled)
        #expect(most <= 100 + 64)
        #expect(DistinctHashes.distinct([a, b]) == Set(values).count)
        #expect(a.inserted + b.inserted == values.count)
        let missing = DistinctHashes(limits: DistinctHashes.Limits(inMemory: 10, runEntries: 5, mergeMemory: 512, directories: [dir.path + "/missing"]))
        for v in values { missing.insert(v) }
        #expect(!missing.spilled && DistinctHashes.distinct([missing]) == Set(values).count)
    }
}
