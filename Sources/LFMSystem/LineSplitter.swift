/// Splits a byte stream into lines incrementally, as bytes arrive.
///
/// `\n`, `\r\n` and a lone `\r` all end a line. A `\r` that is the last byte of a chunk is
/// reported at once (as `.carriageReturn`, so progress redraws are not held back until the
/// next write); if the next chunk then starts with `\n`, that `\n` is swallowed so the pair
/// still ends exactly one line. Bytes are decoded per line, so a multi-byte UTF-8 sequence
/// split across reads is decoded intact; invalid UTF-8 becomes U+FFFD.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    private var swallowLineFeed = false

    public init() {}

    /// Feeds a chunk; calls `emit` for every line it completes.
    public mutating func feed(
        _ bytes: UnsafeRawBufferPointer,
        emit: (String, OutputLine.Terminator) -> Void
    ) {
        let count = bytes.count
        var start = 0
        var index = 0
        if swallowLineFeed, count > 0 {
            swallowLineFeed = false
            if bytes[0] == UInt8(ascii: "\n") {
                start = 1
                index = 1
            }
        }
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                emit(takeLine(bytes, start, index), .newline)
                index += 1
                start = index
            } else if byte == UInt8(ascii: "\r") {
                if index + 1 < count {
                    if bytes[index + 1] == UInt8(ascii: "\n") {
                        emit(takeLine(bytes, start, index), .newline)
                        index += 2
                    } else {
                        emit(takeLine(bytes, start, index), .carriageReturn)
                        index += 1
                    }
                } else {
                    emit(takeLine(bytes, start, index), .carriageReturn)
                    swallowLineFeed = true
                    index += 1
                }
                start = index
            } else {
                index += 1
            }
        }
        if start < count {
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<count]))
        }
    }

    /// Convenience for tests and small inputs.
    public mutating func feed(_ bytes: [UInt8], emit: (String, OutputLine.Terminator) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit: emit) }
    }

    /// Ends the stream: emits the final unterminated line, if any.
    public mutating func finish(emit: (String, OutputLine.Terminator) -> Void) {
        swallowLineFeed = false
        if !pending.isEmpty {
            let text = String(decoding: pending, as: UTF8.self)
            pending.removeAll()
            emit(text, .endOfStream)
        }
    }

    private mutating func takeLine(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        if pending.isEmpty {
            return String(decoding: slice, as: UTF8.self)
        }
        pending.append(contentsOf: slice)
        let text = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        return text
    }
}
