/// Splits plain text and Markdown into blocks.
enum PlainTextParser {
    /// Paragraphs are separated by blank lines (or form feeds); wrapped lines are joined.
    static func plain(_ text: String) -> [DocumentBlock] {
        var blocks: [DocumentBlock] = []
        var lines: [String] = []
        func flush() {
            let joined = TextNormalizer.joinLines(lines)
            if !joined.isEmpty { blocks.append(.paragraph(joined)) }
            lines.removeAll()
        }
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\u{0C}" || $0 == "\r\n" || $0 == "\r" }) {
            let line = TextNormalizer.collapseSpaces(String(raw))
            if line.isEmpty { flush() } else { lines.append(line) }
        }
        flush()
        return blocks
    }

    /// ATX (`#`) and setext headings, fenced code kept verbatim, list items as their own paragraphs.
    static func markdown(_ text: String) -> [DocumentBlock] {
        var blocks: [DocumentBlock] = []
        var lines: [String] = []
        var fence: [String]? = nil
        func flush() {
            let joined = TextNormalizer.joinLines(lines)
            if !joined.isEmpty { blocks.append(.paragraph(joined)) }
            lines.removeAll()
        }
        let all = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init)
        var i = 0
        while i < all.count {
            let raw = all[i]
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            i += 1
            if var code = fence {
                if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                    if !code.isEmpty { blocks.append(.paragraph(code.joined(separator: "\n"))) }
                    fence = nil
                } else {
                    code.append(raw)
                    fence = code
                }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flush()
                fence = []
                continue
            }
            if trimmed.isEmpty { flush(); continue }
            if let heading = atxHeading(trimmed) {
                flush()
                if !heading.text.isEmpty { blocks.append(.heading(level: heading.level, text: heading.text)) }
                continue
            }
            // Setext: a single text line followed by === or ---.
            if lines.isEmpty, i < all.count {
                let next = all[i].trimmingCharacters(in: .whitespaces)
                if next.count >= 2, next.allSatisfy({ $0 == "=" }) || next.allSatisfy({ $0 == "-" }) {
                    blocks.append(.heading(level: next.first == "=" ? 1 : 2, text: TextNormalizer.collapseSpaces(trimmed)))
                    i += 1
                    continue
                }
            }
            if isListItem(trimmed) { flush() }
            lines.append(TextNormalizer.collapseSpaces(trimmed))
        }
        if let code = fence, !code.isEmpty { blocks.append(.paragraph(code.joined(separator: "\n"))) }
        flush()
        return blocks
    }

    static func atxHeading(_ line: String) -> (level: Int, text: String)? {
        var level = 0
        var index = line.startIndex
        while index < line.endIndex, line[index] == "#" { level += 1; index = line.index(after: index) }
        guard (1...6).contains(level) else { return nil }
        guard index == line.endIndex || line[index] == " " || line[index] == "\t" else { return nil }
        var text = line[index...].trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("#") { text.removeLast() }
        return (level, TextNormalizer.collapseSpaces(text))
    }

    static func isListItem(_ line: String) -> Bool {
        if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return true }
        let digits = line.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 3 else { return false }
        let rest = line.dropFirst(digits.count)
        return rest.hasPrefix(". ") || rest.hasPrefix(") ")
    }
}
