import CYAML

/// Writes ``YAMLNode`` trees as block-style YAML through libyaml.
///
/// Quoting: a string made by code (``YAMLScalar/Style/any``) that a YAML 1.1
/// reader (PyYAML, OmegaConf) or a YAML 1.2 reader could read as anything but
/// that string (`no`, `on`, `y`, `~`, `""`, `1e3`, `0755`, `1:30`, `2024-01-01`,
/// `.inf`, `<<`, ...; see ``YAMLResolver/isAmbiguousAsPlain(_:)``) is written
/// single-quoted; libyaml itself quotes strings that cannot be plain (leading
/// indicators, `: `, ` #`, leading/trailing spaces, control characters).
/// Multi-line strings are written as literal blocks (`|`, `|-`, `|+`).
/// Plain scalars (numbers, bools, text parsed from a template) are written
/// verbatim. Mapping keys are strings and follow the same rule as `.any`.
public struct YAMLEmitter: Sendable {
    public struct Options: Sendable, Equatable {
        /// Spaces per indentation level (libyaml accepts 2...9).
        public var indent: Int
        /// Preferred line width; nil never folds long lines.
        public var width: Int?
        /// Write non-ASCII characters as they are (not `\u` escapes).
        public var unicode: Bool
        /// Start every document with `---`.
        public var explicitDocumentStart: Bool

        public init(indent: Int = 2, width: Int? = nil, unicode: Bool = true, explicitDocumentStart: Bool = false) {
            self.indent = indent
            self.width = width
            self.unicode = unicode
            self.explicitDocumentStart = explicitDocumentStart
        }
    }

    /// One document.
    public static func emit(_ node: YAMLNode, options: Options = Options()) throws -> String {
        try emitAll([node], options: options)
    }

    /// Several documents; the second and later start with `---`.
    public static func emitAll(_ documents: [YAMLNode], options: Options = Options()) throws -> String {
        let sink = Sink()
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        defer { emitter.deallocate() }
        guard yaml_emitter_initialize(emitter) != 0 else {
            throw YAMLError(.memory, problem: "cannot initialize the YAML emitter")
        }
        defer { yaml_emitter_delete(emitter) }
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        yaml_emitter_set_output(emitter, writeHandler, context.toOpaque())
        yaml_emitter_set_unicode(emitter, options.unicode ? 1 : 0)
        yaml_emitter_set_indent(emitter, Int32(clamping: options.indent))
        yaml_emitter_set_width(emitter, options.width.map { Int32(clamping: $0) } ?? -1)
        yaml_emitter_set_break(emitter, YAML_LN_BREAK)

        let writer = EventWriter(emitter: emitter)
        try writer.emit { yaml_stream_start_event_initialize($0, YAML_UTF8_ENCODING) }
        for document in documents {
            let implicit: Int32 = options.explicitDocumentStart ? 0 : 1
            try writer.emit { yaml_document_start_event_initialize($0, nil, nil, nil, implicit) }
            try writer.node(document)
            try writer.emit { yaml_document_end_event_initialize($0, 1) }
        }
        try writer.emit { yaml_stream_end_event_initialize($0) }
        guard yaml_emitter_flush(emitter) != 0 else { throw writer.emitterError() }
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    /// Top-level groups written one after another, each under an optional
    /// `### comment` header line and separated by blank lines, the way
    /// LLaMA-Factory's example configs look:
    ///
    ///     ### model
    ///     model_name_or_path: Qwen/Qwen3-4B-Instruct-2507
    ///     trust_remote_code: true
    ///
    ///     ### method
    ///     stage: sft
    ///
    /// libyaml cannot write comments, so each group's mapping is emitted on its
    /// own (as an implicit document) and the pieces are joined. The result
    /// parses to all groups merged in order. A key that appears in two groups
    /// is an error (it would be a duplicate key). A comment's lines each get the
    /// `### ` prefix; an empty group writes only its header.
    public static func emitGrouped(
        _ groups: [(comment: String?, mapping: YAMLMapping)], options: Options = Options()
    ) throws -> String {
        var seen = Set<String>()
        var parts: [String] = []
        for group in groups {
            for key in group.mapping.keys where !seen.insert(key).inserted {
                throw YAMLError(.emitter, problem: "key '\(key)' appears in more than one group")
            }
            var part = ""
            if let comment = group.comment {
                for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
                    part += line.isEmpty ? "###\n" : "### \(line)\n"
                }
            }
            if !group.mapping.isEmpty {
                var body = try emit(.mapping(group.mapping), options: options)
                if body.hasPrefix("---") {
                    // explicitDocumentStart makes no sense between groups.
                    body = String(body.drop { $0 != "\n" }.dropFirst())
                }
                part += body
            }
            parts.append(part)
        }
        return parts.joined(separator: "\n")
    }
}

