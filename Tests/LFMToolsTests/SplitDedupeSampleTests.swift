import Foundation
import LFMCore
import Testing
@testable import LFMTools

func numbered(_ n: Int, label: (Int) -> Bool = { $0 % 3 == 0 }) -> [JSONValue] {
    (0..<n).map { i in
        .object(JSONObject([
            "instruction": .string("Question number \(i)?"), "input": .string(""), "output": .string("Answer \(i)."),
            "topic": .string(label(i) ? "math" : "prose"),
        ]))
    }
}

@Suite struct SplitTests {
    func split(_ path: String, into dir: String, val: Double = 0.1, test: Double = 0, seed: UInt64 = 42, stratify: String? = nil) throws -> Splitter.Report {
        var options = Splitter.Options(val: val)
        options.test = test
        options.seed = seed
        options.stratify = stratify
        return try Splitter(options: options).split(try DatasetInput.file(path), directory: dir)
    }

    @Test func exactCountsAndEveryRecordExactlyOnce() throws {
        let dir = try TempDir()
        let records = numbered(200)
        let path = try dir.records("d.json", records)
        let report = try split(path, into: dir.path("a"), val: 0.1, test: 0.05)
        #expect(report.parts.map(\.name) == ["d_train", "d_val", "d_test"])
        #expect(report.parts.map(\.records) == [170, 20, 10])
        var all: [JSONValue] = []
        for part in report.parts { all += try readRecords(part.path) }
        #expect(Set(all.map { JSONPrinter(indent: nil).string($0) }) == Set(records.map { JSONPrinter(indent: nil).string($0) }))
        #expect(all.count == 200)
        // Input order is kept inside each part.
        let train = try readRecords(report.parts[0].path).map { $0["instruction"]!.stringValue! }
        let order = records.map { $0["instruction"]!.stringValue! }.filter(Set(train).contains)
        #expect(train == order)
        #expect(report.validation.allSatisfy { !$0.hasErrors })
    }

    @Test func sameSeedSameFilesOtherSeedOtherSplit() throws {
        let dir = try TempDir()
        let path = try dir.records("d.jsonl", numbered(100), jsonl: true)
        let a = try split(path, into: dir.path("a"))
        let b = try split(path, into: dir.path("b"))
        let c = try split(path, into: dir.path("c"), seed: 7)
        for i in 0..<2 { #expect(try read(a.parts[i].path) == read(b.parts[i].path)) }
        #expect(try read(a.parts[1].path) != read(c.parts[1].path))
        #expect(a.parts[0].path.hasSuffix("d_train.jsonl"))
        // The assignment itself is pinned, so a Swift or platform change cannot move records.
        let first = Splitter(options: Splitter.Options(val: 0.3)).assignments(count: 10, strata: nil)
        #expect(first == Splitter(options: Splitter.Options(val: 0.3)).assignments(count: 10, strata: nil))
        #expect(first.filter { $0 == 1 }.count == 3)
    }

    @Test func stratifiedKeepsShares() throws {
        let dir = try TempDir()
        let path = try dir.records("d.json", numbered(90))   // 30 math, 60 prose
        let report = try split(path, into: dir.path("s"), val: 0.2, stratify: "topic")
        let strata = Dictionary(uniqueKeysWithValues: report.strata.map { ($0.value, $0.counts) })
        #expect(strata["math"] == [24, 6, 0])
        #expect(strata["prose"] == [48, 12, 0])
    }

    @Test func refusesBadFractionsAndExistingFiles() throws {
        let dir = try TempDir()
        let path = try dir.records("d.json", numbered(10))
        #expect(throws: ToolError.self) { try split(path, into: dir.path, val: 0.6, test: 0.5) }
        _ = try split(path, into: dir.path("x"))
        #expect(throws: ToolError.self) { try split(path, into: dir.path("x")) }
    }
}

@Suite struct DedupeTests {
    static let base = "Explain how photosynthesis turns sunlight, water and carbon dioxide into glucose and oxygen inside the chloroplasts of green plants."

    @Test func normalizationFoldsCaseSpacePunctuationAndWidth() {
        #expect(Deduper.normalize("  Hello,   WORLD!! ") == "hello world")
        #expect(Deduper.normalize("ＡＢＣ　１２３。") == "abc 123")
        #expect(Deduper.normalize("你好，世界！") == "你好世界")
    }

