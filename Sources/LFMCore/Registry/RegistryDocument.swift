/// The text of a `dataset_info.json` with the byte span of every top-level entry, so one entry
/// can be added, replaced or removed while every other byte of the file stays as it was.
public struct RegistryDocument: Sendable {
    struct Span: Sendable {
        /// Offset of the key's opening quote.
        var memberStart: Int
        var valueStart: Int
        /// Offset just past the value.
        var valueEnd: Int
    }

    public let bytes: [UInt8]
    public private(set) var entries: [DatasetEntry] = []
    private var spans: [Span] = []
    private var openBrace = 0
    private var closeBrace = 0
    /// One level of the file's indentation (two spaces in LLaMA-Factory's own file).
    public private(set) var indentUnit = "  "

    /// Parses `bytes`, which must be one JSON object.
    public init(bytes: [UInt8]) throws(JSONSyntaxError) {
        self.bytes = bytes
        // Validate fully first, for exact error positions.
        let value = try JSONParser.parse(bytes)
        guard case .object = value else {
            throw JSONSyntaxError(offset: 0, line: 1, column: 1, message: "the registry must be a JSON object {\"name\": {...}}, found \(value.typeName)")
        }
        bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer, complete: true)
            parser.skipBOM()
            parser.skipWhitespace()
            openBrace = parser.position
            parser.position += 1
            var first = true
            while true {
                let beforeWhitespace = parser.position
                parser.skipWhitespace()
                if buffer[parser.position] == UInt8(ascii: "}") {
                    closeBrace = parser.position
                    return
                }
                if buffer[parser.position] == UInt8(ascii: ",") {
                    parser.position += 1
                    continue
                }
                if first {
                    // Indentation = whitespace after the last newline before the first key.
                    var lineStart = parser.position
                    while lineStart > beforeWhitespace, buffer[lineStart - 1] != 0x0A { lineStart -= 1 }
                    if lineStart > beforeWhitespace || buffer[beforeWhitespace] == 0x0A {
                        let unit = String(decoding: buffer[lineStart..<parser.position], as: UTF8.self)
                        if !unit.isEmpty { indentUnit = unit }
                    }
                    first = false
                }
                let memberStart = parser.position
                let key = (try? parser.parseString()) ?? ""
                parser.skipWhitespace()
                parser.position += 1  // ':'
                parser.skipWhitespace()
                let valueStart = parser.position
                let entryValue = (try? parser.parseValue(depth: 0)) ?? .null
                spans.append(Span(memberStart: memberStart, valueStart: valueStart, valueEnd: parser.position))
                var entry = DatasetEntry(name: key, object: entryValue.objectValue ?? JSONObject())
                if entryValue.objectValue == nil {
                    // LLaMA-Factory indexes the value like a dict and fails with a TypeError.
                    entry.problems = ["the entry is \(entryValue.typeName), not an object {\"file_name\": ...}"]
                }
                entries.append(entry)
            }
        }
    }

    public init(text: String) throws(JSONSyntaxError) {
        try self.init(bytes: Array(text.utf8))
    }

    /// The entry LLaMA-Factory uses for `name`: Python's json keeps the LAST of duplicate keys.
    public func entry(named name: String) -> DatasetEntry? {
        entries.last { $0.name == name }
    }

    public var names: [String] { entries.map(\.name) }

    private var printer: JSONPrinter { JSONPrinter(indentUnit: indentUnit) }

    /// The file with `name: object` appended as the last entry.
    public func adding(_ name: String, _ object: JSONObject) -> [UInt8] {
        var member: [UInt8] = []
        JSONPrinter.writeString(name, into: &member)
        member.append(contentsOf: ": ".utf8)
        printer.write(.object(object), level: 1, into: &member)
        var out: [UInt8]
        if let last = spans.last {
            out = Array(bytes[..<last.valueEnd])
            out.append(contentsOf: ",\n".utf8)
            out.append(contentsOf: indentUnit.utf8)
            out.append(contentsOf: member)
            out.append(contentsOf: bytes[last.valueEnd...])
        } else {
            out = Array(bytes[...openBrace])
            out.append(0x0A)
            out.append(contentsOf: indentUnit.utf8)
            out.append(contentsOf: member)
            out.append(0x0A)
            out.append(contentsOf: bytes[closeBrace...])
        }
        return Self.withTrailingNewline(out)
    }

    /// The file with entry `name`'s value replaced, in place.
    public func replacing(_ name: String, with object: JSONObject) -> [UInt8] {
        guard let index = entries.lastIndex(where: { $0.name == name }) else { return adding(name, object) }
        let span = spans[index]
        var out = Array(bytes[..<span.valueStart])
        printer.write(.object(object), level: 1, into: &out)
        out.append(contentsOf: bytes[span.valueEnd...])
        return Self.withTrailingNewline(out)
    }

    /// The file without entry `name` (every member of that name, when the key is duplicated:
    /// removing only one would leave LLaMA-Factory reading the other).
    public func removing(_ name: String) -> [UInt8] {
        var out = removingOne(name)
        while let next = try? RegistryDocument(bytes: out), next.entry(named: name) != nil {
            let shorter = next.removingOne(name)
            if shorter == out { break }
            out = shorter
        }
        return out
    }

    private func removingOne(_ name: String) -> [UInt8] {
        guard let index = entries.lastIndex(where: { $0.name == name }) else { return bytes }
        var out: [UInt8]
        if spans.count == 1 {
            out = Array(bytes[...openBrace])
            out.append(contentsOf: bytes[closeBrace...])
        } else if index == 0 {
            out = Array(bytes[..<spans[0].memberStart])
            out.append(contentsOf: bytes[spans[1].memberStart...])
        } else {
            out = Array(bytes[..<spans[index - 1].valueEnd])
            out.append(contentsOf: bytes[spans[index].valueEnd...])
        }
        return Self.withTrailingNewline(out)
    }

    static func withTrailingNewline(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.last == 0x0A { return bytes }
        return bytes + [0x0A]
    }
}
