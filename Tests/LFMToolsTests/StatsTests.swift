import Foundation
import LFMCore
import Testing
import TestSupport
@testable import LFMTools

@Suite struct StatsTests {
    @Test func estimateCountsCJKWordsAndSymbols() {
        #expect(EstimatedTokenCounter.estimate("") == 0)
        #expect(EstimatedTokenCounter.estimate("hello world") == 3)        // 2 words × 1.3 = 2.6 → 3
        #expect(EstimatedTokenCounter.estimate("你好") == 2)
        #expect(EstimatedTokenCounter.estimate("a, b!") == 5)             // 2 words → 3, 2 symbols
        #expect(EstimatedTokenCounter.estimate("用 Swift 6 写") == 5)      // 2 CJK + ceil(2 × 1.3)
    }

    @Test func percentilesAreNearestRank() {
        var d = LengthDistribution()
        for v in [5, 1, 4, 2, 3, 10, 9, 8, 7, 6] { d.add(v) }
        #expect(d.min == 1 && d.max == 10 && d.count == 10 && d.sum == 55)
        #expect(d.percentiles([50, 90, 99, 100]) == [5, 9, 10, 10])
        #expect(d.countAbove(7) == 3)
        #expect(d.bins[1] == 1 && d.bins[2] == 2 && d.bins[3] == 4 && d.bins[4] == 3)   // 1 | 2–3 | 4–7 | 8–15
    }

    @Test func sketchStaysWithinOnePercentPastTheExactLimit() {
        var d = LengthDistribution()
        var rng = SplitMix64(seed: 1)
        var values: [Int] = []
        for _ in 0..<(LengthDistribution.exactLimit + 1000) {
            let v = rng.below(20_000)
            values.append(v)
            d.add(v)
        }
        #expect(!d.isExact)
        values.sort()
        for p in [50.0, 90, 99] {
            let exact = values[Int((p / 100 * Double(values.count)).rounded(.up)) - 1]
            let approx = d.percentile(p)
            #expect(abs(approx - exact) <= max(2, exact / 100 + 1), "p\(p): \(approx) vs \(exact)")
        }
    }

    @Test func handComputedFixture() throws {
        let dir = try TempDir()
        // prompt chars: 5, 10, 2, 5 (dup); response chars: 3, 20, 0, 3; system "sys" on record 1.
        let path = try dir.records("s.json", [
            json(#"{"instruction": "abcde", "input": "", "output": "xyz"}"#),
            json(#"{"instruction": "abcd", "input": "efghi", "output": "aaaaaaaaaaaaaaaaaaaa", "system": "sys"}"#),
            json(#"{"instruction": "你好", "input": "", "output": ""}"#),
            json(#"{"instruction": "abcde", "input": "", "output": "xyz"}"#),
        ])
        let report = try StatsCollector().collect(try DatasetInput.file(path), cutoffLen: 4)
        #expect(report.records == 4 && report.unreadable == 0)
        let prompt = try #require(report.field("prompt"))
        // record 1's prompt is "sys\nabcd\nefghi" (system, then instruction and input joined): 14 chars.
        #expect(prompt.chars.percentiles([0.1, 50, 100]) == [2, 5, 14])
        let response = try #require(report.field("response"))
        #expect(response.chars.min == 0 && response.chars.max == 20)
        let total = try #require(report.field("total"))
        #expect(total.chars.percentiles([25, 50, 75, 100]) == [2, 8, 8, 34])
        #expect(report.field("system")?.chars.count == 1)
        #expect(report.field("system")?.tokens.max == 2)               // "sys": 1 word → ceil(1.3)
        // tokens per record (estimate): "abcde"+"xyz" = 2+2, "sys\nabcd\nefghi"+"a…a" = 4+2, "你好"+"" = 2, dup = 4
        #expect(total.tokens.percentiles([25, 50, 100]) == [2, 4, 6])
        #expect(report.truncatedShare(at: 4) == 0.25)
        #expect(report.duplicates == 1)
        #expect(report.emptyResponses == 1 && report.emptyPrompts == 0)
        #expect(report.turns.max == 2 && report.turns.min == 2)
        #expect(report.cjkCharacters == 2)
        #expect(report.latinLetters == 5 + 3 + 3 + 9 + 20 + 5 + 3)
        #expect(report.suggestedCutoff == 128)
        #expect(!report.tokensExact && report.tokenMethod.hasPrefix("estimate"))
    }

    @Test func preferenceAndMultiTurnFields() throws {
        let dir = try TempDir()
        let path = try dir.records("p.json", alpacaPreference)
        let report = try StatsCollector().collect(try DatasetInput.file(path))
        #expect(report.fields.map(\.name) == ["prompt", "chosen", "rejected", "system", "total"])
        #expect(report.field("chosen")?.chars.max == 9)
        #expect(report.field("rejected")?.chars.max == 3)
        #expect(report.turns.max == 4)      // history pair + prompt + answer
        let text = try dir.file("t.txt", "one line\nsecond line here\n")
        let pretrain = try StatsCollector().collect(try DatasetInput.file(text))
        #expect(pretrain.fields.map(\.name) == ["text", "system", "total"])
        #expect(pretrain.field("text")?.chars.max == 16)
    }

    static let venvPython = "/root/.cache/lfm/venv-lf-0.9.5/bin/python"
    static let tinyModel = "/root/.cache/lfm/tiny-llama3"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: venvPython) && FileManager.default.fileExists(atPath: tinyModel + "/tokenizer.json")))
    func exactCountsMatchTheModelTokenizer() async throws {
        let texts = ["Hello world", "", "你好，世界", "line\nbreak \"quoted\""]
        let many = (0..<3000).map { "record \($0) " + String(repeating: "x", count: $0 % 50) }
        // The counter blocks while python loads transformers: on its own thread, not the pool's.
        let (counts, manyCount) = try await offThePool { () throws -> ([Int], Int) in
            let counter = try PythonTokenCounter(tokenizer: Self.tinyModel, python: Self.venvPython)
            return (try counter.count(texts), try counter.count(many).count)
        }
        // The same texts counted directly in Python.
        let script = "import json,sys\nfrom transformers import AutoTokenizer\nt=AutoTokenizer.from_pretrained(sys.argv[1])\nprint(' '.join(str(len(t(x, add_special_tokens=False)['input_ids'])) for x in json.load(sys.stdin)))"
        // Input and output through files and an awaited exit: no test thread blocks on a pipe.
        let dir = try TempDir()
        let input = try dir.file("texts.json", JSONPrinter(indent: nil).string(.array(texts.map { .string($0) })))
        let output = try dir.file("counts.txt", "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.venvPython)
        process.arguments = ["-c", script, Self.tinyModel]
        process.standardInput = FileHandle(forReadingAtPath: input)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        try await process.runToExit()
        let answer = try read(output)
        #expect(counts == answer.split(whereSeparator: \.isWhitespace).compactMap { Int($0) })
        #expect(counts[1] == 0)
        // Many batches through one process.
        #expect(manyCount == 3000)
    }

    @Test func missingPythonIsAClearError() {
        #expect(throws: ToolError.self) { try PythonTokenCounter(tokenizer: "x", python: "/nonexistent/python") }
    }
}
