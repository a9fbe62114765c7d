/// One line of output read from a child process.
public struct OutputLine: Sendable, Hashable, CustomStringConvertible {
    /// Which of the child's output streams the line came from.
    public enum Stream: String, Sendable, Hashable {
        case stdout
        case stderr
    }

    /// How the line ended.
    public enum Terminator: Sendable, Hashable {
        /// `\n`, or `\r\n` (counted as one line end).
        case newline
        /// A lone `\r` (progress bars such as tqdm redraw this way).
        case carriageReturn
        /// The stream ended without a final line terminator.
        case endOfStream
    }

    public var stream: Stream
    /// The text, without its terminator; invalid UTF-8 is replaced with U+FFFD.
    public var text: String
    public var terminator: Terminator

    public init(stream: Stream, text: String, terminator: Terminator) {
        self.stream = stream
        self.text = text
        self.terminator = terminator
    }

    public var description: String { "[\(stream.rawValue)] \(text)" }
}
