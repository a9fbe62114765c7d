import Foundation
import LFMCore
import Testing
@testable import LFMTools

/// `lfm dedupe` reads a large file as two halves on two cores; the report must be the one-pass
/// report: the same removals, kinds, first occurrences and similarities, in the same order.
@Suite struct DedupePartsTests {
    /// Distinct prompts with exact, normalized and near copies planted within each half and
    /// across the split.
    static func records(_ n: Int) -> [JSONValue] {
        var rng = SplitMix64(seed: 15)
        let words = ["数据", "模型", "训练", "微调", "LoRA", "batch", "size", "learning", "rate", "epoch", "token", "2048",
                     "gradient", "checkpoint", "adapter", "数据集", "评估", "optimizer", "warmup", "schedule"]
        func text() -> String { (0..<(12 + rng.below(30))).map { _ in words[rng.below(words.count)] }.joined(separator: " ") }
        var prompts = (0..<n).map { _ in text() }
        for i in stride(from: 40, to: n, by: 9) {
            let from = rng.below(i)
            switch i % 4 {
            case 0: prompts[i] = prompts[from]                                              // exact
            case 1: prompts[i] = prompts[from].uppercased() + "！"                           // normalized
            case 2: prompts[i] = prompts[from].replacingOccurrences(of: " ", with: "　")    // normalized (full-width space)
            default: prompts[i] = prompts[from] + " " + words[rng.below(words.count)]       // near (mostly)
            }
        }
        return prompts.enumerated().map { i, p in
            .object(JSONObject(["instruction": .string(p), "input": .string(i % 3 == 0 ? "附加" : ""), "output": .string("answer \(i)")]))
        }
    }

    @Test("two parts give the one-pass report", arguments: ["d.json", "d.jsonl"])
    func sameReport(_ name: String) throws {
        let dir = try TempDir()
        let path = try dir.records(name, Self.records(5000), jsonl: name.hasSuffix(".jsonl"))
        let input = try DatasetInput.file(path)
        for near in [true, false] {
            var options = Deduper.Options()
            options.near = near
            var one = Deduper(options: options), two = Deduper(options: options)
            one.partsMinimumSize = .max
            two.partsMinimumSize = 0
            let a = try one.findReportingSplit(input, examplesPerKind: 1000)
            let b = try two.findReportingSplit(input, examplesPerKind: 1000)
            #expect(!a.split)
            if TwoPartReader.usableCPUs >= 2 { #expect(b.split) }
            #expect(b.report.records == a.report.records && b.report.removed == a.report.removed)
            #expect(b.report.removedIndexes == a.report.removedIndexes)
            #expect(b.report.examples == a.report.examples)
            #expect((a.report.removed[.exact] ?? 0) > 20 && (a.report.removed[.normalized] ?? 0) > 20)
            if near { #expect((a.report.removed[.near] ?? 0) > 10) }
            // Removals from the second half whose first copy is in the first.
            let half = a.report.records / 2
            #expect(a.report.examples.contains { $0.index > half + 10 && $0.duplicateOf < half - 10 })
        }
    }
}
