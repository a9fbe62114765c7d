import Foundation
import LFMSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a record sits in its file.
public struct RecordLocation: Sendable, Equatable, Hashable {
    /// 0-based position among the file's records.
    public var index: Int
    /// 1-based line where the record starts.
    public var line: Int
    /// Byte offset where the record starts.
    public var offset: Int
}

/// How a data file lays out its records.
public enum RecordLayout: String, Sendable, Codable {
    /// `[ {...}, {...} ]`
    case jsonArray = "json"
    /// One JSON object per line.
    case jsonLines = "jsonl"
    /// Plain text: every line is a record `{"text": line}` (how LLaMA-Factory reads `.txt`).
    case text
}

/// A data file that cannot be read as records.
public struct RecordReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var syntax: JSONSyntaxError
    /// The record being read when it failed, when inside one.
    public var recordIndex: Int?

    public var description: String {
        let record = recordIndex.map { " (record \($0))" } ?? ""
        return "\(path):\(syntax.line):\(syntax.column) (byte \(syntax.offset)): \(syntax.message)\(record)"
    }
}

/// Streams the records of a `.json` array, a `.jsonl` file or a `.txt` file in constant memory:
/// the file is read in 4 MiB chunks and only the current record is held as a tree.
public final class RecordReader {
    public let path: String
    public private(set) var layout: RecordLayout = .jsonArray
    /// Bytes consumed so far (for progress). While ``forEachParsingAhead(_:)`` runs, the bytes read
    /// up to the record being delivered.
    public var bytesRead: Int { deliveredBytes ?? readBytes }
    private(set) var readBytes = 0
    /// Bytes of the current line that were discarded before `buffer[0]`.
    private var columnCarry = 0
    /// Set by the consuming thread of ``forEachParsingAhead(_:)`` only.
    var deliveredBytes: Int?
    public private(set) var fileSize: Int = 0

    private let fd: Int32
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Valid bytes are `buffer[0..<filled]`; `buffer[0]` is file offset `bufferOrigin`.
    private var filled = 0
    private var bufferOrigin = 0
    private var eof = false
    /// Lines counted up to `countedUpTo` (a buffer position).
    private var linesBefore = 1
    private var countedUpTo = 0
    /// Unescaping buffer lent to each record's parser.
    private var scratch: [UInt8] = []
    /// A reader over part of the file (``init(path:range:layout:)``): bytes from `limit` on are
    /// treated as the end of the file.
    private var limit = Int.max
    /// For a part that starts after a record boundary: its layout, and no BOM or '[' to read.
    private var startsBetweenRecords = false
    /// Set when a range-limited JSON array part ended right after a ',' between records (at the
    /// limit), the only clean way for a part that is not the file's end to stop.
    private(set) var endedBetweenRecords = false

    public init(path: String, chunkSize: Int = 4 << 20, layoutHint: RecordLayout? = nil) throws {
        self.path = path
        // O_NONBLOCK: a FIFO named here must not block the open; it is refused just below.
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            throw FileError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        if fstat(fd, &info) == 0 { fileSize = Int(info.st_size) }
        if (info.st_mode & S_IFMT) != S_IFREG {
            close(fd)
            throw FileError.cannotOpen(path: path, reason: FileStatus.of(path).problem ?? "not a regular file")
        }
        capacity = max(chunkSize, 64)
        buffer = .allocate(capacity: capacity)
        if layoutHint == .text { layout = .text }
    }

    /// A reader over the bytes `range` of the file only, for validating a file in parts.
    /// `startsBetweenRecords`: the range begins where a record of `layout` may begin (after a
    /// `,` of the array or a newline of JSON Lines), so records are read from its first byte on;
    /// otherwise it is the file's beginning and read as ``init(path:chunkSize:layoutHint:)`` does.
    /// Record indexes and lines count from 0 and 1 at the range's start.
    convenience init(path: String, range: Range<Int>, layout: RecordLayout, startsBetweenRecords: Bool, chunkSize: Int = 4 << 20) throws {
        try self.init(path: path, chunkSize: chunkSize)
        limit = range.upperBound
        self.layout = layout
        self.startsBetweenRecords = startsBetweenRecords
        if range.lowerBound > 0 {
            if lseek(fd, off_t(range.lowerBound), SEEK_SET) < 0 {
                throw FileError.cannotRead(path: path, reason: String(cString: strerror(errno)))
            }
            bufferOrigin = range.lowerBound
        }
    }

