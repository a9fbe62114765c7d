import Foundation
import ZIPFoundation

/// Reads the body of a Word .docx: paragraphs in order, headings (pStyle Title / Heading1..9, or
/// a style whose name is "heading N", or an outline level) and tables as one line per row with
/// cells separated by " | ".
enum DocxExtractor {
    static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    static let compatibilityNamespace = "http://schemas.openxmlformats.org/markup-compatibility/2006"

    static func extract(path: String) throws -> [DocumentBlock] {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw DocumentError("not a valid .docx (not a zip archive)")
        }
        guard let entry = archive["word/document.xml"] else {
            throw DocumentError("not a valid .docx (no word/document.xml)")
        }
        let documentXML = try read(entry, from: archive)
        var styleLevels: [String: Int] = [:]
        if let stylesEntry = archive["word/styles.xml"], let styles = try? read(stylesEntry, from: archive) {
            styleLevels = StylesDelegate.headingLevels(styles)
        }
        let delegate = BodyDelegate(styleLevels: styleLevels)
        do {
            try XMLScanner.scan(documentXML, delegate: delegate)
        } catch {
            throw DocumentError("damaged .docx: word/document.xml is not valid XML (\(error))")
        }
        return delegate.blocks
    }

    private static func read(_ entry: Entry, from archive: Archive) throws -> Data {
        var data = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: true) { data.append($0) }
        } catch {
            throw DocumentError("damaged .docx: cannot unpack \(entry.path)")
        }
        return data
    }

    /// The value of a `w:` attribute, whatever prefix the parser reports.
    static func attribute(_ name: String, in attributes: [String: String]) -> String? {
        if let v = attributes["w:" + name] { return v }
        if let v = attributes[name] { return v }
        return attributes.first(where: { $0.key.hasSuffix(":" + name) })?.value
    }

    /// Heading level from a style id when styles.xml did not name it: Title → 0, HeadingN → N.
    static func levelFromStyleId(_ id: String) -> Int? {
        let lower = id.lowercased().replacingOccurrences(of: " ", with: "")
        if lower == "title" { return 0 }
        for prefix in ["heading", "berschrift", "titre", "titolo", "encabezado", "标题"] where lower.hasPrefix(prefix) {
            if let n = Int(lower.dropFirst(prefix.count)), (1...9).contains(n) { return n }
        }
        return nil
    }

    /// Maps style ids to heading levels by their names in styles.xml ("heading 1", "Title").
    final class StylesDelegate: XMLScannerDelegate {
        var levels: [String: Int] = [:]
        private var currentId: String?

        static func headingLevels(_ data: Data) -> [String: Int] {
            let delegate = StylesDelegate()
            try? XMLScanner.scan(data, delegate: delegate)  // a damaged styles.xml only loses heading names
            return delegate.levels
        }

        func didStart(_ name: String, namespace namespaceURI: String?, attributes: [String: String]) {
            guard namespaceURI == DocxExtractor.wordNamespace else { return }
            if name == "style" {
                currentId = DocxExtractor.attribute("styleId", in: attributes)
            } else if name == "name", let id = currentId, let value = DocxExtractor.attribute("val", in: attributes) {
                if let level = DocxExtractor.levelFromStyleId(value) { levels[id] = level }
            } else if name == "outlineLvl", let id = currentId, levels[id] == nil,
                      let v = DocxExtractor.attribute("val", in: attributes).flatMap(Int.init), (0...8).contains(v) {
                levels[id] = v + 1
            }
        }

        func didEnd(_ name: String, namespace: String?) {
            if name == "style" { currentId = nil }
        }

        func foundText(_ text: String) {}
    }

    final class BodyDelegate: XMLScannerDelegate {
        let styleLevels: [String: Int]
        var blocks: [DocumentBlock] = []

        private var text = ""
        private var headingLevel: Int?
        private var inText = false
        private var propertiesDepth = 0  // inside w:pPr / w:rPr (tab stops there are not text)
        private var tableDepth = 0
        private var cells: [String] = []
        private var cellParagraphs: [String] = []
        /// Outer paragraphs while a text box's paragraphs (nested w:p) are read.
        private var outer: [(text: String, headingLevel: Int?)] = []
        private var paragraphDepth = 0
        /// Inside mc:Fallback, which repeats the text of mc:Choice (text boxes): skipped.
        private var fallbackDepth = 0

        init(styleLevels: [String: Int]) { self.styleLevels = styleLevels }

        func didStart(_ name: String, namespace namespaceURI: String?, attributes: [String: String]) {
            if namespaceURI == DocxExtractor.compatibilityNamespace && name == "Fallback" { fallbackDepth += 1 }
            guard namespaceURI == DocxExtractor.wordNamespace, fallbackDepth == 0 else { return }
            switch name {
            case "p":
                if paragraphDepth > 0 { outer.append((text, headingLevel)) }
                paragraphDepth += 1
                text = ""
                headingLevel = nil
            case "pPr", "rPr", "sectPr", "tblPr", "trPr", "tcPr":
                propertiesDepth += 1
            case "pStyle":
                if let id = DocxExtractor.attribute("val", in: attributes) {
                    headingLevel = styleLevels[id] ?? DocxExtractor.levelFromStyleId(id)
                }
            case "outlineLvl":
                if headingLevel == nil, let v = DocxExtractor.attribute("val", in: attributes).flatMap(Int.init), (0...8).contains(v) {
                    headingLevel = v + 1
                }
            case "t":
                inText = true
            case "tab":
                if propertiesDepth == 0 { text.append(" ") }
            case "br", "cr":
                if propertiesDepth == 0 { text.append("\n") }
            case "noBreakHyphen":
                text.append("-")
            case "tbl":
                tableDepth += 1
            case "tr":
                if tableDepth == 1 { cells = [] }
            case "tc":
                if tableDepth == 1 { cellParagraphs = [] }
            default:
                break
            }
        }

        func foundText(_ string: String) {
            if inText && fallbackDepth == 0 { text += string }
        }

        func didEnd(_ name: String, namespace namespaceURI: String?) {
            if namespaceURI == DocxExtractor.compatibilityNamespace && name == "Fallback" { fallbackDepth = max(0, fallbackDepth - 1); return }
            guard namespaceURI == DocxExtractor.wordNamespace, fallbackDepth == 0 else { return }
            switch name {
            case "t":
                inText = false
            case "pPr", "rPr", "sectPr", "tblPr", "trPr", "tcPr":
                propertiesDepth = max(0, propertiesDepth - 1)
            case "p":
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { TextNormalizer.collapseSpaces(String($0)) }
                let paragraph = lines.filter { !$0.isEmpty }.joined(separator: "\n")
                if tableDepth > 0 {
                    if !paragraph.isEmpty { cellParagraphs.append(paragraph.replacingOccurrences(of: "\n", with: " ")) }
                } else if !paragraph.isEmpty {
                    if let level = headingLevel {
                        blocks.append(.heading(level: level, text: paragraph.replacingOccurrences(of: "\n", with: " ")))
                    } else {
                        blocks.append(.paragraph(paragraph))
                    }
                }
                paragraphDepth = max(0, paragraphDepth - 1)
                if let restored = outer.popLast() {
                    text = restored.text
                    headingLevel = restored.headingLevel
                } else {
                    text = ""
                }
            case "tc":
                if tableDepth == 1 { cells.append(cellParagraphs.joined(separator: " ")) }
            case "tr":
                if tableDepth == 1, cells.contains(where: { !$0.isEmpty }) {
                    blocks.append(.paragraph(cells.joined(separator: " | ")))
                }
            case "tbl":
                tableDepth = max(0, tableDepth - 1)
            default:
                break
            }
        }
    }
}
