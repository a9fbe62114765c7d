import Foundation
import Testing
@testable import LFMCore

/// The printer must produce exactly what Python's `json.dumps(obj, indent=2, ensure_ascii=False)`
/// produces, so registries that LLaMA-Factory users edit with Python scripts never churn.
@Suite("JSONPrinter")
struct JSONPrinterTests {
    static let pythonDump = """
    import json, sys, collections
    path, indent = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".jsonl"):
        docs = [json.loads(l, object_pairs_hook=collections.OrderedDict) for l in text.splitlines() if l.strip()]
        out = "".join(json.dumps(d, ensure_ascii=False) + "\\n" for d in docs)
    else:
        obj = json.loads(text, object_pairs_hook=collections.OrderedDict)
        out = json.dumps(obj, indent=None if indent == "none" else int(indent), ensure_ascii=False) + "\\n"
    sys.stdout.buffer.write(out.encode("utf-8"))
    """

    static func python(_ path: String, indent: String = "2") async throws -> [UInt8] {
        let result = try await runPython(pythonDump, [path, indent])
        try #require(result.status == 0, "python3 failed on \(path)")
        return result.stdout
    }

    static func lfm(_ path: String, indent: Int?) throws -> [UInt8] {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let printer = JSONPrinter(indent: indent)
        if path.hasSuffix(".jsonl") {
            var out: [UInt8] = []
            for line in bytes.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 }) {
                printer.write(try JSONParser.parse(Array(line)), level: 0, into: &out)
                out.append(0x0A)
            }
            return out
        }
        return printer.bytes(try JSONParser.parse(bytes)) + [0x0A]
    }

    static let fixtures = ["dataset_info.json", "alpaca_en_demo.json", "alpaca_zh_demo.json", "dpo_en_demo.json", "kto_en_demo.json",
                           "glaive_toolcall_en_demo.json", "mllm_demo.json", "identity.json", "c4_demo.jsonl"]

    @Test("indent=2 output is byte-identical to Python on the fixtures", .enabled(if: python3Available), arguments: fixtures)
    func matchesPythonIndented(_ name: String) async throws {
        let expected = try await Self.python(fixturePath(name))
        let actual = try Self.lfm(fixturePath(name), indent: name.hasSuffix(".jsonl") ? nil : 2)
        let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(actual.count == expected.count && firstDifference == nil, "\(name): \(actual.count) vs \(expected.count) bytes, first difference at byte \(firstDifference ?? -1)")
    }

    @Test("the fixtures are already in Python's format, so printing them reproduces the file", arguments: ["dataset_info.json", "alpaca_en_demo.json", "kto_en_demo.json", "mllm_demo.json"])
    func roundTripsFixture(_ name: String) throws {
        #expect(try Self.lfm(fixturePath(name), indent: 2) == fixtureBytes(name))
    }

    static let tricky = """
    {"ctrl": "\\u0000\\u0001\\u001f\\u007f\\b\\f\\n\\r\\t", "quote": "a\\"b\\\\c/d", "emoji": "😀 \\ud83d\\ude00",
     "cjk": "中文テスト", "ls": "\\u2028\\u2029", "empty_list": [], "empty_obj": {}, "nested": [[], [{}], {"a": [1, -2, 3.5, true, false, null]}],
     "keys": {"z": 1, "a": 2, "é": 3, "": 4}, "html": "</script>&<>"}
    """

    @Test("escaping, empty containers and nesting match Python", .enabled(if: python3Available), arguments: ["2", "4", "none"])
    func trickyValues(_ indent: String) async throws {
        let dir = try TempDir()
        let path = try dir.write("tricky.json", Self.tricky)
        let expected = try await Self.python(path, indent: indent)
        let actual = try Self.lfm(path, indent: Int(indent))
        #expect(String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test("control characters use Python's lowercase \\u00XX escapes; non-ASCII stays raw")
    func escapes() {
        #expect(JSONPrinter.quoted("\u{1}\u{1B}\u{1F}") == #""\u0001\u001b\u001f""#)
        #expect(JSONPrinter.quoted("\n\r\t\u{8}\u{C}") == #""\n\r\t\b\f""#)
        #expect(JSONPrinter.quoted("é😀\u{7F}") == "\"é😀\u{7F}\"")
        #expect(JSONPrinter.quoted("a\"b\\") == #""a\"b\\""#)
    }

    @Test("layout: indented, tab-indented and single-line")
    func layouts() throws {
        let value = try JSONParser.parse(#"{"a": [1, {"b": []}], "c": {}}"#)
        #expect(JSONPrinter(indent: 2).string(value) == "{\n  \"a\": [\n    1,\n    {\n      \"b\": []\n    }\n  ],\n  \"c\": {}\n}")
        #expect(JSONPrinter(indentUnit: "\t").string(value) == "{\n\t\"a\": [\n\t\t1,\n\t\t{\n\t\t\t\"b\": []\n\t\t}\n\t],\n\t\"c\": {}\n}")
        #expect(JSONPrinter(indent: nil).string(value) == #"{"a": [1, {"b": []}], "c": {}}"#)
        #expect(JSONPrinter(indent: 2).string(value, level: 1).hasSuffix("\n  }"))
    }

    @Test("parse → print → parse is the identity", arguments: fixtures.filter { $0.hasSuffix(".json") })
    func idempotent(_ name: String) throws {
        let value = try JSONParser.parse(try fixtureBytes(name))
        for printer in [JSONPrinter(indent: 2), JSONPrinter(indent: nil), JSONPrinter(indentUnit: "\t")] {
            #expect(try JSONParser.parse(printer.bytes(value)) == value)
        }
    }
}
