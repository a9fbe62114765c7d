/// One block of a document, in reading order.
public enum DocumentBlock: Sendable, Equatable {
    /// A heading; level 1 is the top section level (h1, `#`, Heading1). A .docx Title is level 0.
    case heading(level: Int, text: String)
    case paragraph(String)

    public var text: String {
        switch self {
        case .heading(_, let t): return t
        case .paragraph(let t): return t
        }
    }
}

/// A document reduced to headings and paragraphs.
public struct Document: Sendable, Equatable {
    public var path: String
    public var blocks: [DocumentBlock]

    public init(path: String, blocks: [DocumentBlock]) {
        self.path = path
        self.blocks = blocks
    }

    /// Characters of text (headings included).
    public var characterCount: Int { blocks.reduce(0) { $0 + $1.text.count } }
}

/// A file that was not used, and why.
public struct SkippedDocument: Sendable, Equatable, Codable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// Why one document could not be read.
public struct DocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
