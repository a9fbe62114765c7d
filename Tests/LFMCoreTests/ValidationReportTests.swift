import Foundation
import Testing
@testable import LFMCore

/// Validation reports EVERY problem, not just the first, grouped by rule with totals.
@Suite("Validation report")
struct ValidationReportTests {
    static func validate(_ text: String, ext: String = "json", spec: DatasetSpec? = nil) throws -> ValidationReport {
        let dir = try TempDir()
        let path = try dir.write("data.\(ext)", text)
        var used = spec ?? DatasetSpec()
        if spec == nil {
            let sample = try FileValidator.sample(path: path)
            used = try FormatDetector().detect(sample: sample.records, layout: sample.layout).spec
        }
        return try FileValidator(spec: used).validate(path: path)
    }

    @Test("three different bad records give three issues, one per record, with lines")
    func threeBadRecords() throws {
        let text = """
        [
          {"instruction": "fine", "input": "", "output": "ok"},
          {"instruction": "object output", "input": "", "output": {"a": 1}},
          {"instruction": "", "input": "", "output": "empty prompt"},
          {"instruction": "fine again", "input": "", "output": "ok"},
          {"instruction": "bad history", "input": "", "output": "x", "history": [["q"]]}
        ]
        """
        let report = try Self.validate(text)
        #expect(report.records == 5)
        #expect(report.validRecords == 2)
        #expect(report.invalidRecords == [1, 2, 4])
        #expect(report.errorCount == 3)
        #expect(report.issues.map(\.code) == ["response-not-string", "empty-prompt", "history-not-pairs"])
        #expect(report.issues.map(\.record) == [1, 2, 4])
        #expect(report.issues.map(\.line) == [3, 4, 6])
        #expect(report.issues.map(\.path) == ["output", "instruction", "history[0]"])
        #expect(report.groups.map(\.total) == [1, 1, 1])
    }

    @Test("issues are grouped by rule with totals, errors before warnings")
    func grouping() throws {
        var records: [String] = []
        for i in 0..<30 {
            switch i % 3 {
            case 0: records.append(#"{"instruction": "", "input": " ", "output": "a\#(i)"}"#)
            case 1: records.append(#"{"instruction": "q\#(i)", "input": "", "output": " "}"#)
            default: records.append(#"{"instruction": "q\#(i)", "input": "", "output": "fine"}"#)
            }
        }
        records.append(records[2])
        let report = try Self.validate("[" + records.joined(separator: ",\n") + "]")
        #expect(report.counts == ["empty-prompt": 10, "empty-response": 10, "duplicate": 1])
        #expect(report.errorCount == 10 && report.warningCount == 11)
        let groups = report.groups
        #expect(groups.first?.code == "empty-prompt")
        #expect(groups.first?.severity == .error)
        #expect(Set(groups.dropFirst().map(\.code)) == ["empty-response", "duplicate"])
        #expect(groups.allSatisfy { $0.issues.map(\.record) == $0.issues.map(\.record).sorted { ($0 ?? 0) < ($1 ?? 0) } })
        #expect(groups.first { $0.code == "duplicate" }?.issues.first?.message == "same as record 2")
    }

    @Test("totals keep counting past the per-rule display limit")
    func manyIssues() throws {
        let count = ValidationReport.keepPerCode + 200
        let text = "[" + (0..<count).map { #"{"instruction": "q\#($0)", "input": "", "output": [\#($0)]}"# }.joined(separator: ",") + "]"
        let report = try Self.validate(text)
        #expect(report.counts["response-not-string"] == count)
        #expect(report.errorCount == count)
        #expect(report.issues.count == ValidationReport.keepPerCode)
        #expect(report.invalidRecords.count == count)
        #expect(report.groups.first?.total == count)
    }

    @Test("a syntax error after bad records keeps the issues found before it")
    func syntaxAfterIssues() throws {
        let report = try Self.validate("[{\"instruction\": \"q\", \"input\": \"\", \"output\": 1},\n {\"instruction\": \"q\", \"input\": \"\", \"output\": \"a\"},\n {\"instruction\": ", spec: DatasetSpec())
        #expect(report.counts["response-not-string"] == 1)
        #expect(report.counts["syntax"] == 1)
        #expect(report.issues.last?.message.contains("(line 3, column 18, byte ") == true)
    }

    @Test("pyarrow type changes across records are reported once per record")
    func typeChanges() throws {
        let report = try Self.validate(#"[{"instruction": "q", "input": "", "output": "a", "extra": "s"}, {"instruction": "q2", "input": "", "output": "b", "extra": 1}]"#)
        #expect(report.counts["type-changes"] == 1)
        #expect(report.issues.first?.message == "\"extra\" is a number here but a string in record 0")
    }

    @Test("ShareGPT: function calls and observations alternate correctly; a system turn later is an error")
    func sharegptRoles() throws {
        let ok = #"{"conversations": [{"from": "system", "value": "s"}, {"from": "human", "value": "q"}, {"from": "function_call", "value": "{}"}, {"from": "observation", "value": "r"}, {"from": "gpt", "value": "a"}]}"#
        let late = #"{"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}, {"from": "system", "value": "s"}, {"from": "gpt", "value": "b"}]}"#
        let report = try Self.validate("[\(ok), \(late)]")
        #expect(report.invalidRecords == [1])
        #expect(report.issues.first?.path == "conversations[2].from")
    }

    @Test("DatasetName derives usable names and rejects unusable ones", arguments: [
        ("My Data.v2.json", "My_Data.v2"), ("/x/y/c4_demo.jsonl", "c4_demo"), ("a..b.txt", "a_b"), ("数据.json", "数据"), (".json", "dataset"),
    ])
    func names(_ file: String, _ expected: String) {
        let name = DatasetName.from(fileName: file)
        #expect(name == expected)
        #expect(DatasetName.problem(with: name) == nil)
    }
}
