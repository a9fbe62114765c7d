/// Turns HTML into blocks: scripts, styles and comments dropped, block elements become
/// paragraphs, h1-h6 headings, table rows "cell | cell", entities decoded, `<pre>` kept verbatim.
enum HTMLExtractor {
    static let blockTags: Set<String> = [
        "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "blockquote",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "caption", "figure",
        "figcaption", "hr", "address", "details", "summary", "form", "fieldset", "body", "html", "title",
    ]
    static let skippedTags: Set<String> = ["script", "style", "noscript", "template", "svg", "head", "iframe", "object"]

    static func extract(_ html: String) -> [DocumentBlock] {
        var state = State()
        let s = Array(html.unicodeScalars)
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "<" {
                if matches(s, i, "<!--") {
                    i = find(s, from: i + 4, "-->").map { $0 + 3 } ?? s.count
                    continue
                }
                guard let tag = readTag(s, i) else { state.append(c); i += 1; continue }
                i = tag.end
                if !tag.closing && skippedTags.contains(tag.name) && !tag.selfClosing {
                    i = skipElement(s, from: i, name: tag.name)
                    continue
                }
                state.handle(tag)
            } else if c == "&" {
                let (decoded, next) = decodeEntity(s, i)
                state.append(contentsOf: decoded)
                i = next
            } else {
                state.append(c)
                i += 1
            }
        }
        state.flush()
        return state.blocks
    }

    struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        var end: Int
    }

    struct State {
        var blocks: [DocumentBlock] = []
        var buffer = ""
        var headingLevel: Int?
        var preDepth = 0
        var rowCells: [String]?

        mutating func append(_ c: Unicode.Scalar) {
            if preDepth == 0 && (c == "\n" || c == "\r" || c == "\t") {
                buffer.unicodeScalars.append(" ")
            } else {
                buffer.unicodeScalars.append(c)
            }
        }

        mutating func append(contentsOf text: String) { buffer += text }

        mutating func handle(_ tag: Tag) {
            let name = tag.name
            if name == "br" { buffer += "\n"; return }
            if name.count == 2, name.first == "h", let level = Int(name.dropFirst()), (1...6).contains(level) {
                if rowCells != nil { buffer += " "; return }
                if tag.closing {
                    flush()
                    headingLevel = nil
                } else {
                    flush()
                    headingLevel = level
                }
                return
            }
            switch name {
            case "pre":
                flush()
                preDepth = max(0, preDepth + (tag.closing ? -1 : 1))
            case "tr":
                flush()
                if tag.closing { finishRow() } else { rowCells = [] }
            case "td", "th":
                if rowCells == nil { rowCells = [] }
                if tag.closing { finishCell() } else if !clean(buffer).isEmpty { finishCell() } else { buffer = "" }
            case "table":
                if rowCells != nil { finishRow() }
                flush()
            default:
                if Self.isBlock(name) {
                    if rowCells != nil { buffer += " " } else { flush() }
                }
            }
        }

        static func isBlock(_ name: String) -> Bool { HTMLExtractor.blockTags.contains(name) }

        mutating func finishCell() {
            let cell = clean(buffer).replacingOccurrences(of: "\n", with: " ")
            rowCells?.append(cell)
            buffer = ""
        }

        mutating func finishRow() {
            if !clean(buffer).isEmpty { finishCell() }
            if let cells = rowCells, cells.contains(where: { !$0.isEmpty }) {
                blocks.append(.paragraph(cells.joined(separator: " | ")))
            }
            rowCells = nil
            buffer = ""
        }

        func clean(_ text: String) -> String {
            if preDepth > 0 {
                return text.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
                    .joined(separator: "\n").trimmingCharacters(in: .newlines)
            }
            return text.split(separator: "\n").map { TextNormalizer.collapseSpaces(String($0)) }
                .filter { !$0.isEmpty }.joined(separator: "\n")
        }

        mutating func flush() {
            guard rowCells == nil else { return }
            let text = clean(buffer)
            buffer = ""
            guard !text.isEmpty else { return }
            if let level = headingLevel {
                blocks.append(.heading(level: level, text: text.replacingOccurrences(of: "\n", with: " ")))
            } else {
                blocks.append(.paragraph(text))
            }
        }
    }

    static func matches(_ s: [Unicode.Scalar], _ i: Int, _ literal: String) -> Bool {
        var j = i
        for c in literal.unicodeScalars {
            guard j < s.count, s[j] == c || (c.properties.isLowercase && s[j].properties.lowercaseMapping == String(c)) else { return false }
            j += 1
        }
        return true
    }

    static func find(_ s: [Unicode.Scalar], from start: Int, _ literal: String) -> Int? {
        var i = start
        while i < s.count {
            if matches(s, i, literal) { return i }
            i += 1
        }
        return nil
    }

    /// Reads `<name attr="…">` / `</name>` starting at `i` (which holds `<`).
    static func readTag(_ s: [Unicode.Scalar], _ i: Int) -> Tag? {
        var j = i + 1
        var closing = false
        if j < s.count, s[j] == "/" { closing = true; j += 1 }
        if j < s.count, s[j] == "!" || s[j] == "?" {  // doctype, processing instruction
            guard let end = find(s, from: j, ">") else { return nil }
            return Tag(name: "!", closing: false, selfClosing: true, end: end + 1)
        }
        var name = ""
        while j < s.count, s[j].properties.isAlphabetic || (s[j].value >= 48 && s[j].value <= 57) || s[j] == "-" || s[j] == ":" {
            name.unicodeScalars.append(s[j])
            j += 1
        }
        guard !name.isEmpty else { return nil }
        var quote: Unicode.Scalar?
        var previous: Unicode.Scalar = " "
        while j < s.count {
            let c = s[j]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ">" {
                return Tag(name: name.lowercased(), closing: closing, selfClosing: previous == "/", end: j + 1)
            }
            previous = c
            j += 1
        }
        return nil
    }

    /// Skips to after `</name>` (script and style content is raw text).
    static func skipElement(_ s: [Unicode.Scalar], from start: Int, name: String) -> Int {
        var i = start
        while let at = find(s, from: i, "</") {
            if let tag = readTag(s, at), tag.closing, tag.name == name { return tag.end }
            i = at + 2
        }
        return s.count
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "trade": "™", "mdash": "—", "ndash": "–", "hellip": "…", "laquo": "«", "raquo": "»", "lsquo": "‘",
        "rsquo": "’", "ldquo": "“", "rdquo": "”", "middot": "·", "bull": "•", "euro": "€", "pound": "£",
        "yen": "¥", "cent": "¢", "sect": "§", "deg": "°", "plusmn": "±", "times": "×", "divide": "÷",
        "shy": "", "zwj": "", "zwnj": "", "ensp": " ", "emsp": " ", "thinsp": " ",
    ]

    /// Decodes `&name;`, `&#123;`, `&#x1F600;` at `i`; an unknown entity stays as written.
    static func decodeEntity(_ s: [Unicode.Scalar], _ i: Int) -> (String, Int) {
        var j = i + 1
        var body = ""
        while j < s.count, j - i <= 32, s[j] != ";" {
            let c = s[j]
            guard c.properties.isAlphabetic || (c.value >= 48 && c.value <= 57) || c == "#" else { break }
            body.unicodeScalars.append(c)
            j += 1
        }
        guard j < s.count, s[j] == ";", !body.isEmpty else { return ("&", i + 1) }
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            if let value, let scalar = Unicode.Scalar(value), value != 0 { return (String(scalar), j + 1) }
            return ("\u{FFFD}", j + 1)
        }
        if let named = namedEntities[body] ?? namedEntities[body.lowercased()] { return (named, j + 1) }
        return ("&", i + 1)
    }
}
