/// A JSON document that cannot be read, with where and why.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the text (or file) where the problem was found.
    public var offset: Int
    /// 1-based line and column (column counted in bytes), when known.
    public var line: Int
    public var column: Int
    public var message: String

    public init(offset: Int, line: Int = 0, column: Int = 0, message: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line > 0 ? "line \(line), column \(column): \(message)" : "byte \(offset): \(message)"
    }

    /// Fills in line and column by counting newlines in `bytes` up to `offset`.
    func located(in bytes: UnsafeBufferPointer<UInt8>, base: Int = 0, firstLine: Int = 1) -> JSONSyntaxError {
        var copy = self
        var line = firstLine
        var lineStart = 0
        let end = min(offset - base, bytes.count)
        var i = 0
        while i < end {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        copy.line = line
        copy.column = end - lineStart + 1
        return copy
    }
}