    /// Newlines before the end of what was read (for a part: before its limit, after its start).
    /// Call after reading.
    func newlinesRead() -> Int {
        line(at: filled) - 1
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Calls `body` for each record in order. Stops at the first syntax error (the rest of the
    /// file cannot be located reliably after one) and throws it as a ``RecordReadError``.
    /// `body` may throw to stop early.
    public func forEach(_ body: (RecordLocation, JSONValue) throws -> Void) throws {
        try fill()
        if startsBetweenRecords {
            switch layout {
            case .jsonArray: return try readArray(from: 0, firstIsRecord: true, body)
            case .jsonLines: return try readLines(from: 0, body)
            case .text: return try readText(from: 0, body)
            }
        }
        var position = 0
        if filled >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
        if layout != .text {
            position = try skipWhitespaceRefilling(from: position)
            guard position < filled else {
                throw error(at: position, "the file is empty: expected a JSON array of records or JSON Lines")
            }
            switch buffer[position] {
            case UInt8(ascii: "["): layout = .jsonArray
            case UInt8(ascii: "{"): layout = .jsonLines
            default:
                throw error(at: position, "expected a JSON array of records ('[') or one JSON object per line ('{'), found '\(Character(Unicode.Scalar(buffer[position])))'")
            }
        }
        switch layout {
        case .jsonArray: try readArray(from: position + 1, body)
        case .jsonLines: try readLines(from: position, body)
        case .text: try readText(from: position, body)
        }
    }

    // MARK: Layouts

    private func readArray(from start: Int, firstIsRecord: Bool = false, _ body: (RecordLocation, JSONValue) throws -> Void) throws {
        var position = try skipWhitespaceRefilling(from: start)
        var index = 0
        if !firstIsRecord, position < filled, buffer[position] == UInt8(ascii: "]") {
            return try expectEnd(after: position + 1)
        }
        while true {
            position = try skipWhitespaceRefilling(from: position)
            let recordStart = position
            var parsed: (JSONValue, Int, Int)?
            while parsed == nil {
                var parser = JSONParser(UnsafeBufferPointer(start: buffer, count: filled), position: position, origin: bufferOrigin, complete: eof)
                swap(&parser.scratch, &scratch)
                defer { swap(&parser.scratch, &scratch) }
                do {
                    let value = try parser.parseValue(depth: 0)
                    parsed = (value, parser.position, parser.newlines)
                } catch .truncated {
                    if eof { throw error(at: filled, "unexpected end of file inside record \(index): the JSON is cut short (a missing ']', '}' or '\"'?)", record: index) }
                    position = try refill(keepingFrom: position)
                } catch .syntax(let offset, let message) {
                    throw error(at: offset - bufferOrigin, message, record: index)
                }
            }
            let (value, next, newlines) = parsed!
            _ = recordStart
            let location = RecordLocation(index: index, line: line(at: position), offset: bufferOrigin + position)
            // perf: the parser counted the record's newlines; no need to scan it again.
            if countedUpTo == position {
                linesBefore += newlines
                countedUpTo = next
            }
            try body(location, value)
            index += 1
            position = try skipWhitespaceRefilling(from: next)
            guard position < filled else {
                throw error(at: position, "unexpected end of file after record \(index - 1): expected ',' or ']'")
            }
            let c = buffer[position]
            if c == UInt8(ascii: ",") {
                position += 1
                if limit != Int.max {
                    // A part ends cleanly only between records, at its limit.
                    position = try skipWhitespaceRefilling(from: position)
                    if position == filled, eof, bufferOrigin + filled == limit {
                        endedBetweenRecords = true
                        return
                    }
                }
                continue
            }
            if c == UInt8(ascii: "]") { return try expectEnd(after: position + 1) }
            throw error(at: position, "expected ',' or ']' after record \(index - 1)")
        }
    }

    private func readLines(from start: Int, _ body: (RecordLocation, JSONValue) throws -> Void) throws {
        var position = start
        var index = 0
        while true {
            guard let lineEnd = try findNewline(from: &position) else { return }
            // Skip blank lines.
            var p = position
            while p < lineEnd, buffer[p] == 0x20 || buffer[p] == 0x09 || buffer[p] == 0x0D { p += 1 }
            if p < lineEnd {
                var parser = JSONParser(UnsafeBufferPointer(start: buffer, count: lineEnd), position: p, origin: bufferOrigin, complete: true)
                swap(&parser.scratch, &scratch)
                defer { swap(&parser.scratch, &scratch) }
                let value: JSONValue
                do {
                    value = try parser.parseValue(depth: 0)
                } catch .truncated {
                    throw error(at: lineEnd, "line ends inside record \(index): each line must hold one complete JSON object", record: index)
                } catch .syntax(let offset, let message) {
                    throw error(at: offset - bufferOrigin, message, record: index)
                }
                parser.skipWhitespace()
                if parser.position < lineEnd {
                    throw error(at: parser.position, "unexpected text after the record on this line (JSON Lines holds one object per line)", record: index)
                }
                let location = RecordLocation(index: index, line: line(at: p), offset: bufferOrigin + p)
                countedUpTo = max(countedUpTo, lineEnd)  // perf: the line holds no newline before lineEnd
                try body(location, value)
                index += 1
            }
            position = lineEnd + 1
        }
    }

    private func readText(from start: Int, _ body: (RecordLocation, JSONValue) throws -> Void) throws {
        var position = start
        var index = 0
        while true {
            guard let lineEnd = try findNewline(from: &position) else { return }
            var end = lineEnd
            if end > position, buffer[end - 1] == 0x0D { end -= 1 }
            let bytes = UnsafeBufferPointer(start: buffer + position, count: end - position)
            guard UTF8Validation.isValid(bytes) else {
                let bad = UTF8Validation.firstInvalidOffset(bytes) ?? 0
                throw error(at: position + bad, "invalid UTF-8 byte: save the file as UTF-8", record: index)
            }
            let text = String(validatedUTF8: bytes, isASCII: false)
            let location = RecordLocation(index: index, line: line(at: position), offset: bufferOrigin + position)
            countedUpTo = max(countedUpTo, lineEnd)  // perf: the line holds no newline before lineEnd
            try body(location, .object(JSONObject([JSONMember("text", .string(text))])))
            index += 1
            position = lineEnd + 1
        }
    }

    // MARK: Buffer management

    /// Finds the end of the line starting at `position` (refilling as needed, which may move
    /// `position`). Returns nil when no bytes are left; at end of file the last line ends at `filled`.
    private func findNewline(from position: inout Int) throws -> Int? {
        while true {
            if position < filled, let hit = memchr(buffer + position, 0x0A, filled - position) {
                return buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if eof { return position < filled ? filled : nil }
            position = try refill(keepingFrom: position)
        }
    }

    private func skipWhitespaceRefilling(from start: Int) throws -> Int {
        var position = start
        while true {
            while position < filled {
                let c = buffer[position]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 } else { return position }
            }
            if eof { return position }
            position = try refill(keepingFrom: position)
        }
    }

    private func expectEnd(after position: Int) throws {
        let p = try skipWhitespaceRefilling(from: position)
        if p < filled { throw error(at: p, "unexpected text after the closing ']' of the record array") }
    }

    /// Discards bytes before `keep`, reads more, and returns `keep`'s new position (0).
    private func refill(keepingFrom keep: Int) throws -> Int {
        countLines(upTo: keep)
        let remaining = filled - keep
        if keep > 0 {
            // Remember how much of the current line is being discarded, for error columns.
            var q = keep - 1
            while q >= 0, buffer[q] != 0x0A { q -= 1 }
            columnCarry = q >= 0 ? keep - (q + 1) : columnCarry + keep
            if remaining > 0 { memmove(buffer, buffer + keep, remaining) }
            bufferOrigin += keep
            filled = remaining
            countedUpTo -= keep
        } else if filled == capacity {
            // One record is larger than the buffer: grow it.
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: filled)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        try fill()
        return 0
    }

    private func fill() throws {
        while filled < capacity && !eof {
            let want = min(capacity - filled, limit - (bufferOrigin + filled))
            if want <= 0 { eof = true; break }
            let n = read(fd, buffer + filled, want)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.cannotRead(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { eof = true } else {
                filled += n
                readBytes += n
            }
        }
    }

    private func countLines(upTo position: Int) {
        guard position > countedUpTo else { return }
        // Counts '\n' bytes 8 at a time: a zero byte of w ^ 0x0A… is a newline (exact, no carries).
        var p = countedUpTo
        var lines = 0
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        while p + 8 <= position {
            let x = UnsafeRawPointer(buffer + p).loadUnaligned(as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            let t = ((x & low7) &+ low7) | x
            lines += (~t & 0x8080_8080_8080_8080).nonzeroBitCount
            p += 8
        }
        while p < position {
            if buffer[p] == 0x0A { lines += 1 }
            p += 1
        }
        linesBefore += lines
        countedUpTo = position
    }

    private func line(at position: Int) -> Int {
        countLines(upTo: position)
        return linesBefore
    }

    private func error(at position: Int, _ message: String, record: Int? = nil) -> RecordReadError {
        let clamped = max(0, min(position, filled))
        let line = line(at: clamped)
        // Column: bytes since the last newline before `clamped` within the buffer.
        var column = 1
        var p = clamped - 1
        while p >= 0, buffer[p] != 0x0A { column += 1; p -= 1 }
        if p < 0 { column += columnCarry }
        let syntax = JSONSyntaxError(offset: bufferOrigin + clamped, line: line, column: column, message: message)
        return RecordReadError(path: path, syntax: syntax, recordIndex: record)
    }
}
