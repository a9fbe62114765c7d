import Foundation
import Testing
import TestSupport
@testable import LFMCore

/// The exact-duplicate index in bounded memory (``DuplicateIndex``): past its limit it spills
/// sorted runs to a nameless temporary file and merges them at the end. Forced with tiny limits,
/// the one-pass and two-part reports must be exactly the in-memory one-pass report.
@Suite struct BoundedDuplicatesTests {
    static func tiny(_ dir: String, leading: Int = 100, trailing: Int = 70) -> DuplicateLimits {
        DuplicateLimits(leadingRecords: leading, trailingRecords: trailing, runEntries: 53, mergeMemory: 4096, directories: [dir])
    }

    /// Records drawn from few distinct ones (lots of duplicates: past the 1000 kept), in a file
    /// whose first copies are spread over both halves.
    static func manyDuplicates(lines: Bool) -> [UInt8] {
        let n = PartsEquivalenceTests.n
        // Some distinct records lack their output (an error) or have a blank one (a warning):
        // their copies have them too, before their "duplicate".
        func record(_ j: Int) -> PartsEquivalenceTests.Record {
            var r = PartsEquivalenceTests.alpaca(j)
            if j % 11 == 5 { r.removeLast() }
            else if j % 13 == 7 { r[2] = ("output", "\"  \"") }
            return r
        }
        let records = (0..<n).map { i in record(i < 200 ? i : (i * 7919) % (200 + i / 10)) }
        return Array((lines ? PartsEquivalenceTests.lines(records) : PartsEquivalenceTests.array(records)).utf8)
    }

    static let cases = ["dups-across.json", "dups-across.jsonl", "type-changes.json", "kto-halves.jsonl", "syntax-half1.json",
                        "syntax-half2.jsonl", "utf8-half2.json", "minified.json", "many-issues.jsonl", "truncated.json",
                        "many-dups.json", "many-dups.jsonl", "many-dups-syntax.jsonl"]

    static func contents(_ name: String) -> [UInt8] {
        switch name {
        case "many-dups.json": return manyDuplicates(lines: false)
        case "many-dups.jsonl": return manyDuplicates(lines: true)
        case "many-dups-syntax.jsonl": return manyDuplicates(lines: true) + Array("{\"instruction\": oops}\n".utf8)
        default: return PartsEquivalenceTests.contents(name)
        }
    }

    static func expectSame(_ a: ValidationReport, _ b: ValidationReport, _ what: String) {
        #expect(a.issues == b.issues, "\(what)")
        #expect(a.counts == b.counts, "\(what)")
        #expect(a.errorCount == b.errorCount && a.warningCount == b.warningCount, "\(what)")
        #expect(a.invalidRecords == b.invalidRecords, "\(what)")
        #expect(a.records == b.records && a.validRecords == b.validRecords, "\(what)")
    }