/// Collects libyaml's output. Reached from the C write handler through the
/// `data` pointer only; never shared between threads.
private final class Sink {
    var bytes: [UInt8] = []
}

/// A C function capturing nothing: the context travels in `data`.
private let writeHandler: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int32 = {
    data, buffer, size in
    guard let data else { return 0 }
    let sink = Unmanaged<Sink>.fromOpaque(data).takeUnretainedValue()
    if let buffer, size > 0 {
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
    }
    return 1
}

private struct EventWriter {
    let emitter: UnsafeMutablePointer<yaml_emitter_t>

    /// Initializes an event with `make` and hands it to libyaml, which takes
    /// ownership of it (and frees it) whether or not emitting succeeds.
    func emit(_ make: (UnsafeMutablePointer<yaml_event_t>) -> Int32) throws {
        var event = yaml_event_t()
        guard make(&event) != 0 else {
            throw YAMLError(.emitter, problem: "cannot create a libyaml event (invalid UTF-8 or out of memory)")
        }
        guard yaml_emitter_emit(emitter, &event) != 0 else { throw emitterError() }
    }

    func node(_ node: YAMLNode) throws {
        switch node {
        case .scalar(let scalar):
            try self.scalar(scalar)
        case .sequence(let items):
            try emit { yaml_sequence_start_event_initialize($0, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
            for item in items { try self.node(item) }
            try emit { yaml_sequence_end_event_initialize($0) }
        case .mapping(let mapping):
            try emit { yaml_mapping_start_event_initialize($0, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
            for (key, value) in mapping {
                try scalar(YAMLScalar(key, style: .any))
                try self.node(value)
            }
            try emit { yaml_mapping_end_event_initialize($0) }
        }
    }

    func scalar(_ scalar: YAMLScalar) throws {
        var style: yaml_scalar_style_t
        var plainImplicit: Int32 = 1
        var quotedImplicit: Int32 = 1
        switch scalar.style {
        case .plain:
            style = YAML_PLAIN_SCALAR_STYLE
        case .any:
            if scalar.text.unicodeScalars.contains(where: { ["\r", "\u{85}", "\u{2028}", "\u{2029}"].contains($0) }) {
                // Readers normalize these breaks inside block scalars; only escapes keep them.
                style = YAML_DOUBLE_QUOTED_SCALAR_STYLE
                plainImplicit = 0
            } else if scalar.text.contains("\n") {
                style = YAML_LITERAL_SCALAR_STYLE  // libyaml falls back to "..." when a block cannot hold it
                plainImplicit = 0
            } else if YAMLResolver.isAmbiguousAsPlain(scalar.text) {
                style = YAML_SINGLE_QUOTED_SCALAR_STYLE  // libyaml falls back to "..." when needed
                plainImplicit = 0
            } else {
                style = YAML_ANY_SCALAR_STYLE  // plain when libyaml allows it, else quoted
            }
        case .singleQuoted: style = YAML_SINGLE_QUOTED_SCALAR_STYLE; plainImplicit = 0
        case .doubleQuoted: style = YAML_DOUBLE_QUOTED_SCALAR_STYLE; plainImplicit = 0
        case .literal: style = YAML_LITERAL_SCALAR_STYLE; plainImplicit = 0
        case .folded: style = YAML_FOLDED_SCALAR_STYLE; plainImplicit = 0
        }
        var tag = scalar.tag
        if tag == "!" { tag = nil }  // non-specific tag: a non-plain style says the same
        if tag != nil {
            plainImplicit = 0
            quotedImplicit = 0
        }
        var bytes = Array(scalar.text.utf8)
        let length = Int32(clamping: bytes.count)
        bytes.append(0)
        var tagBytes = tag.map { Array($0.utf8) + [0] }
        try bytes.withUnsafeMutableBufferPointer { value in
            try withOptionalBuffer(&tagBytes) { tagPointer in
                try emit {
                    // libyaml copies value and tag into the event.
                    yaml_scalar_event_initialize(
                        $0, nil, tagPointer, value.baseAddress, length, plainImplicit, quotedImplicit, style)
                }
            }
        }
    }

    func emitterError() -> YAMLError {
        let e = emitter.pointee
        let problem = e.problem.map { String(cString: $0) } ?? "unknown libyaml emitter error"
        return YAMLError(e.error == YAML_MEMORY_ERROR ? .memory : .emitter, problem: problem)
    }
}

private func withOptionalBuffer<R>(
    _ bytes: inout [UInt8]?, _ body: (UnsafeMutablePointer<UInt8>?) throws -> R
) rethrows -> R {
    guard bytes != nil else { return try body(nil) }
    return try bytes!.withUnsafeMutableBufferPointer { try body($0.baseAddress) }
}
