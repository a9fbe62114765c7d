import Foundation
import Testing
@testable import LFMCore

/// The two-part validator (forced to split small files: `minimumSize: 0`) must give exactly the
/// report of the one-pass validator on files made to break the merge: duplicates, type changes
/// and issues on both sides of the split, errors in either half, Chinese text with escapes and
/// invalid UTF-8, layouts that must not split. (`lfm-bench selfcheck-parts` runs the same
/// comparison on larger files.)
@Suite struct PartsEquivalenceTests {
    typealias Record = [(String, String)]

    static let n = 3000

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    static func alpaca(_ i: Int) -> Record {
        let zh = String(repeating: "训练数据的质量，", count: 1 + i % 9)
        return [("instruction", quote("任务 \(i): \(zh)")),
                ("input", quote(i % 3 == 0 ? "" : "context \(i) \"q\" \\ \(zh)")),
                ("output", quote("回答 \(i)\n\t\(zh) done"))]
    }

    static func array(_ records: [Record], crlf: Bool = false) -> String {
        let nl = crlf ? "\r\n" : "\n"
        let blocks = records.map { r in "  {" + nl + r.map { "    \(quote($0.0)): \($0.1)" }.joined(separator: "," + nl) + nl + "  }" }
        return "[" + nl + blocks.joined(separator: "," + nl) + nl + "]" + nl
    }