    @Test("spilled duplicates give the in-memory report, in one pass and in two parts", arguments: cases)
    func sameReport(_ name: String) throws {
        let dir = try TempDir("lfm-bounded")
        let scratch = try TempDir("lfm-bounded-scratch")
        let path = try dir.write(name, Self.contents(name))
        var spec = DatasetSpec()
        if let sample = try? FileValidator.sample(path: path), let detected = try? FormatDetector().detect(sample: sample.records, layout: sample.layout) {
            spec = detected.spec
        }
        var memory = FileValidator(spec: spec)
        memory.duplicateLimits = .unbounded
        let reference = try memory.validateSequentially(path: path)
        #expect(reference.records > 0)
        if name.hasPrefix("many-dups") || name.hasPrefix("dups-across") {
            #expect(reference.counts["duplicate", default: 0] > (name.hasPrefix("many") ? ValidationReport.keepPerCode : 0))
        }
        // Both halves spill; only the first; only the second.
        for (leading, trailing) in [(100, 70), (100, 1 << 20), (1 << 20, 70)] {
            var bounded = FileValidator(spec: spec)
            bounded.duplicateLimits = Self.tiny(scratch.path, leading: leading, trailing: trailing)
            Self.expectSame(reference, try bounded.validateSequentially(path: path), "one pass, limits \(leading)/\(trailing)")
            let (two, outcome) = try bounded.validateInParts(path: path, minimumSize: 0)
            Self.expectSame(reference, two, "two parts (\(outcome)), limits \(leading)/\(trailing)")
        }
        // Nothing left in the scratch folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }

    @Test("without a temporary folder the index stays in memory and the report is the same")
    func noTemporaryFile() throws {
        let dir = try TempDir("lfm-bounded")
        let path = try dir.write("dups.jsonl", Self.manyDuplicates(lines: true))
        let reference = try FileValidator(spec: DatasetSpec()).validateSequentially(path: path)
        var bounded = FileValidator(spec: DatasetSpec())
        bounded.duplicateLimits = DuplicateLimits(leadingRecords: 10, trailingRecords: 10, runEntries: 5, mergeMemory: 4096,
                                                  directories: [dir.path + "/missing"])
        Self.expectSame(reference, try bounded.validateSequentially(path: path), "one pass")
        Self.expectSame(reference, try bounded.validateInParts(path: path, minimumSize: 0).report, "two parts")
        let index = DuplicateIndex(.leading, limits: bounded.duplicateLimits)
        for i in 0..<100 { _ = index.add(hash: UInt64(i % 30), line: i + 1) }
        #expect(!index.spilled)
        #expect(index.heldInMemory == 100)
    }

    @Test("a spill write that fails (full disk) means validating again in memory: same report")
    func failedWrite() throws {
        let dir = try TempDir("lfm-bounded")
        let path = try dir.write("dups.jsonl", Self.manyDuplicates(lines: true))
        let reference = try FileValidator(spec: DatasetSpec()).validateSequentially(path: path)
        var bounded = FileValidator(spec: DatasetSpec())
        bounded.duplicateLimits = Self.tiny(dir.path)
        bounded.duplicateLimits.failWrites = true
        Self.expectSame(reference, try bounded.validateSequentially(path: path), "one pass")
        let (two, outcome) = try bounded.validateInParts(path: path, minimumSize: 0)
        Self.expectSame(reference, two, "two parts")
        if RecordReader.usableCPUs() >= 2 {
            guard case .fellBack(_, let why) = outcome else {
                Issue.record("expected a fallback, got \(outcome)")
                return
            }
            #expect(why.contains("temporary file failed"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["dups.jsonl"])
    }

    /// Every record's first earlier copy, the slow way.
    static func naive(_ hashes: [UInt64]) -> [DuplicateFinding] {
        var first: [UInt64: Int] = [:]
        var out: [DuplicateFinding] = []
        for (i, h) in hashes.enumerated() {
            if let f = first[h] { out.append(DuplicateFinding(record: i, line: 10 + i, first: f)) } else { first[h] = i }
        }
        return out
    }

    @Test("a spilled index holds at most its limit plus one run in memory and finds every duplicate", arguments: [(.leading, 40), (.trailing, 40), (.leading, 5000)] as [(DuplicateIndex.Role, Int)])
    func boundedIndex(role: DuplicateIndex.Role, limit: Int) throws {
        let dir = try TempDir("lfm-bounded")
        var rng = SplitMix(seed: 42)
        let hashes = (0..<3000).map { _ in rng.next() % 700 &* 0x9E37_79B9_7F4A_7C15 }
        let limits = DuplicateLimits(leadingRecords: limit, trailingRecords: limit, runEntries: 64, mergeMemory: 1024, directories: [dir.path])
        let index = DuplicateIndex(role, limits: limits)
        var inline: [DuplicateFinding] = []
        var most = 0
        for (i, h) in hashes.enumerated() {
            if let first = index.add(hash: h, line: 10 + i) { inline.append(DuplicateFinding(record: i, line: 10 + i, first: first)) }
            most = max(most, index.heldInMemory)
        }
        let expected = Self.naive(hashes)
        guard limit < hashes.count else {
            #expect(!index.spilled)
            #expect(role == .trailing || inline == expected)
            return
        }
        #expect(index.spilled)
        #expect(most <= limit + limits.runEntries)
        if role == .leading { #expect(inline == expected.filter { $0.record < limit }) }
        let found = try DuplicateIndex.resolve([(index, 0, 0)], keep: 100_000, memory: limits.mergeMemory)
        let late = role == .leading ? expected.filter { $0.record >= limit } : expected
        #expect(found.count == late.count)
        #expect(found.kept == late)
        // Keeping a few: the lowest records.
        let few = try DuplicateIndex.resolve([(index, 0, 0)], keep: 7, memory: limits.mergeMemory)
        #expect(few.count == late.count && few.kept == Array(late.prefix(7)))
    }

    @Test("sorted runs merge back every value in order")
    func sortedRuns() throws {
        let dir = try TempDir("lfm-bounded")
        var rng = SplitMix(seed: 7)
        let a = try #require(SortedRuns<UInt64>(bufferCapacity: 33, directories: [dir.path]))
        let b = try #require(SortedRuns<UInt64>(bufferCapacity: 1000, directories: [dir.path]))
        var values: [UInt64] = []
        for i in 0..<2000 {
            let v = rng.next() % 500
            values.append(i < 1500 ? v : v + 1)
            if i < 1500 { a.append(v) } else { b.append(v) }
        }
        var merged: [UInt64] = []
        try SortedRuns.merge([(a, { $0 }), (b, { $0 + 1 })], memory: 256) { merged.append($0) }
        #expect(merged == values.sorted())
        #expect(a.runs.count == 1500 / 33 + 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}

