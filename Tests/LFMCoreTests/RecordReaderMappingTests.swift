import Foundation
import Testing
@testable import LFMCore

/// A mapped file (`mmap`, files of 8 MiB and more) must read exactly as the same file read in
/// chunks: the same records, locations, errors (line, column, byte) and layout.
@Suite struct RecordReaderMappingTests {
    struct Outcome: Equatable {
        var records: [String] = []
        var error: String?
        var layout = RecordLayout.jsonArray
        var endedBetweenRecords = false
    }

    static func read(_ reader: RecordReader) -> Outcome {
        var outcome = Outcome()
        do {
            try reader.forEach { location, value in
                outcome.records.append("\(location.index) \(location.line) \(location.offset) \(JSONPrinter(indent: nil).string(value))")
            }
        } catch {
            outcome.error = "\(error)"
        }
        outcome.layout = reader.layout
        outcome.endedBetweenRecords = reader.endedBetweenRecords
        return outcome
    }

    static let documents: [(String, String)] = {
        let record = #"{"instruction": "把这句话翻译成英文\n", "input": "", "output": "Translate \"this\" — 好的。"}"#
        let array = "[\n" + Array(repeating: "  " + record, count: 60).joined(separator: ",\n") + "\n]\n"
        let lines = Array(repeating: record, count: 60).joined(separator: "\n") + "\n"
        return [
            ("valid.json", array),
            ("valid.jsonl", lines),
            ("blank-lines.jsonl", "\r\n" + lines.replacingOccurrences(of: "}\n{", with: "}\r\n\n   \n{")),
            ("bom.json", "\u{FEFF}" + array),
            ("cut.json", String(array.dropLast(40))),
            ("cut.jsonl", String(lines.dropLast(30))),
            ("syntax.json", array.replacingOccurrences(of: "\"input\": \"\", \"output\"", with: "\"input\": \"\" \"output\"")),
            ("trailing.jsonl", lines + "{\"a\": 1} x\n"),
            ("number-at-end.jsonl", "{\"a\": 12345}"),
            ("text.txt", "第一行\nline two\r\n\nlast"),
            ("bad-utf8.jsonl", lines + "{\"a\": \"\u{00E9}\"}\n"),
        ]
    }()

    @Test("mapped and chunked reading agree, whole files and parts")
    func mappedEqualsChunked() throws {
        let dir = try TempDir()
        for (name, text) in Self.documents {
            var bytes = Array(text.utf8)
            if name == "bad-utf8.jsonl" { bytes[bytes.count - 4] = 0xFF }
            let path = try dir.write(name, bytes)
            let hint: RecordLayout? = name.hasSuffix(".txt") ? .text : nil
            let chunked = Self.read(try RecordReader(path: path, chunkSize: 97, layoutHint: hint, mapMinimumSize: .max))
            let mapped = Self.read(try RecordReader(path: path, chunkSize: 97, layoutHint: hint, mapMinimumSize: 0))
            #expect(mapped == chunked, "\(name)")
            #expect(chunked.records.count > 0 || chunked.error != nil, "\(name)")
            // Parts: from a record boundary in the middle to the end, and from the start to it.
            guard name == "valid.json" || name == "valid.jsonl" else { continue }
            let layout: RecordLayout = name.hasSuffix(".jsonl") ? .jsonLines : .jsonArray
            let middle = bytes.count / 2
            var split = middle
            if layout == .jsonLines {
                while bytes[split - 1] != 0x0A { split += 1 }
            } else {
                while !(bytes[split - 2] == UInt8(ascii: ",") && bytes[split - 1] == 0x0A) { split += 1 }
            }
            for (range, between) in [(0..<split, false), (split..<Int.max, true)] {
                let a = Self.read(try RecordReader(path: path, range: range, layout: layout, startsBetweenRecords: between, chunkSize: 97, mapMinimumSize: .max))
                let b = Self.read(try RecordReader(path: path, range: range, layout: layout, startsBetweenRecords: between, chunkSize: 97, mapMinimumSize: 0))
                #expect(a == b, "\(name) \(range)")
                #expect(a.records.count > 20 && a.error == nil, "\(name) \(range): \(a.error ?? "")")
            }
        }
    }
}
