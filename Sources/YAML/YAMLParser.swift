import CYAML

/// Parses YAML text with libyaml into ``YAMLNode`` trees.
///
/// * Scalars are read with their byte length (never as C strings), so escaped
///   NULs (`"a\0b"`) survive. Input is UTF-8.
/// * Aliases are resolved by copying the anchored node; an alias to a node that
///   is still being built (a recursive structure) is an error.
/// * Merge keys (`<<: *base`, `<<: [*a, *b]`) are applied like PyYAML does:
///   merged keys come first, explicit keys override them.
/// * Mapping keys must be scalars; their text becomes the key. Duplicate keys
///   are an error (OmegaConf rejects them; PyYAML silently keeps the last).
public struct YAMLParser: Sendable {
    /// Nesting deeper than this is rejected (protects the stack).
    public static let maximumDepth = 512

    /// The first document. An empty stream (empty or comment-only text) gives
    /// ``YAMLNode/null``, as PyYAML's `safe_load` gives `None`; callers that
    /// want a config mapping should treat `null` as an empty mapping.
    /// Text after the first document is not read (PyYAML's `safe_load` would
    /// reject a second document; use ``parseAll(_:)`` for streams).
    public static func parse(_ text: String) throws -> YAMLNode {
        try parseAll(text, limit: 1).first ?? .null
    }

    /// Every document of a (possibly multi-document, `---`-separated) stream.
    public static func parseAll(_ text: String) throws -> [YAMLNode] {
        try parseAll(text, limit: nil)
    }

    private static func parseAll(_ text: String, limit: Int?) throws -> [YAMLNode] {
        var bytes = Array(text.utf8)
        let length = bytes.count
        bytes.append(0)  // never read by libyaml; keeps baseAddress non-nil for empty text
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw YAMLError(.memory, problem: "cannot initialize the YAML parser")
        }
        defer { yaml_parser_delete(parser) }
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer { event.deallocate() }

        return try bytes.withUnsafeBufferPointer { buffer in
            // libyaml keeps this pointer; `buffer` outlives every parse call below.
            yaml_parser_set_input_string(parser, buffer.baseAddress!, length)
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            var composer = Composer(parser: parser, event: event)
            return try composer.documents(limit: limit)
        }
    }
}

/// One libyaml event, copied out into Swift values.
private enum Event {
    case streamStart, streamEnd, documentStart, documentEnd
    case alias(anchor: String)
    case scalar(YAMLScalar, anchor: String?)
    case sequenceStart(anchor: String?)
    case sequenceEnd
    case mappingStart(anchor: String?)
    case mappingEnd
}

private struct Composer {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let event: UnsafeMutablePointer<yaml_event_t>
    var anchors: [String: YAMLNode] = [:]
    var building: Set<String> = []
    var depth = 0
    /// 1-based position of the last event read.
    var line = 0, column = 0

    mutating func documents(limit: Int?) throws -> [YAMLNode] {
        guard case .streamStart = try next() else { throw unexpected("stream start") }
        var docs: [YAMLNode] = []
        while true {
            switch try next() {
            case .streamEnd:
                return docs
            case .documentStart:
                anchors = [:]
                let root = try node(from: try next())
                guard case .documentEnd = try next() else { throw unexpected("document end") }
                docs.append(root)
                if let limit, docs.count >= limit { return docs }
            default:
                throw unexpected("document start")
            }
        }
    }

    mutating func node(from event: Event) throws -> YAMLNode {
        switch event {
        case .alias(let name):
            if building.contains(name) { throw error("recursive alias '\(name)' is not supported") }
            guard let target = anchors[name] else { throw error("found undefined alias '\(name)'") }
            return target
        case .scalar(let scalar, let anchor):
            let result = YAMLNode.scalar(scalar)
            if let anchor { anchors[anchor] = result }
            return result
        case .sequenceStart(let anchor):
            try enter(anchor)
            var items: [YAMLNode] = []
            while true {
                let e = try next()
                if case .sequenceEnd = e { break }
                items.append(try node(from: e))
            }
            return leave(anchor, .sequence(items))
        case .mappingStart(let anchor):
            try enter(anchor)
            let result = YAMLNode.mapping(try mappingBody())
            return leave(anchor, result)
        default:
            throw unexpected("a node")
        }
    }

