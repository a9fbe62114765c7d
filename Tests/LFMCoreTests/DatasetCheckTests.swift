import Foundation
import Testing
@testable import LFMCore

/// The one dataset check, the one naming/placement plan, the record rules that came over from
/// generate's validator, and the one CJK table.
@Suite("DatasetCheck, Registrar.plan, record rules, CJK")
struct DatasetCheckTests {
    static let dataDir = "/ws/data"

    func plan(_ source: String, name: String? = nil, placement: Registrar.Placement = .copy, directory: Bool = false,
              force: Bool = false, registered: Set<String> = []) throws -> Registrar.Plan {
        try Registrar.plan(source: source, name: name, placement: placement, isDirectory: directory, force: force,
                           dataDir: Self.dataDir, registered: registered, registryPath: Self.dataDir + "/dataset_info.json")
    }

    @Test func planNamesAndPlaces() throws {
        #expect(try plan("/home/me/qa.json") == Registrar.Plan(name: "qa", fileName: "qa.json", destination: "/ws/data/qa.json", placement: .copy, replaces: false))
        // --name keeps the extension; a folder has none.
        #expect(try plan("/home/me/qa.jsonl", name: "mine").fileName == "mine.jsonl")
        #expect(try plan("/home/me/shards", name: "mine", placement: .link, directory: true).fileName == "mine")
        // A file already in the data directory is registered where it is, whatever was asked.
        let inside = try plan("/ws/data/sub/qa.json", placement: .link)
        #expect(inside.placement == .inPlace && inside.fileName == "sub/qa.json")
        #expect { try plan("/home/me/qa.json", placement: .inPlace) } throws: { "\($0)".contains("is not inside the data directory") }
        // A taken name needs --force, and is then replaced.
        #expect(throws: RegistryError.self) { try plan("/home/me/qa.json", registered: ["qa"]) }
        #expect(try plan("/home/me/qa.json", force: true, registered: ["qa"]).replaces)
        #expect { try plan("/home/me/qa.json", name: "a,b") } throws: { "\($0)".contains("contains a comma") }
    }

    @Test func checkDetectsAndValidates() throws {
        let dir = try TempDir()
        let path = try dir.write("qa.jsonl", #"{"question": "Q", "answer": "A"}"# + "\n" + #"{"question": "Q2", "answer": 3}"# + "\n")
        let result = try DatasetCheck().run(path: path)
        #expect(result.detection.spec.columns.prompt == "question" && result.detection.format.family == .alpaca)
        #expect(result.report.records == 2 && result.report.counts["response-not-string"] == 1)
    }

    /// A file whose first records cannot be parsed: the syntax report, thrown by the check and
    /// returned by `validateFile` (what `lfm validate --json` prints, the same as register's).
    @Test func syntaxErrorIsAReport() throws {
        let dir = try TempDir()
        let path = try dir.write("cut.json", #"[{"instruction": "a", "output": "b"}, {"instruction": "#)
        #expect { try DatasetCheck().detect(path: path) } throws: { error in
            guard case DatasetCheckError.invalid(let report) = error else { return false }
            return report.counts == ["syntax": 1] && report.issues[0].record == 1
        }
        let validated = try DatasetCheck().validateFile(path: path)
        #expect(!validated.valid && validated.format == nil && validated.entry == nil)
        #expect(validated.report == ValidationDocument(DatasetCheck.syntaxReport(path: path, try #require(Self.readError(path)))))
        let registrar = try Workspace.initialize(directory: dir.path + "/ws", env: nil).workspace
        #expect { try Registrar(workspace: registrar).register(Registrar.Request(source: path, currentDirectory: "/")) } throws: { error in
            guard case RegisterError.invalid(let report) = error else { return false }
            return ValidationDocument(report) == validated.report
        }
    }

    static func readError(_ path: String) -> RecordReadError? {
        do { _ = try FileValidator.sample(path: path) } catch let error as RecordReadError { return error } catch {}
        return nil
    }

    func issues(_ record: String, _ spec: DatasetSpec) throws -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        RecordValidator(spec: spec).validate(try JSONParser.parse(record), at: RecordLocation(record: 0), into: &issues)
        return issues
    }

    /// LLaMA-Factory trains on identical preference answers and on empty turns: warnings, not errors.
    @Test func sameAnswersAndEmptyMessagesWarn() throws {
        let alpaca = DatasetSpec.defaults(family: .alpaca, kind: .preference)
        let same = try issues(#"{"instruction": "Q", "chosen": "A", "rejected": "A"}"#, alpaca)
        #expect(same.map(\.code) == ["same-answers"] && same[0].severity == .warning)
        #expect(try issues(#"{"instruction": "Q", "chosen": "A", "rejected": "B"}"#, alpaca).isEmpty)
        let openai = DatasetSpec.defaults(family: .openai, kind: .sft)
        let empty = try issues(#"{"messages": [{"role": "system", "content": ""}, {"role": "user", "content": " "}, {"role": "assistant", "content": "A"}]}"#, openai)
        #expect(empty.map(\.code) == ["empty-message"] && empty[0].path == "messages[1].content" && empty[0].severity == .warning)
        let sharegpt = DatasetSpec.defaults(family: .sharegpt, kind: .preference)
        let pair = #"{"conversations": [{"from": "human", "value": "Q"}], "chosen": {"from": "gpt", "value": "A"}, "rejected": {"from": "gpt", "value": "A"}}"#
        #expect(try issues(pair, sharegpt).map(\.code) == ["same-answers"])
    }

    @Test func defaultColumns() {
        let kto = DatasetSpec.defaults(family: .alpaca, kind: .kto)
        #expect(kto.columns.response == "output" && kto.columns.ktoTag == "kto_tag" && !kto.ranking)
        let openai = DatasetSpec.defaults(family: .openai, kind: .preference)
        #expect(openai.columns.messages == "messages" && openai.tags == .openAI && openai.ranking && openai.columns.chosen == "chosen")
        #expect(DatasetSpec.defaults(family: .pretrain, kind: .pretrain).columns.prompt == "text")
    }

    @Test func cjkTable() {
        for scalar in "中あア한丽𠀀" .unicodeScalars { #expect(CJK.contains(scalar.value) && CJK.isLetter(scalar.value) && CJK.isWide(scalar.value), "\(scalar)") }
        for scalar in "。「Ａ！".unicodeScalars { #expect(CJK.contains(scalar.value) && !CJK.isLetter(scalar.value) && CJK.isWide(scalar.value), "\(scalar)") }
        for scalar in "aé1 ".unicodeScalars { #expect(!CJK.contains(scalar.value) && !CJK.isWide(scalar.value)) }
    }
}
