import LFMSystem
/// A piece of a document sent to the model in one request.
public struct Chunk: Sendable, Equatable, Codable {
    /// SHA-256 (hex) of the heading path and text: stable across runs, the resume key.
    public var id: String
    /// Position in the run (documents in order, chunks in order).
    public var index: Int
    public var source: String
    /// Headings above the chunk's start, outermost first ("Manual", "Install", "Linux").
    public var headingPath: [String]
    public var text: String

    public var heading: String { headingPath.joined(separator: " > ") }
    public var characterCount: Int { text.count }

    public init(index: Int, source: String, headingPath: [String], text: String) {
        self.index = index
        self.source = source
        self.headingPath = headingPath
        self.text = text
        self.id = Chunk.makeId(headingPath: headingPath, text: text)
    }

    public static func makeId(headingPath: [String], text: String) -> String {
        SHA256Digest.hex(headingPath.joined(separator: " > ") + "\n\u{1F}\n" + text)
    }
}

/// Paragraph-aware, heading-aware chunking.
///
/// - Paragraphs accumulate up to `targetSize` characters (joined by blank lines).
/// - A top-level heading (the document's smallest heading level) starts a new chunk when the
///   current one is at least half full; other headings stay in the text as their own line.
/// - A paragraph longer than the target is split at sentence ends, never inside a word or a CJK
///   sentence when avoidable.
/// - `overlap` characters of the previous chunk's last sentences start the next chunk
///   (whole sentences only, so it may be less).
public struct Chunker: Sendable {
    public var targetSize: Int
    public var overlap: Int

    public init(targetSize: Int = 2000, overlap: Int = 0) {
        self.targetSize = max(1, targetSize)
        self.overlap = max(0, overlap)
    }

    /// Chunks of several documents, indexed in order.
    public func chunks(of documents: [Document]) -> [Chunk] {
        var all: [Chunk] = []
        for document in documents {
            for var chunk in chunks(of: document) {
                chunk.index = all.count
                all.append(chunk)
            }
        }
        return all
    }

    public func chunks(of document: Document) -> [Chunk] {
        let topLevel = document.blocks.compactMap { block -> Int? in
            if case .heading(let level, _) = block { return level }
            return nil
        }.min()
        var chunks: [Chunk] = []
        var stack: [(level: Int, text: String)] = []
        var parts: [String] = []
        var size = 0
        var fresh = 0  // parts that are not overlap carried from the previous chunk
        var path: [String] = []

        func flush() {
            guard fresh > 0 else { parts = []; size = 0; return }
            let text = parts.joined(separator: "\n\n")
            chunks.append(Chunk(index: chunks.count, source: document.path, headingPath: path, text: text))
            let carried = overlapText(from: parts)
            parts = carried.isEmpty ? [] : [carried]
            size = carried.count
            fresh = 0
        }

        func add(_ text: String) {
            let extra = parts.isEmpty ? text.count : text.count + 2
            if fresh > 0 && size + extra > targetSize { flush() }
            if fresh == 0 && !parts.isEmpty && size + text.count + 2 > targetSize {
                parts = []  // the overlap would push this piece over the target: drop it
                size = 0
            }
            if fresh == 0 { path = stack.map(\.text) }
            size += parts.isEmpty ? text.count : text.count + 2
            parts.append(text)
            fresh += 1
        }

        for block in document.blocks {
            switch block {
            case .heading(let level, let text):
                if level == topLevel, fresh > 0, size * 2 >= targetSize { flush() }
                while let last = stack.last, last.level >= level { stack.removeLast() }
                stack.append((level, text))
                if fresh > 0 { add(text) }
            case .paragraph(let text):
                if text.count <= targetSize {
                    add(text)
                } else {
                    for piece in SentenceSplitter.pieces(text, limit: targetSize) { add(piece) }
                }
            }
        }
        flush()
        return chunks
    }

    /// The last whole sentences of `parts` totalling at most `overlap` characters.
    func overlapText(from parts: [String]) -> String {
        guard overlap > 0 else { return "" }
        var taken: [String] = []
        var total = 0
        outer: for part in parts.reversed() {
            for sentence in SentenceSplitter.sentences(part).reversed() {
                let s = SentenceSplitter.trim(sentence)
                if s.isEmpty { continue }
                if total + s.count + (taken.isEmpty ? 0 : 1) > overlap { break outer }
                taken.insert(s, at: 0)
                total += s.count + (taken.count > 1 ? 1 : 0)
            }
            break  // overlap comes from the last paragraph only, keeping paragraph boundaries
        }
        return TextNormalizer.joinLines(taken)
    }
}
