import Foundation
import Testing
@testable import LFMCore

@Suite("JSONParser")
struct JSONParserTests {
    static let accepted: [(String, JSONValue)] = [
        ("{}", .object(JSONObject())),
        ("[]", .array([])),
        (#""a""#, .string("a")),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("null", .null),
        (" \t\r\n[1] \n", .array([.number("1")])),
        (#"[0, -0, 1.5e10, -1E-2, 12345678901234567890123]"#, .array([.number("0"), .number("-0"), .number("1.5e10"), .number("-1E-2"), .number("12345678901234567890123")])),
        (#"{"a":[1,{"b":null}],"c":"d"}"#, .object(JSONObject([JSONMember("a", .array([.number("1"), .object(JSONObject([JSONMember("b", .null)]))])), JSONMember("c", .string("d"))]))),
        (#""\u00e9\u4e2d""#, .string("é中")),
        (#""\ud83d\ude00""#, .string("😀")),
        (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
        (#""\u0000x""#, .string("\u{0}x")),
        ("\"é中😀\u{7F}\"", .string("é中😀\u{7F}")),
        ("\u{FEFF}{\"a\": 1}", .object(JSONObject([JSONMember("a", .number("1"))]))),
        (#"["\udc00"]"#, .array([.string("\u{FFFD}")])),
    ]

    @Test("accepts valid JSON", arguments: accepted.indices)
    func accepts(_ i: Int) throws {
        let (text, expected) = Self.accepted[i]
        #expect(try JSONParser.parse(text) == expected)
    }

    /// RFC 8259 allows any value at the top level, numbers included.
    @Test("accepts a number as the whole document", arguments: ["5", "-1.5", "0", "1e3"])
    func topLevelNumber(_ text: String) throws {
        #expect(try JSONParser.parse(text) == .number(text))
    }

    @Test("a lone high surrogate at the end of a document is replaced, not 'cut short'")
    func loneHighSurrogateAtEnd() throws {
        #expect(try JSONParser.parse(#""\ud800""#) == .string("\u{FFFD}"))
        #expect(try JSONParser.parse(#"["\ud800x"]"#) == .array([.string("\u{FFFD}x")]))
    }

    static let rejected: [(text: String, fragment: String)] = [
        (#"{"a":1,}"#, "expected a property name in double quotes"),
        ("{'a':1}", "expected a property name in double quotes"),
        ("[1,]", "expected a value"),
        ("[1 2]", "expected ',' or ']' after an array element"),
        (#"{"a" 1}"#, "expected ':' after the property name \"a\""),
        (#"{"a":1 "b":2}"#, "expected ',' or '}' after the value of \"a\""),
        ("01", "unexpected text after the JSON value"),
        ("[1.]", "expected a digit after '.'"),
        ("[1e+]", "expected a digit in the exponent"),
        ("[.5]", "expected a value"),
        ("[+1]", "expected a value"),
        ("[NaN]", "expected a value"),
        ("[Infinity]", "expected a value"),
        ("[tru]", "expected a value"),
        (#"["\x"]"#, "invalid escape '\\x'"),
        (#"["\u12G4"]"#, "invalid \\u escape: expected 4 hex digits"),
        ("[\"a\tb\"]", "control character (byte 0x9) inside a string"),
        ("[\"a\nb\"]", "control character (byte 0xa) inside a string"),
        ("{} x", "unexpected text after the JSON value"),
        ("[1] [2]", "unexpected text after the JSON value"),
        ("", "unexpected end of file"),
        ("   ", "unexpected end of file"),
        ("[", "unexpected end of file"),
        (#"{"a": "b"#, "unexpected end of file"),
        (#"{"a": [1, 2"#, "unexpected end of file"),
        ("\u{FEFF}\u{FEFF}{}", "expected a value"),
    ]

    @Test("rejects invalid JSON with a precise message", arguments: rejected.indices)
    func rejects(_ i: Int) {
        let (text, fragment) = Self.rejected[i]
        do {
            let value = try JSONParser.parse(text)
            Issue.record("parsed \(text.debugDescription) as \(value)")
        } catch {
            #expect(error.message.contains(fragment), "\(text.debugDescription): \(error.message)")
            #expect(error.line >= 1)
        }
    }

    @Test("invalid UTF-8 is rejected with the offset of the bad byte", arguments: [
        ([0x5B, 0x22, 0x6F, 0x6B, 0x22, 0x2C, 0x20, 0x22, 0xFF, 0x22, 0x5D], 8),       // ["ok", "\xFF"]
        ([0x22, 0xC0, 0x80, 0x22], 1),                                               // overlong NUL
        ([0x22, 0x61, 0xED, 0xA0, 0x80, 0x22], 2),                                   // UTF-8-encoded surrogate
        ([0x22, 0xE4, 0xB8, 0x22], 1),                                               // cut multi-byte sequence
    ])
    func invalidUTF8(_ bytes: [UInt8], _ offset: Int) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes) }
        do {
            _ = try JSONParser.parse(bytes)
        } catch {
            #expect(error.offset == offset)
            #expect(error.message.contains("invalid UTF-8"))
            #expect(error.line == 1 && error.column == offset + 1)
        }
    }

    @Test("invalid UTF-8 after an escape sequence reports the file offset, not the decoded-buffer offset")
    func invalidUTF8AfterEscape() {
        do throws(JSONSyntaxError) {
            _ = try JSONParser.parse([0x22, 0x5C, 0x6E, 0xF8, 0x22])  // "\n<F8>"
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.message.contains("invalid UTF-8 byte 0xF8"))
            #expect(error.offset == 3)
        }
    }

    @Test("errors carry 1-based line and byte column")
    func lineAndColumn() {
        let text = "{\n  \"a\": 1,\n  \"b\" 2\n}"
        do {
            _ = try JSONParser.parse(text)
            Issue.record("accepted a missing colon")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 7)
            #expect(error.offset == 18)
            #expect(error.description == "line 3, column 7: expected ':' after the property name \"b\"")
        }
        do {
            _ = try JSONParser.parse("[\n1,\n")
            Issue.record("accepted a truncated array")
        } catch {
            #expect(error.line == 3 && error.column == 1)
            #expect(error.message.contains("cut short"))
        }
    }

    @Test("nesting up to 512 levels is accepted, deeper is an error (no stack overflow)")
    func deepNesting() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try JSONParser.parse(ok)
        let objects = String(repeating: "{\"a\":", count: 512) + "1" + String(repeating: "}", count: 512)
        _ = try JSONParser.parse(objects)
        for depth in [513, 100_000] {
            let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect {
                try JSONParser.parse(deep)
            } throws: { error in
                (error as? JSONSyntaxError)?.message.contains("nested more than 512 levels deep") == true
            }
        }
    }

    @Test("object key order and number text survive a parse")
    func keyOrderAndNumbers() throws {
        let value = try JSONParser.parse(#"{"z": 1.0, "a": 1e-5, "m": -0, "b": 100000000000000000000}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "m", "b"])
        #expect(object["z"] == .number("1.0"))
        #expect(object["a"] == .number("1e-5"))
        #expect(object["m"] == .number("-0"))
        #expect(JSONPrinter(indent: nil).string(value) == #"{"z": 1.0, "a": 1e-5, "m": -0, "b": 100000000000000000000}"#)
    }

    @Test("the real dataset_info.json parses with its 104 entries in file order")
    func realRegistry() throws {
        let value = try JSONParser.parse(try fixtureBytes("dataset_info.json"))
        let object = try #require(value.objectValue)
        #expect(object.count == 104)
        #expect(Array(object.keys.prefix(3)) == ["identity", "alpaca_en_demo", "alpaca_zh_demo"])
        #expect(object["dpo_en_demo"]?["ranking"] == .bool(true))
    }

    @Test("JSONObject subscript keeps positions on replace and appends new keys")
    func objectEditing() {
        var object = JSONObject([JSONMember("a", .int(1)), JSONMember("b", .int(2))])
        object["a"] = .string("x")
        object["c"] = .null
        #expect(object.keys == ["a", "b", "c"])
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == .string("x"))
    }
}
