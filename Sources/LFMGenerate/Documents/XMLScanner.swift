import Foundation

/// Receives what `XMLScanner` reads, in document order.
protocol XMLScannerDelegate: AnyObject {
    /// `namespace`: the URI the element's prefix (or the default namespace) is bound to.
    /// `attributes`: keyed by qualified name (`w:val`), namespace declarations left out.
    func didStart(_ name: String, namespace: String?, attributes: [String: String])
    func didEnd(_ name: String, namespace: String?)
    /// Character data with entities decoded; one run of text may arrive in several calls.
    func foundText(_ text: String)
}

/// A small non-validating XML 1.0 reader for the parts of a .docx lfm reads (`word/document.xml`,
/// `word/styles.xml`): elements with namespaces, attributes, text, the five predefined entities,
/// character references and CDATA; comments, processing instructions and a DOCTYPE are skipped,
/// and no other entity is ever expanded. It replaces Foundation's `XMLParser`, whose module
/// (FoundationXML, with libxml2) cost every `lfm` command start-up time (docs/performance.md).
/// Not well-formed input (a mismatched or unclosed tag, a bad attribute, an unknown entity)
/// throws `XMLScanner.Failure`, naming the line.
struct XMLScanner {
    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static func scan(_ data: Data, delegate: any XMLScannerDelegate) throws {
        let bytes = [UInt8](data)
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = Scanner(bytes: buffer, delegate: delegate)
            try scanner.run()
        }
    }

    private struct Element {
        let name: String
        let prefix: Substring?
        let local: Substring
        /// Prefix ("" = default namespace) → URI declared on this element.
        let declarations: [(prefix: String, uri: String)]
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        let delegate: any XMLScannerDelegate
        var i = 0
        var open: [Element] = []
        var sawRoot = false

        init(bytes: UnsafeBufferPointer<UInt8>, delegate: any XMLScannerDelegate) {
            self.bytes = bytes
            self.delegate = delegate
        }

        var line: Int { bytes[..<min(i, bytes.count)].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } }

        func fail(_ reason: String) -> Failure { Failure(line: line, reason: reason) }

        mutating func run() throws {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }  // UTF-8 byte-order mark
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "<") {
                    try markup()
                } else {
                    let start = i
                    while i < bytes.count && bytes[i] != UInt8(ascii: "<") { i += 1 }
                    if open.isEmpty {
                        if bytes[start..<i].contains(where: { !Self.isSpace($0) }) { throw fail("text outside the root element") }
                    } else {
                        delegate.foundText(try decode(start..<i))
                    }
                }
            }
            if let element = open.last { throw fail("unclosed element <\(element.name)> at the end of the document") }
            if !sawRoot { throw fail("no root element") }
        }

        mutating func markup() throws {
            if match("<!--") {
                try skip(past: "-->")
            } else if match("<![CDATA[") {
                let start = i
                try skip(past: "]]>")
                guard !open.isEmpty else { throw fail("CDATA outside the root element") }
                delegate.foundText(String(decoding: bytes[start..<(i - 3)], as: UTF8.self))
            } else if match("<?") {
                try skip(past: "?>")
            } else if match("<!DOCTYPE") {
                try skipDoctype()
            } else if match("</") {
                let name = try readName()
                skipSpaces()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw fail("expected > after </\(name)") }
                i += 1
                guard let element = open.last else { throw fail("end tag </\(name)> without a start tag") }
                guard element.name == name else { throw fail("end tag </\(name)> does not match <\(element.name)>") }
                let namespace = resolve(element.prefix, in: open)
                open.removeLast()
                delegate.didEnd(String(element.local), namespace: namespace)
            } else {
                i += 1
                try startTag()
            }
        }

        mutating func startTag() throws {
            if open.isEmpty && sawRoot { throw fail("a second root element") }
            let name = try readName()
            var attributes: [String: String] = [:]
            var declarations: [(prefix: String, uri: String)] = []
            let empty: Bool
            while true {
                let hadSpace = skipSpaces()
                guard i < bytes.count else { throw fail("unclosed tag <\(name)") }
                if bytes[i] == UInt8(ascii: ">") { i += 1; empty = false; break }
                if match("/>") { empty = true; break }
                guard hadSpace else { throw fail("expected a space between attributes in <\(name)>") }
                let attribute = try readName()
                skipSpaces()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("attribute \(attribute) of <\(name)> has no value") }
                i += 1
                skipSpaces()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw fail("the value of \(attribute) in <\(name)> is not quoted")
                }
                let quote = bytes[i]
                i += 1
                let start = i
                while i < bytes.count && bytes[i] != quote && bytes[i] != UInt8(ascii: "<") { i += 1 }
                guard i < bytes.count, bytes[i] == quote else { throw fail("unterminated value of \(attribute) in <\(name)>") }
                let value = try decode(start..<i, normalizingSpaces: true)
                i += 1
                guard attributes[attribute] == nil else { throw fail("attribute \(attribute) repeated in <\(name)>") }
                if attribute == "xmlns" {
                    declarations.append(("", value))
                } else if attribute.hasPrefix("xmlns:") {
                    declarations.append((String(attribute.dropFirst(6)), value))
                } else {
                    attributes[attribute] = value
                }
            }
            let colon = name.firstIndex(of: ":")
            let element = Element(name: name, prefix: colon.map { name[..<$0] },
                                  local: colon.map { name[name.index(after: $0)...] } ?? name[...],
                                  declarations: declarations)
            open.append(element)
            sawRoot = true
            let namespace = resolve(element.prefix, in: open)
            delegate.didStart(String(element.local), namespace: namespace, attributes: attributes)
            if empty {
                open.removeLast()
                delegate.didEnd(String(element.local), namespace: namespace)
            }
        }

        /// The URI bound to `prefix` (nil = the default namespace) by the innermost declaration.
        func resolve(_ prefix: Substring?, in elements: [Element]) -> String? {
            let key = prefix.map(String.init) ?? ""
            if key == "xml" { return "http://www.w3.org/XML/1998/namespace" }
            for element in elements.reversed() {
                if let found = element.declarations.last(where: { $0.prefix == key }) { return found.uri.isEmpty ? nil : found.uri }
            }
            return nil
        }

        mutating func readName() throws -> String {
            let start = i
            while i < bytes.count, !Self.isSpace(bytes[i]), !"/>=<\"'&".utf8.contains(bytes[i]) { i += 1 }
            guard i > start else { throw fail("expected a name") }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        @discardableResult
        mutating func skipSpaces() -> Bool {
            let start = i
            while i < bytes.count && Self.isSpace(bytes[i]) { i += 1 }
            return i > start
        }

        mutating func match(_ literal: StaticString) -> Bool {
            let n = literal.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            let pattern = UnsafeBufferPointer(start: literal.utf8Start, count: n)
            guard bytes[i..<(i + n)].elementsEqual(pattern) else { return false }
            i += n
            return true
        }

        mutating func skip(past terminator: StaticString) throws {
            while i < bytes.count {
                if match(terminator) { return }
                i += 1
            }
            throw fail("unterminated markup (no \(terminator))")
        }

        mutating func skipDoctype() throws {
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "]"): depth -= 1
                case UInt8(ascii: ">") where depth <= 0: i += 1; return
                default: break
                }
                i += 1
            }
            throw fail("unterminated DOCTYPE")
        }

        /// Text or an attribute value with its references decoded.
        func decode(_ range: Range<Int>, normalizingSpaces: Bool = false) throws -> String {
            let slice = bytes[range]
            if !slice.contains(UInt8(ascii: "&")) && !(normalizingSpaces && slice.contains(where: { $0 < 0x20 })) {
                return String(decoding: slice, as: UTF8.self)
            }
            var out: [UInt8] = []
            out.reserveCapacity(slice.count)
            var j = range.lowerBound
            while j < range.upperBound {
                let byte = bytes[j]
                if byte == UInt8(ascii: "&") {
                    guard let end = bytes[j..<range.upperBound].firstIndex(of: UInt8(ascii: ";")) else {
                        throw fail("unterminated entity reference")
                    }
                    let entity = String(decoding: bytes[(j + 1)..<end], as: UTF8.self)
                    guard let scalar = Self.entity(entity) else { throw fail("unknown entity &\(entity);") }
                    out.append(contentsOf: String(Character(scalar)).utf8)
                    j = end + 1
                } else {
                    out.append(normalizingSpaces && (byte == 0x09 || byte == 0x0A || byte == 0x0D) ? 0x20 : byte)
                    j += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        static func entity(_ name: String) -> Unicode.Scalar? {
            switch name {
            case "lt": return "<"
            case "gt": return ">"
            case "amp": return "&"
            case "quot": return "\""
            case "apos": return "'"
            default:
                let value: UInt32?
                if name.hasPrefix("#x") { value = UInt32(name.dropFirst(2), radix: 16) }
                else if name.hasPrefix("#") { value = UInt32(name.dropFirst(), radix: 10) }
                else { value = nil }
                return value.flatMap(Unicode.Scalar.init)
            }
        }

        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    }
}
