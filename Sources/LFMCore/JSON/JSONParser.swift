/// A strict RFC 8259 JSON parser over UTF-8 bytes that keeps key order and number text.
///
/// It reads one value from a byte buffer. The streaming ``RecordReader`` uses it record by
/// record; ``parse(_:)`` reads a whole document (the registry, a config).
public struct JSONParser {
    /// Why parsing stopped.
    enum Failure: Error {
        case syntax(offset: Int, message: String)
        /// The buffer ended inside the value: more bytes may complete it.
        case truncated
    }

    static let maxDepth = 512

    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int
    /// Offset of `base` within the whole file, for messages.
    let origin: Int
    /// Reused buffer for strings with escapes (``RecordReader`` hands it from record to record).
    var scratch: [UInt8] = []
    /// Newlines skipped so far. Strings cannot hold a raw newline, so these are all of the value's.
    var newlines = 0
    /// True when the buffer ends where the input ends (a whole document, a JSONL line, the last
    /// chunk of a file): a number or escape touching the end is then complete, not cut short.
    let complete: Bool
    /// perf: strings through the AVX2 kernels when the CPU has them (tests turn it off to compare
    /// with the portable paths).
    var useKernels = JSONScan.available

    init(_ buffer: UnsafeBufferPointer<UInt8>, position: Int = 0, origin: Int = 0, complete: Bool = false) {
        self.base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        self.end = buffer.count
        self.position = position
        self.origin = origin
        self.complete = complete
    }

    /// Parses a complete document: one value, surrounded only by whitespace (a UTF-8 BOM is allowed).
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes, useKernels: JSONScan.available)
    }

    /// ``parse(_:)-([UInt8])``, with or without the AVX2 string kernels (tests compare the two).
    static func parse(_ bytes: [UInt8], useKernels: Bool) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer, complete: true)
            parser.useKernels = useKernels
            parser.skipBOM()
            do {
                parser.skipWhitespace()
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                if parser.position < parser.end {
                    throw Failure.syntax(offset: parser.position, message: "unexpected text after the JSON value")
                }
                return .success(value)
            } catch let failure as Failure {
                return .failure(failure.syntaxError(at: buffer.count).located(in: buffer))
            } catch {
                return .failure(JSONSyntaxError(offset: 0, message: "\(error)"))
            }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    mutating func skipBOM() {
        if end - position >= 3, base[position] == 0xEF, base[position + 1] == 0xBB, base[position + 2] == 0xBF {
            position += 3
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            let c = base[position]
            if c == 0x20 || c == 0x0D || c == 0x09 {
                position += 1
            } else if c == 0x0A {
                newlines += 1
                position += 1
            } else {
                return
            }
        }
    }

    /// The next byte without consuming it, or nil at the end of the buffer.
    var peek: UInt8? { position < end ? base[position] : nil }

    mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard position < end else { throw .truncated }
        switch base[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default:
            throw .syntax(offset: origin + position, message: "expected a value (string, number, object, array, true, false or null)")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        let bytes = literal.utf8Start
        for i in 0..<count {
            guard position + i < end else { throw .truncated }
            if base[position + i] != bytes[i] {
                throw .syntax(offset: origin + position, message: "expected a value (string, number, object, array, true, false or null)")
            }
        }
        position += count
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        if depth > Self.maxDepth { throw .syntax(offset: origin + position, message: "nested more than \(Self.maxDepth) levels deep") }
        position += 1  // {
        var members: [JSONMember] = []
        members.reserveCapacity(4)  // perf: one allocation for a typical record or message
        skipWhitespace()
        guard position < end else { throw .truncated }
        if base[position] == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject(members))
        }
        while true {
            skipWhitespace()
            guard position < end else { throw .truncated }
            guard base[position] == UInt8(ascii: "\"") else {
                throw .syntax(offset: origin + position, message: "expected a property name in double quotes")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < end else { throw .truncated }
            guard base[position] == UInt8(ascii: ":") else {
                throw .syntax(offset: origin + position, message: "expected ':' after the property name \"\(key)\"")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append(JSONMember(key, value))
            skipWhitespace()
            guard position < end else { throw .truncated }
            let c = base[position]
            position += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return .object(JSONObject(members)) }
            position -= 1
            throw .syntax(offset: origin + position, message: "expected ',' or '}' after the value of \"\(key)\"")
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        if depth > Self.maxDepth { throw .syntax(offset: origin + position, message: "nested more than \(Self.maxDepth) levels deep") }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        guard position < end else { throw .truncated }
        if base[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < end else { throw .truncated }
            let c = base[position]
            position += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return .array(elements) }
            position -= 1
            throw .syntax(offset: origin + position, message: "expected ',' or ']' after an array element")
        }
    }

    private mutating func parseNumber() throws(Failure) -> String {
        let start = position
        func digits(_ p: inout Int, _ base: UnsafePointer<UInt8>, _ end: Int) -> Int {
            let s = p
            while p < end, base[p] >= 0x30, base[p] <= 0x39 { p += 1 }
            return p - s
        }
        var p = position
        if base[p] == UInt8(ascii: "-") { p += 1 }
        guard p < end else { throw .truncated }
        if base[p] == UInt8(ascii: "0") {
            p += 1
        } else if digits(&p, base, end) == 0 {
            throw .syntax(offset: origin + p, message: "invalid number")
        }
        if p < end, base[p] == UInt8(ascii: ".") {
            p += 1
            if digits(&p, base, end) == 0 {
                if p >= end { throw .truncated }
                throw .syntax(offset: origin + p, message: "invalid number: expected a digit after '.'")
            }
        }
        if p < end, base[p] == UInt8(ascii: "e") || base[p] == UInt8(ascii: "E") {
            p += 1
            if p < end, base[p] == UInt8(ascii: "+") || base[p] == UInt8(ascii: "-") { p += 1 }
            if digits(&p, base, end) == 0 {
                if p >= end { throw .truncated }
                throw .syntax(offset: origin + p, message: "invalid number: expected a digit in the exponent")
            }
        }
        // A number that touches the end of the buffer may continue in the next chunk.
        if p >= end && !complete { throw .truncated }
        position = p
        return String(validatedUTF8: UnsafeBufferPointer(start: base + start, count: p - start), isASCII: true)  // digits, signs, '.', 'e
    }

    // SWAR helpers: flag, in the high bit of each byte lane, the bytes of an 8-byte word that end
    // a run of plain string bytes ('"', '\\' and control bytes < 0x20). Bytes above the first
    // flagged one may be flagged falsely (borrows), so only the lowest flag is used.
    @inline(__always)
    static func specialMask(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let b = w ^ (ones &* 0x5C)
        let quote = (q &- ones) & ~q
        let backslash = (b &- ones) & ~b
        let control = w &- (ones &* 0x20)
        return (quote | backslash | control) & ~w & highs
    }

}


extension JSONParser.Failure {
    /// Converts to a user-facing error; a truncation at the end of a complete document means
    /// the document itself is cut short.
    func syntaxError(at endOffset: Int) -> JSONSyntaxError {
        switch self {
        case .syntax(let offset, let message): return JSONSyntaxError(offset: offset, message: message)
        case .truncated: return JSONSyntaxError(offset: endOffset, message: "unexpected end of file: the JSON is cut short (a missing ']', '}' or '\"'?)")
        }
    }
}
