import Foundation
import Testing
@testable import LFMCore

@Suite("RecordReader")
struct RecordReaderTests {
    struct Read {
        var records: [(RecordLocation, JSONValue)] = []
        var layout: RecordLayout
        var error: RecordReadError?
    }

    static func read(_ path: String, chunkSize: Int = 4 << 20, hint: RecordLayout? = nil) throws -> Read {
        let reader = try RecordReader(path: path, chunkSize: chunkSize, layoutHint: hint)
        var records: [(RecordLocation, JSONValue)] = []
        do {
            try reader.forEach { records.append(($0, $1)) }
            return Read(records: records, layout: reader.layout)
        } catch let error as RecordReadError {
            return Read(records: records, layout: reader.layout, error: error)
        }
    }

    static func readText(_ text: String, _ ext: String = "json", chunkSize: Int = 4 << 20, hint: RecordLayout? = nil) throws -> Read {
        try readBytes(Array(text.utf8), ext, chunkSize: chunkSize, hint: hint)
    }

    static func readBytes(_ bytes: [UInt8], _ ext: String = "json", chunkSize: Int = 4 << 20, hint: RecordLayout? = nil) throws -> Read {
        let dir = try TempDir()
        let path = try dir.write("data.\(ext)", bytes)
        return try read(path, chunkSize: chunkSize, hint: hint)
    }

    /// 1-based numbers of the lines that equal `marker`.
    static func lines(of path: String, equalTo marker: String) throws -> [Int] {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { $0.element == marker }.map { $0.offset + 1 }
    }

