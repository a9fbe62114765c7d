import Foundation
import Testing
@testable import LFMCore

/// Field coverage: what LLaMA-Factory 0.9.5 reads from each record for an entry, and the fields it
/// would drop silently (checked against the real loader by Tests/Conformance/field_coverage.sh).
@Suite("Field coverage")
struct FieldCoverageTests {
    /// 30 Alpaca records; 3 carry system and history; all carry an id.
    static let alpaca: String = {
        var rows: [String] = []
        for n in 0..<30 {
            var row = "{\"instruction\": \"Say \(n)\", \"input\": \"ctx \(n)\", \"output\": \"\(n)\", \"id\": \(n)"
            if [4, 11, 20].contains(n) { row += ", \"system\": \"Be terse.\", \"history\": [[\"hi\", \"hello\"]]" }
            rows.append(row + "}")
        }
        return "[\n" + rows.joined(separator: ",\n") + "\n]\n"
    }()

    static func entry(_ json: String) throws -> DatasetEntry {
        DatasetEntry(name: "x", object: try #require(try JSONParser.parse(json).objectValue))
    }

    static func validate(_ text: String, entry: String) throws -> ValidationReport {
        let dir = try TempDir()
        let path = try dir.write("h.json", text)
        return try FileValidator(spec: try Self.entry(entry).spec).validate(path: path)
    }

    static func dropped(_ report: ValidationReport) -> [String] {
        report.issues.filter { $0.code == "field-dropped" }.compactMap(\.path)
    }

    @Test("a partial columns map drops input, system and history: errors with counts and the exact columns")
    func partialColumns() throws {
        let report = try Self.validate(Self.alpaca, entry: #"{"file_name": "h.json", "formatting": "alpaca", "columns": {"prompt": "instruction", "response": "output"}}"#)
        #expect(report.hasErrors)
        #expect(Self.dropped(report) == ["input", "system", "history"])
        let system = try #require(report.issues.first { $0.path == "system" })
        #expect(system.message.contains("3 of 30 records"))
        let hint = try #require(system.hint)
        #expect(hint.contains(#""query": "input", "system": "system", "history": "history""#))
        #expect(hint.contains("--columns query=input,system=system,history=history"))
        #expect(hint.contains("--allow-unmapped input,system,history"))
        // Records stay valid: the loss is in every record, not a broken one.
        #expect(report.validRecords == 30)
        #expect(report.coverage?.read == ["instruction", "output"])
    }

    @Test("no columns: LLaMA-Factory's defaults read instruction/input/output only; ids are a warning")
    func defaultColumns() throws {
        let report = try Self.validate(Self.alpaca, entry: #"{"file_name": "h.json"}"#)
        #expect(Self.dropped(report) == ["system", "history"])
        let id = try #require(report.issues.first { $0.path == "id" })
        #expect(id.severity == .warning)
        #expect(id.code == "field-unread")
    }

    @Test("complete columns: nothing dropped, the id is only a warning")
    func completeColumns() throws {
        let report = try Self.validate(Self.alpaca, entry: #"{"file_name": "h.json", "columns": {"prompt": "instruction", "query": "input", "response": "output", "system": "system", "history": "history"}}"#)
        #expect(!report.hasErrors)
        #expect(report.warningCount == 1)
    }

    @Test("lfm_allow_unmapped in the entry accepts a deliberate drop; it is not an unknown key")
    func allowedInEntry() throws {
        let json = #"{"file_name": "h.json", "lfm_allow_unmapped": ["system", "history", "id"]}"#
        let entry = try Self.entry(json)
        #expect(entry.problems.isEmpty)
        #expect(entry.spec.allowUnmapped == ["system", "history", "id"])
        let report = try Self.validate(Self.alpaca, entry: json)
        #expect(!report.hasErrors)
        #expect(report.warningCount == 0)
        #expect(report.coverage?.allowed == ["history", "id", "system"])
        // makeObject writes it back.
        let object = DatasetEntry.makeObject(fileName: "h.json", spec: entry.spec)
        #expect(object[DatasetEntry.allowUnmappedKey] == .array([.string("history"), .string("id"), .string("system")]))
    }

    @Test("sharegpt: a system column behind a leading system message is dropped; message keys beyond role/content too")
    func sharegptShadowedSystem() throws {
        let text = """
        [
          {"conversations": [{"from": "system", "value": "S"}, {"from": "human", "value": "hi", "weight": 1}, {"from": "gpt", "value": "yo"}], "system": "lost"},
          {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b", "reasoning_content": "why"}]}
        ]
        """
        let report = try Self.validate(text, entry: #"{"file_name": "h.json", "formatting": "sharegpt", "columns": {"messages": "conversations", "system": "system"}}"#)
        #expect(Self.dropped(report) == ["system", "conversations[].reasoning_content"])
        let weight = try #require(report.issues.first { $0.path == "conversations[].weight" })
        #expect(weight.severity == .warning)
    }

    @Test("openai formatting reads assistant tool_calls; sharegpt with the same tags drops them")
    func toolCalls() throws {
        let text = """
        [{"messages": [{"role": "user", "content": "weather?"},
                       {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "w", "arguments": "{}"}}]},
                       {"role": "tool", "content": "sunny"}, {"role": "assistant", "content": "Sunny."}]}]
        """
        let tags = #""tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant", "observation_tag": "tool", "function_tag": "function_call", "system_tag": "system"}"#
        let openai = try Self.validate(text, entry: #"{"file_name": "h.json", "formatting": "openai", "columns": {"messages": "messages"}, "# + tags + "}")
        #expect(Self.dropped(openai).isEmpty)
        let sharegpt = try Self.validate(text, entry: #"{"file_name": "h.json", "formatting": "sharegpt", "columns": {"messages": "messages"}, "# + tags + "}")
        #expect(Self.dropped(sharegpt) == ["messages[].tool_calls"])
    }

    @Test("alpaca preference reads chosen/rejected, not output; KTO reads output, not chosen")
    func preferenceAndKTO() throws {
        let pref = #"[{"instruction": "q", "input": "", "chosen": "good", "rejected": "bad", "output": "stray"}]"#
        let report = try Self.validate(pref, entry: #"{"file_name": "h.json", "ranking": true, "columns": {"prompt": "instruction", "query": "input", "chosen": "chosen", "rejected": "rejected"}}"#)
        #expect(Self.dropped(report) == ["output"])
        let kto = #"[{"instruction": "q", "input": "", "output": "a", "kto_tag": true, "chosen": "x"}, {"instruction": "r", "input": "", "output": "b", "kto_tag": false}]"#
        let ktoReport = try Self.validate(kto, entry: #"{"file_name": "h.json", "columns": {"prompt": "instruction", "query": "input", "response": "output", "kto_tag": "kto_tag"}}"#)
        #expect(Self.dropped(ktoReport) == ["chosen"])
        #expect(ktoReport.coverage?.read == ["instruction", "output", "kto_tag"])
    }

    @Test("the two-part validation of a large file merges the coverage exactly")
    func partsMergeCoverage() throws {
        let dir = try TempDir()
        var rows: [String] = []
        for n in 0..<4000 {
            let system = n == 3999 ? ", \"system\": \"late\"" : ""
            rows.append("  {\"instruction\": \"Say \(n) \(String(repeating: "x", count: 40))\", \"input\": \"\", \"output\": \"\(n)\"\(system)}")
        }
        let path = try dir.write("big.json", "[\n" + rows.joined(separator: ",\n") + "\n]\n")
        let spec = try Self.entry(#"{"file_name": "big.json"}"#).spec
        let parts = try FileValidator(spec: spec).validateInParts(path: path, minimumSize: 1 << 16)
        let one = try FileValidator(spec: spec).validateSequentially(path: path)
        #expect(Self.dropped(parts.report) == ["system"])
        #expect(parts.report.issues == one.issues)
        #expect(parts.report.coverage == one.coverage)
    }

    @Test("DatasetSpec.restricted unmaps optional columns a part lacks, keeps the required ones")
    func restricted() throws {
        var spec = DatasetSpec()
        spec.columns.system = "system"
        spec.columns.history = "history"
        let part = spec.restricted(toFields: ["instruction", "input", "output"])
        #expect(part.columns.system == nil)
        #expect(part.columns.history == nil)
        #expect(part.columns.prompt == "instruction")
        #expect(part.columns.response == "output")
    }
}