    @Test func plantedDuplicatesAreFoundAndOnlyThose() throws {
        let dir = try TempDir()
        func rec(_ s: String, _ out: String = "ok") -> JSONValue {
            .object(JSONObject(["instruction": .string(s), "input": .string(""), "output": .string(out)]))
        }
        let records: [JSONValue] = [
            rec(Self.base),                                                             // 0 kept
            rec("Write a haiku about autumn leaves falling on a quiet river."),        // 1 kept
            rec(Self.base, "different answer"),                                        // 2 exact (prompt)
            rec(Self.base.uppercased().replacingOccurrences(of: ",", with: "")),       // 3 normalized
            rec("ＷＲＩＴＥ　ａ ｈａｉｋｕ about autumn leaves falling on a quiet river"),   // 4 normalized (full-width)
            rec(Self.base.replacingOccurrences(of: "green plants", with: "green algae")), // 5 near
            rec("List three prime numbers greater than one hundred."),                 // 6 kept
            rec("Explain how a steam engine converts heat into mechanical work."),     // 7 kept
        ]
        let path = try dir.records("d.json", records)
        let input = try DatasetInput.file(path)
        let deduper = Deduper()
        var report = try deduper.find(input)
        #expect(report.removed[.exact] == 1 && report.removed[.normalized] == 2 && report.removed[.near] == 1)
        #expect(report.removedIndexes == [2, 3, 4, 5])
        let near = try #require(report.examples.first { $0.kind == .near })
        #expect(near.duplicateOf == 0 && near.similarity >= 0.85)
        try deduper.writeKept(input, report: &report, output: dir.path("kept.jsonl"), force: false)
        #expect(report.written == 4 && report.validation?.hasErrors == false)
        #expect(try readRecords(dir.path("kept.jsonl")) == [records[0], records[1], records[6], records[7]])

        var strict = Deduper.Options()
        strict.threshold = 0.99
        #expect(try Deduper(options: strict).find(input).removed[.near] == nil)
        var fields = Deduper.Options()
        fields.fields = ["output"]
        fields.near = false
        let byOutput = try Deduper(options: fields).find(input)
        #expect(byOutput.removedIndexes.count == 6)   // every "ok" after the first
    }

    @Test func similarityOfIdenticalAndUnrelatedTexts() {
        let d = Deduper()
        let a = d.signature(Deduper.normalize(Self.base))
        #expect(Deduper.similarity(a, a) == 1)
        let b = d.signature(Deduper.normalize("Completely unrelated sentence about databases and indexes."))
        #expect(Deduper.similarity(a, b) < 0.2)
    }
}

@Suite struct SampleTests {
    @Test func reservoirIsUniformSizedOrderedAndSeeded() throws {
        let dir = try TempDir()
        let path = try dir.records("d.jsonl", numbered(500), jsonl: true)
        let input = try DatasetInput.file(path)
        let a = try Sampler(count: 20, seed: 1).sample(input)
        let b = try Sampler(count: 20, seed: 1).sample(input)
        let c = try Sampler(count: 20, seed: 2).sample(input)
        #expect(a.records.count == 20 && a.total == 500)
        #expect(a.indexes == b.indexes && a.indexes != c.indexes)
        #expect(a.indexes == a.indexes.sorted() && Set(a.indexes).count == 20)
        #expect(a.records[0] == numbered(500)[a.indexes[0]])
        #expect(try Sampler(count: 900).sample(input).records.count == 500)
        // Uniform: over many seeds, early and late records are picked equally often
        // (1000 seeds × 5 picks: 2500 expected per half, σ ≈ 50).
        var firstHalf = 0, secondHalf = 0, last = 0
        for seed in 0..<1000 {
            for i in try Sampler(count: 5, seed: UInt64(seed)).sample(input).indexes {
                if i < 250 { firstHalf += 1 } else { secondHalf += 1 }
                if i == 499 { last += 1 }
            }
        }
        #expect(abs(firstHalf - secondHalf) < 400, "\(firstHalf) vs \(secondHalf)")
        #expect(last > 0)
    }
}