    @Test("a JSON array streams the same records as a whole-document parse, at any chunk size",
          arguments: ["alpaca_en_demo.json", "dpo_en_demo.json", "kto_en_demo.json", "glaive_toolcall_en_demo.json", "mllm_demo.json"], [64, 100, 1000, 4 << 20])
    func arrayAnyChunk(_ name: String, _ chunk: Int) throws {
        let bytes = try fixtureBytes(name)
        let whole = try #require(try JSONParser.parse(bytes).arrayValue)
        let read = try Self.read(fixturePath(name), chunkSize: chunk)
        #expect(read.error == nil)
        #expect(read.layout == .jsonArray)
        #expect(read.records.map(\.1) == whole)
        #expect(read.records.map(\.0.index) == Array(whole.indices))
        #expect(read.records.map(\.0.line) == (try Self.lines(of: fixturePath(name), equalTo: "  {")))
        for (location, _) in read.records { #expect(bytes[location.offset] == UInt8(ascii: "{")) }
    }

    @Test("JSON Lines: one record per line, line numbers, any chunk size", arguments: [64, 333, 4 << 20])
    func jsonLines(_ chunk: Int) throws {
        let text = String(decoding: try fixtureBytes("c4_demo.jsonl"), as: UTF8.self)
        let expected = try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let read = try Self.read(fixturePath("c4_demo.jsonl"), chunkSize: chunk)
        #expect(read.error == nil)
        #expect(read.layout == .jsonLines)
        #expect(read.records.map(\.1) == expected)
        #expect(read.records.map(\.0.line) == Array(1...expected.count))
    }

    @Test("JSON Lines: blank lines are skipped, CRLF accepted, lines still counted")
    func jsonLinesBlankAndCRLF() throws {
        let read = try Self.readText("{\"text\": \"a\"}\r\n\r\n  \n{\"text\": \"b\"}\r\n{\"text\": \"c\"}", "jsonl", chunkSize: 64)
        #expect(read.error == nil)
        #expect(read.records.map(\.1["text"]) == [.string("a"), .string("b"), .string("c")])
        #expect(read.records.map(\.0.line) == [1, 4, 5])
        #expect(read.records.map(\.0.index) == [0, 1, 2])
    }

    @Test("plain text: every line is {\"text\": line}", arguments: [64, 4 << 20])
    func text(_ chunk: Int) throws {
        let raw = String(decoding: try fixtureBytes("wiki_demo.txt"), as: UTF8.self)
        let lines = raw.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let read = try Self.read(fixturePath("wiki_demo.txt"), chunkSize: chunk, hint: .text)
        #expect(read.error == nil)
        #expect(read.layout == .text)
        #expect(read.records.map(\.1) == lines.map { .object(JSONObject([JSONMember("text", .string($0))])) })
        #expect(read.records.map(\.0.line) == Array(1...5))
        let crlf = try Self.readText("\u{FEFF}one\r\ntwo\nthree", "txt", hint: .text)
        #expect(crlf.records.map(\.1["text"]) == [.string("one"), .string("two"), .string("three")])
    }

    @Test("a single record far larger than the chunk is read whole")
    func hugeRecord() throws {
        let big = String(repeating: "長い文字列 ", count: 60_000)  // ~ 1 MB of UTF-8
        let text = "[{\"instruction\": \"\(big)\", \"output\": \"x\"}, {\"instruction\": \"small\", \"output\": \"y\"}]"
        let read = try Self.readText(text, chunkSize: 64)
        #expect(read.error == nil)
        #expect(read.records.count == 2)
        #expect(read.records.first?.1["instruction"] == .string(big))
        #expect(read.records.last?.1["instruction"] == .string("small"))
    }

    @Test("invalid UTF-8 reports the byte offset and line", arguments: [64, 4 << 20])
    func invalidUTF8(_ chunk: Int) throws {
        var bytes = Array("[\n  {\"instruction\": \"ok\", \"output\": \"x\"},\n  {\"instruction\": \"".utf8)
        let offset = bytes.count
        bytes += [0xC3, 0x28] + Array("\", \"output\": \"y\"}\n]".utf8)
        let read = try Self.readBytes(bytes, chunkSize: chunk)
        let error = try #require(read.error)
        #expect(error.syntax.offset == offset)
        #expect(error.syntax.line == 3)
        #expect(error.syntax.column == offset - (bytes[..<offset].lastIndex(of: 0x0A)! + 1) + 1)
        #expect(error.syntax.message.contains("invalid UTF-8 byte 0xC3"))
        #expect(error.recordIndex == 1)
        #expect(read.records.count == 1)

        var lines = Array("{\"text\": \"a\"}\n{\"text\": \"b".utf8)
        let jsonlOffset = lines.count
        lines += [0xFF] + Array("\"}\n".utf8)
        let jsonl = try #require(try Self.readBytes(lines, "jsonl", chunkSize: chunk).error)
        #expect(jsonl.syntax.offset == jsonlOffset)
        #expect(jsonl.syntax.line == 2)

        let text = try #require(try Self.readBytes(Array("fine\nbad ".utf8) + [0xFE] + Array(" line\n".utf8), "txt", chunkSize: chunk, hint: .text).error)
        #expect(text.syntax.offset == 9)
        #expect(text.syntax.line == 2 && text.syntax.column == 5)
        #expect(text.syntax.message.contains("invalid UTF-8"))
    }

    static let broken: [(text: String, ext: String, fragment: String, line: Int)] = [
        ("[{\"a\": 1}, {\"b\": ", "json", "unexpected end of file inside record 1", 1),
        ("[{\"a\": 1},\n{\"b\": 2}", "json", "unexpected end of file after record 1", 2),
        ("[{\"a\": 1}]\n\nextra", "json", "unexpected text after the closing ']'", 3),
        ("[{\"a\": 1}] [{\"b\": 2}]", "json", "unexpected text after the closing ']'", 1),
        ("[{\"a\": 1} {\"b\": 2}]", "json", "expected ',' or ']' after record 0", 1),
        ("[{\"a\": 1},]", "json", "expected a value", 1),
        ("", "json", "the file is empty", 1),
        (" \n\t\n", "json", "the file is empty", 3),
        ("\"just a string\"", "json", "expected a JSON array of records ('[') or one JSON object per line ('{')", 1),
        ("{\"a\": 1}\n{\"b\": 2\n{\"c\": 3}\n", "jsonl", "line ends inside record 1", 2),
        ("{\"a\": 1}\n{\"b\": 2} x\n", "jsonl", "unexpected text after the record on this line", 2),
        ("{\"a\": 1}\n\n{\"b\" 2}\n", "jsonl", "expected ':'", 3),
    ]

    @Test("truncated files, trailing garbage and empty files are errors with a line", arguments: broken.indices, [64, 4 << 20])
    func brokenFiles(_ i: Int, _ chunk: Int) throws {
        let (text, ext, fragment, line) = Self.broken[i]
        let read = try Self.readText(text, ext, chunkSize: chunk)
        let error = try #require(read.error, "accepted \(text.debugDescription)")
        #expect(error.syntax.message.contains(fragment), "\(error)")
        #expect(error.syntax.line == line, "\(error)")
        #expect(error.description.hasPrefix(error.path + ":\(line):"))
    }

    @Test("an error deep in a file read in small chunks has the right line and column")
    func errorPositionAcrossChunks() throws {
        var text = "[\n"
        for i in 0..<40 { text += "  {\"instruction\": \"question number \(i) padded to make the line long\", \"output\": \"x\"},\n" }
        let prefix = "  {\"instruction\": \"" + String(repeating: "y", count: 150) + "\", \"output\" "
        text += prefix + "\"z\"}\n]"
        for chunk in [64, 4 << 20] {
            let error = try #require(try Self.readText(text, chunkSize: chunk).error)
            #expect(error.syntax.line == 42)
            #expect(error.recordIndex == 40)
            #expect(error.syntax.offset == text.utf8.count - 6)
            #expect(error.syntax.column == prefix.utf8.count + 1, "chunk \(chunk)")
        }
    }

    @Test("an empty array has no records; a BOM is skipped")
    func emptyArrayAndBOM() throws {
        #expect(try Self.readText("[ ]\n").records.isEmpty)
        #expect(try Self.readText("[ ]\n").error == nil)
        let bom = try Self.readText("\u{FEFF}[{\"a\": 1}]")
        #expect(bom.error == nil && bom.records.count == 1)
        #expect(bom.records.first?.0.offset == 4)
    }
}