    static func compact(_ r: Record) -> String { "{" + r.map { "\(quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}" }
    static func lines(_ records: [Record]) -> String { records.map(compact).joined(separator: "\n") + "\n" }

    /// Replaces the first occurrence of `marker` (UTF-8) in `text` at or after its record `at`.
    static func corrupt(_ text: String, after marker: String, with bytes: [UInt8]) -> [UInt8] {
        var data = Array(text.utf8)
        let m = Array(marker.utf8)
        guard let k = data.indices.first(where: { data[$0..<min($0 + m.count, data.count)].elementsEqual(m) }) else { return data }
        data.replaceSubrange((k + m.count)..<(k + m.count + 3), with: bytes)
        return data
    }

    static func replace(_ data: [UInt8], _ old: [UInt8], with new: [UInt8]) -> [UInt8] {
        guard let k = data.indices.first(where: { data[$0..<min($0 + old.count, data.count)].elementsEqual(old) }) else { return data }
        var out = data
        out.replaceSubrange(k..<(k + old.count), with: new)
        return out
    }

    static let cases: [String] = [
        "dups-across.json", "dups-across.jsonl", "type-changes.json", "type-changes.jsonl", "type-first-differs.jsonl",
        "kto-halves.jsonl", "syntax-half1.json", "syntax-half2.jsonl", "utf8-half1.jsonl", "utf8-half2.json",
        "utf8-cut-before-quote.jsonl", "utf8-surrogate.json", "blank-lines-bom.jsonl", "crlf-bom.json", "minified.json",
        "nested-lookalike.json", "sharegpt.json", "non-object-half2.json", "many-issues.jsonl", "truncated.json",
    ]

    static func contents(_ name: String) -> [UInt8] {
        let n = Self.n
        var records = (0..<n).map(alpaca)
        switch name {
        case "dups-across.json", "dups-across.jsonl":
            for i in stride(from: n / 2 + 10, to: n, by: 5) { records[i] = alpaca(i % 700) }
            for i in stride(from: n / 2 + 12, to: n, by: 50) { records[i] = alpaca(n / 2 + 1) }
        case "type-changes.json", "type-changes.jsonl":
            records[n / 2 + 100][1] = ("input", "[\"a\"]")
            records[n / 2 + 200].append(("late", "1"))
            records[n / 2 + 300].append(("late", "\"x\""))
            records[10].append(("nully", "null"))
            records[n / 2 + 400].append(("nully", "true"))
            records[n - 1][0] = ("instruction", "5")
        case "type-first-differs.jsonl":
            records[5].append(("extra", "1"))
            for i in (n / 2 - 100)..<n { records[i].append(("extra", "\"text\"")) }
        case "kto-halves.jsonl":
            records = (0..<n).map { alpaca($0) + [("kto_tag", $0 < n / 2 + 100 ? "true" : "false")] }
        case "syntax-half1.json":
            return Array(array(records).replacingOccurrences(of: "任务 \(n / 4): ", with: "任务 \(n / 4): \u{1}").utf8)
        case "syntax-half2.jsonl":
            return Array(lines(records).replacingOccurrences(of: "任务 \(n * 3 / 4): ", with: "任务 \(n * 3 / 4): \\x").utf8)
        case "utf8-half1.jsonl":
            return corrupt(lines(records), after: "任务 \(n / 5): 训", with: [0xE8, 0x41, 0x41])
        case "utf8-half2.json":
            return corrupt(array(records), after: "任务 \(n * 5 / 6): 训练", with: [0xFF, 0xAD, 0xAD])
        case "utf8-cut-before-quote.jsonl":
            // A 3-byte sequence cut short right before a closing quote, in the second half.
            records[n * 2 / 3][2] = ("output", quote("回答 终止"))
            return replace(Array(lines(records).utf8), Array("终止\"".utf8), with: Array("终".utf8) + [0xE6, 0xAD, 0x22])
        case "utf8-surrogate.json":
            return corrupt(array(records), after: "任务 \(n * 3 / 5): ", with: [0xED, 0xA0, 0x80])
        case "blank-lines-bom.jsonl":
            let text = (0..<n).map { compact(alpaca($0)) + ($0 % 7 == 0 ? "\r\n\n  \t\r\n" : $0 % 5 == 0 ? "\r\n" : "\n") }.joined()
            return Array(("\u{FEFF}" + text).utf8)
        case "crlf-bom.json":
            return Array(("\u{FEFF}" + array(records, crlf: true)).utf8)
        case "minified.json":
            return Array(("[" + records.map(compact).joined(separator: ",") + "]").utf8)
        case "nested-lookalike.json":
            for i in stride(from: 1, to: n, by: 2) { records[i].append(("history", "[\n  {\"a\": 1},\n  {\"b\": 2}\n  ]")) }
        case "sharegpt.json":
            records = (0..<n).map { i in
                let roles = i % 97 == 0 ? ["human", "human"] : ["human", "gpt"]
                let turns = roles.enumerated().map { "{\"from\": \"\($0.element)\", \"value\": \(quote("第 \($0.offset) 轮 \(i)"))}" }
                return [("conversations", "[" + turns.joined(separator: ", ") + "]")]
            }
        case "non-object-half2.json":
            return Array(array(records).replacingOccurrences(of: "  {\n    \"instruction\": \"任务 \(n * 3 / 4 + 1): ",
                                                             with: "  [1, 2],\n  {\n    \"instruction\": \"任务 \(n * 3 / 4 + 1): ").utf8)
        case "many-issues.jsonl":
            records = (0..<n).map { i in
                var r = alpaca(i)
                switch i % 3 {
                case 0: r.removeLast()
                case 1: r[2] = ("output", "\"  \"")
                default: r[2] = ("output", "42")
                }
                return r
            }
        case "truncated.json":
            return Array(array(records).utf8.dropLast(40))
        default:
            break
        }
        return Array((name.hasSuffix(".jsonl") ? lines(records) : array(records)).utf8)
    }

    @Test("two parts give the one-pass report", arguments: cases)
    func sameReport(_ name: String) throws {
        let dir = try TempDir("lfm-parts")
        let path = try dir.write(name, Self.contents(name))
        let spec: DatasetSpec
        if let sample = try? FileValidator.sample(path: path), let detected = try? FormatDetector().detect(sample: sample.records, layout: sample.layout) {
            spec = detected.spec
        } else {
            spec = DatasetSpec()
        }
        let validator = FileValidator(spec: spec)
        let one = try validator.validateSequentially(path: path)
        let (two, outcome) = try validator.validateInParts(path: path, minimumSize: 0)
        #expect(one.records > 0)
        #expect(one.issues == two.issues, "\(outcome)")
        #expect(one.counts == two.counts)
        #expect(one.errorCount == two.errorCount && one.warningCount == two.warningCount)
        #expect(one.invalidRecords == two.invalidRecords)
        #expect(one.records == two.records && one.validRecords == two.validRecords && one.bytes == two.bytes)
        #expect(one.layout == two.layout)
        #expect(one.fieldsInValidRecords == two.fieldsInValidRecords)
        if RecordReader.usableCPUs() >= 2, ["dups-across.jsonl", "type-changes.json", "kto-halves.jsonl", "crlf-bom.json"].contains(name) {
            guard case .split = outcome else {
                Issue.record("expected a merged split, got \(outcome)")
                return
            }
        }
    }
}
