import Foundation
import LFMCore
import Testing
@testable import LFMTools

/// `lfm stats` reads a large file as two halves on two cores; the merged report must be the
/// one-pass report, field by field (distributions with their exact values in record order).
@Suite struct StatsPartsTests {
    /// Records with what the merge must get right: duplicates within each half and across the
    /// split, unreadable records, empty prompts/responses, system prompts, CJK and Latin text,
    /// escapes and multi-line strings.
    static func records(_ n: Int, preference: Bool = false) -> [JSONValue] {
        var rng = SplitMix64(seed: 42)
        let words = ["数据", "模型", "训练", "LoRA", "batch size", "2048", "，", "。", "hello", "Ünïcödé", "😀", "\n", "\t", "\"quoted\"", "a\\b"]
        func text(_ count: Int) -> String { (0..<count).map { _ in words[rng.below(words.count)] }.joined(separator: " ") }
        var out: [JSONValue] = []
        for i in 0..<n {
            var members: [JSONMember] = [JSONMember("instruction", .string(i % 17 == 0 ? "" : text(rng.below(30))))]
            members.append(JSONMember("input", .string(i % 2 == 0 ? "" : text(rng.below(10)))))
            if preference {
                members.append(JSONMember("chosen", .string(text(rng.below(40)))))
                if i % 23 != 0 { members.append(JSONMember("rejected", .string(text(rng.below(40))))) }
            } else if i % 31 != 0 {
                members.append(JSONMember("output", .string(i % 13 == 0 ? "" : text(rng.below(60)))))
            }
            if i % 7 == 0 { members.append(JSONMember("system", .string(text(rng.below(8))))) }
            out.append(.object(JSONObject(members)))
        }
        // Duplicates: early records again in the first half, the second half, and at the end.
        for (at, from) in [(10, 3), (n / 2 + 5, 4), (n / 2 + 9, n / 2 + 6), (n - 2, 7)] where at < out.count { out[at] = out[from] }
        out.append(out[1])
        out.append(out[n - 10])
        return out
    }

    static func collect(_ path: String, split: Bool) throws -> (report: StatsCollector.Report, split: Bool) {
        var collector = StatsCollector()
        collector.partsMinimumSize = split ? 0 : Int.max
        return try collector.collectReportingSplit(try DatasetInput.file(path), cutoffLen: 512)
    }

    @Test("two parts give the one-pass report", arguments: ["sft.json", "sft.jsonl", "pref.json", "pref.jsonl"])
    func sameReport(_ name: String) throws {
        let dir = try TempDir()
        let path = try dir.records(name, Self.records(3000, preference: name.hasPrefix("pref")), jsonl: name.hasSuffix(".jsonl"))
        let one = try Self.collect(path, split: false)
        let two = try Self.collect(path, split: true)
        #expect(!one.split)
        if TwoPartReader.usableCPUs >= 2 { #expect(two.split) }
        #expect(two.report == one.report)
        #expect(one.report.duplicates >= 5 && one.report.unreadable > 0 && one.report.emptyPrompts > 0)
    }

    @Test("files that cannot be split cleanly are read in one pass: same report, same error")
    func fallBack() throws {
        let dir = try TempDir()
        let records = Self.records(2000)
        // Minified: no record boundary to split at.
        let minified = try dir.file("min.json", JSONPrinter(indent: nil).string(.array(records)))
        let one = try Self.collect(minified, split: false)
        let two = try Self.collect(minified, split: true)
        #expect(!two.split && two.report == one.report)
        // A syntax error in the second half: the one-pass error.
        var lines = records.map { JSONPrinter(indent: nil).string($0) }
        lines[1500] = "{\"instruction\": \"broken\", "
        let broken = try dir.file("broken.jsonl", lines.joined(separator: "\n") + "\n")
        func message(_ split: Bool) -> String {
            do { _ = try Self.collect(broken, split: split); return "no error" } catch { return "\(error)" }
        }
        #expect(message(true) == message(false))
        #expect(message(false).contains("broken.jsonl"))
    }

    @Test("merging distributions equals adding every value, also past the exact limit")
    func mergeDistributions() {
        var rng = SplitMix64(seed: 3)
        let values = (0..<(LengthDistribution.exactLimit + 50)).map { _ in rng.below(5000) }
        var whole = LengthDistribution()
        for v in values { whole.add(v) }
        for cut in [0, 1, 1000, values.count / 2, LengthDistribution.exactLimit, values.count - 1, values.count] {
            var head = LengthDistribution(), tail = LengthDistribution()
            for v in values[..<cut] { head.add(v) }
            for v in values[cut...] { tail.add(v) }
            head.merge(tail)
            #expect(head == whole, "cut at \(cut)")
        }
        var small = LengthDistribution(), a = LengthDistribution(), b = LengthDistribution()
        for v in [5, 0, 9] { small.add(v); a.add(v) }
        for v in [7, 1] { small.add(v); b.add(v) }
        a.merge(b)
        #expect(a == small && a.percentiles([50, 100]) == [5, 9])
    }
}