    private mutating func mappingBody() throws -> YAMLMapping {
        var explicit = YAMLMapping()
        var merges: [YAMLMapping] = []
        while true {
            let keyEvent = try next()
            if case .mappingEnd = keyEvent { break }
            let (keyLine, keyColumn) = (line, column)
            let keyNode = try node(from: keyEvent)
            guard case .scalar(let keyScalar) = keyNode else {
                throw YAMLError(.composer, problem: "only scalar mapping keys are supported",
                                line: keyLine, column: keyColumn)
            }
            let value = try node(from: try next())
            if keyScalar.tag == nil, keyScalar.style == .plain, keyScalar.text == "<<" {
                switch value {
                case .mapping(let m):
                    merges.append(m)
                case .sequence(let items):
                    // PyYAML: earlier mappings in the list take precedence.
                    for item in items.reversed() {
                        guard case .mapping(let m) = item else {
                            throw YAMLError(.composer, problem: "expected a mapping for merging", line: keyLine, column: keyColumn)
                        }
                        merges.append(m)
                    }
                default:
                    throw YAMLError(.composer, problem: "expected a mapping or list of mappings for merging",
                                    line: keyLine, column: keyColumn)
                }
                continue
            }
            if explicit.contains(key: keyScalar.text) {
                throw YAMLError(.composer, problem: "found duplicate key '\(keyScalar.text)'",
                                line: keyLine, column: keyColumn)
            }
            explicit[keyScalar.text] = value
        }
        guard !merges.isEmpty else { return explicit }
        var result = YAMLMapping()
        for m in merges { result.merge(m) }
        result.merge(explicit)
        return result
    }

    private mutating func enter(_ anchor: String?) throws {
        depth += 1
        if depth > YAMLParser.maximumDepth {
            throw error("nesting deeper than \(YAMLParser.maximumDepth) levels")
        }
        if let anchor { building.insert(anchor) }
    }

    private mutating func leave(_ anchor: String?, _ node: YAMLNode) -> YAMLNode {
        depth -= 1
        if let anchor {
            building.remove(anchor)
            anchors[anchor] = node
        }
        return node
    }

    private func error(_ problem: String) -> YAMLError {
        YAMLError(.composer, problem: problem, line: line, column: column)
    }

    private func unexpected(_ what: String) -> YAMLError {
        error("unexpected event (expected \(what))")
    }

    /// Reads the next event, copies it out and frees libyaml's copy.
    mutating func next() throws -> Event {
        guard yaml_parser_parse(parser, event) != 0 else { throw parserError() }
        defer { yaml_event_delete(event) }
        let e = event.pointee
        line = e.start_mark.line + 1
        column = e.start_mark.column + 1
        switch e.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(anchor: cString(e.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let s = e.data.scalar
            let text = s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self) } ?? ""
            let style: YAMLScalar.Style
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            return .scalar(YAMLScalar(text, style: style, tag: cString(s.tag)), anchor: cString(s.anchor))
        case YAML_SEQUENCE_START_EVENT: return .sequenceStart(anchor: cString(e.data.sequence_start.anchor))
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT: return .mappingStart(anchor: cString(e.data.mapping_start.anchor))
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: throw error("unknown libyaml event \(e.type.rawValue)")
        }
    }

    private func cString(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: $0) }
    }

    private func parserError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown libyaml error"
        let context = p.context.map { String(cString: $0) }
        switch p.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(.memory, problem: "libyaml ran out of memory")
        case YAML_READER_ERROR:
            // The reader reports a byte offset and the offending value, not a mark.
            let value = p.problem_value >= 0 ? " (#\(String(p.problem_value, radix: 16, uppercase: true)))" : ""
            return YAMLError(.reader, problem: problem + value,
                             line: nil, column: nil, context: "at byte offset \(p.problem_offset)")
        default:
            return YAMLError(.syntax, problem: problem,
                             line: p.problem_mark.line + 1, column: p.problem_mark.column + 1, context: context)
        }
    }
}
