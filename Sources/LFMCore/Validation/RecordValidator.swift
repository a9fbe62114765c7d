import Foundation

/// Checks one record against LLaMA-Factory's converter and processor rules (REFERENCE a.6, a.7):
/// what makes it raise, skip ("Invalid role tag", "Invalid message count") or drop
/// ("Dropped invalid example") a record.
public struct RecordValidator: Sendable {
    public let spec: DatasetSpec
    /// perf: per-record constants, computed once (array literals allocated per record before).
    private let promptFields: [String]
    private let mediaColumns: [(column: String, placeholder: String)]

    public init(spec: DatasetSpec) {
        self.spec = spec
        promptFields = [spec.columns.prompt, spec.columns.query].compactMap { $0 }
        mediaColumns = [(spec.columns.images, "<image>"), (spec.columns.videos, "<video>"), (spec.columns.audios, "<audio>")]
            .compactMap { column, placeholder in column.map { ($0, placeholder) } }
    }

    /// Collects the problems of one record.
    public func validate(_ record: JSONValue, at location: RecordLocation, into issues: inout [ValidationIssue]) {
        var context = Context(location: location, text: TextCollector(enabled: !mediaColumns.isEmpty))
        guard let object = record.objectValue else {
            context.error("record-not-object", nil, "record is \(record.typeName), not an object", hint: "each record must be a JSON object such as {\"instruction\": ..., \"output\": ...}")
            issues.append(contentsOf: context.issues)
            return
        }
        switch spec.kind {
        case .pretrain: validatePretrain(object, &context)
        default:
            if spec.usesMessages { validateMessages(object, &context) } else { validateAlpaca(object, &context) }
        }
        validateCommon(object, &context)
        issues.append(contentsOf: context.issues)
    }

    struct Context {
        let location: RecordLocation
        var issues: [ValidationIssue] = []
        var text: TextCollector

        mutating func error(_ code: String, _ path: String?, _ message: String, hint: String? = nil) {
            issues.append(ValidationIssue(.error, code, record: location.index, line: location.line, path: path, message: message, hint: hint))
        }
        mutating func warning(_ code: String, _ path: String?, _ message: String, hint: String? = nil) {
            issues.append(ValidationIssue(.warning, code, record: location.index, line: location.line, path: path, message: message, hint: hint))
        }
    }

    // MARK: Alpaca

    private func validatePretrain(_ object: JSONObject, _ context: inout Context) {
        guard let field = spec.columns.prompt else { return }
        switch object[field] {
        case nil, .null?:
            context.error("missing-field", field, "no \"\(field)\" field", hint: "pretraining records look like {\"\(field)\": \"a document\"}")
        case .string(let text)?:
            if text.isEmpty { context.warning("empty-text", field, "\"\(field)\" is empty") }
        case let value?:
            context.error("not-string", field, "\"\(field)\" must be a string, found \(value.typeName)")
        }
    }

    private func validateAlpaca(_ object: JSONObject, _ context: inout Context) {
        let columns = spec.columns
        var promptIsBlank = true
        for field in promptFields {
            switch object[field] {
            case nil, .null?: break
            case .string(let s)?:
                if promptIsBlank, !s.isBlankForTrimming { promptIsBlank = false }
                context.text.append(s)
            case let value?:
                context.error("not-string", field, "\"\(field)\" must be a string, found \(value.typeName)", hint: "LLaMA-Factory joins instruction and input as text")
            }
        }
        if promptIsBlank {
            if let prompt = columns.prompt, object[prompt] == nil {
                context.error("missing-field", prompt, "no \"\(prompt)\" field", hint: "every record needs its instruction; map another field with --columns prompt=FIELD")
            } else {
                context.error("empty-prompt", columns.prompt, "the user turn is empty (\(columns.prompt.map { "\"\($0)\"" } ?? "prompt") and \(columns.query.map { "\"\($0)\"" } ?? "query") are empty)")
            }
        }
        if let history = columns.history, let value = object[history], !value.isNull {
            if let pairs = value.arrayValue {
                for (i, pair) in pairs.enumerated() {
                    guard let items = pair.arrayValue, items.count == 2, let q = items[0].stringValue, let a = items[1].stringValue else {
                        context.error("history-not-pairs", "\(history)[\(i)]", "history entries must be [\"question\", \"answer\"] pairs of strings, found \(pair.typeName)\(pair.arrayValue.map { " of \($0.count)" } ?? "")")
                        continue
                    }
                    context.text.append(q)
                    context.text.append(a)
                }
            } else {
                context.error("history-not-pairs", history, "history must be a list of [question, answer] pairs, found \(value.typeName)")
            }
        }
        switch spec.kind {
        case .preference:
            for field in [columns.chosen, columns.rejected].compactMap({ $0 }) {
                checkResponseString(object, field, &context, kind: "preference answers (chosen/rejected) must be strings in the Alpaca format")
            }
            if let chosen = columns.chosen, let rejected = columns.rejected {
                checkSameAnswers(object[chosen]?.stringValue, object[rejected]?.stringValue, path: chosen, &context)
            }
        case .kto:
            checkResponseString(object, columns.response, &context, kind: "the response must be a string")
            checkKTOTag(object, &context)
        default:
            checkResponseString(object, columns.response, &context, kind: "LLaMA-Factory drops records whose response is not a string (\"Dropped invalid example\")")
        }
    }

    private func checkResponseString(_ object: JSONObject, _ field: String?, _ context: inout Context, kind: String) {
        guard let field else { return }
        switch object[field] {
        case nil, .null?:
            context.error("missing-field", field, "no \"\(field)\" field", hint: kind)
        case .string(let s)?:
            if s.isBlankForTrimming {
                context.warning("empty-response", field, "\"\(field)\" is empty: the model would learn to answer with nothing")
            }
            context.text.append(s)
        case let value?:
            context.error("response-not-string", field, "\"\(field)\" must be a string, found \(value.typeName)", hint: kind)
        }
    }

    private func checkKTOTag(_ object: JSONObject, _ context: inout Context) {
        guard let field = spec.columns.ktoTag else { return }
        switch object[field] {
        case .bool?: break
        case nil, .null?:
            context.error("kto-tag-missing", field, "no \"\(field)\" field", hint: "KTO records need \"\(field)\": true or false")
        case let value?:
            let shown = JSONPrinter(indent: nil).string(value)
            context.error("kto-tag-not-bool", field, "\"\(field)\" must be true or false, found \(shown)", hint: "write a JSON boolean; a string \"false\" is not false to LLaMA-Factory and the record is dropped")
        }
    }

    // MARK: ShareGPT / OpenAI messages

    private func validateMessages(_ object: JSONObject, _ context: inout Context) {
        let tags = spec.tags
        guard let field = spec.columns.messages else { return }
        guard let value = object[field], !value.isNull else {
            context.error("missing-field", field, "no \"\(field)\" field", hint: "map the message list with --columns messages=FIELD")
            return
        }
        guard let messages = value.arrayValue else {
            context.error("messages-not-list", field, "\"\(field)\" must be a list of messages, found \(value.typeName)")
            return
        }
        var roles: [String] = []
        var start = 0
        for (i, message) in messages.enumerated() {
            let path = "\(field)[\(i)]"
            guard let m = message.objectValue else {
                context.error("message-not-object", path, "message is \(message.typeName), not an object")
                return
            }
            guard let role = m[tags.roleTag]?.stringValue else {
                context.error("message-missing-role", "\(path).\(tags.roleTag)", "message has no \"\(tags.roleTag)\" string", hint: "LLaMA-Factory raises KeyError: '\(tags.roleTag)'; set --tags role_tag=FIELD if your messages use another key")
                return
            }
            switch m[tags.contentTag] {
            case .string(let s)?:
                context.text.append(s)
                if s.isBlankForTrimming && role != tags.systemTag {
                    context.warning("empty-message", "\(path).\(tags.contentTag)", "\"\(role)\" message is empty",
                                    hint: "LLaMA-Factory trains on it as it is; an empty turn teaches nothing (or to answer with nothing)")
                }
            case nil:
                context.error("message-missing-content", "\(path).\(tags.contentTag)", "message has no \"\(tags.contentTag)\"", hint: "LLaMA-Factory raises KeyError: '\(tags.contentTag)'")
            case let v?:
                if !(role == tags.functionTag || v.isNull) {
                    context.error("content-not-string", "\(path).\(tags.contentTag)", "message content must be a string, found \(v.typeName)")
                }
            }
            roles.append(role)
        }
        if let systemTag = tags.systemTag, roles.first == systemTag { start = 1 }
        let userRoles = [tags.userTag, tags.observationTag].compactMap { $0 }
        let assistantRoles = [tags.assistantTag, tags.functionTag].compactMap { $0 }
        for i in start..<roles.count {
            let position = i - start
            let expected = position % 2 == 0 ? userRoles : assistantRoles
            if !expected.contains(roles[i]) {
                let known = Set(userRoles + assistantRoles + [tags.systemTag].compactMap { $0 })
                let why = known.contains(roles[i])
                    ? "turns must alternate \(tags.userTag) → \(tags.assistantTag) (found \"\(roles[i])\" where \(position % 2 == 0 ? "a " + userRoles.joined(separator: "/") : "an " + assistantRoles.joined(separator: "/")) turn belongs)"
                    : "unknown role \"\(roles[i])\" (the tags expect \(known.sorted().map { "\"\($0)\"" }.joined(separator: ", ")))"
                context.error("role-order", "\(field)[\(i)].\(tags.roleTag)", why, hint: "LLaMA-Factory logs \"Invalid role tag\" and skips the record")
                return
            }
        }
        let turns = roles.count - start
        switch spec.kind {
        case .preference:
            if turns % 2 != 1 {
                context.error("turn-count", field, "preference conversations must end with a \(tags.userTag) turn (odd number of turns, found \(turns))", hint: "put the answers in chosen/rejected, not in the conversation")
            }
            for column in [spec.columns.chosen, spec.columns.rejected].compactMap({ $0 }) {
                checkAnswerMessage(object, column, &context)
            }
            if let chosen = spec.columns.chosen, let rejected = spec.columns.rejected {
                checkSameAnswers(object[chosen]?[tags.contentTag]?.stringValue, object[rejected]?[tags.contentTag]?.stringValue,
                                 path: chosen, &context)
            }
        default:
            if turns == 0 {
                context.error("turn-count", field, "the conversation has no turns")
            } else if turns % 2 != 0 {
                context.error("turn-count", field, "the conversation must end with an \(tags.assistantTag) turn (even number of turns, found \(turns))", hint: "LLaMA-Factory logs \"Invalid message count\" and skips the record")
            }
            if spec.kind == .kto { checkKTOTag(object, &context) }
        }
    }

    private func checkAnswerMessage(_ object: JSONObject, _ field: String, _ context: inout Context) {
        let tags = spec.tags
        guard let value = object[field], !value.isNull else {
            context.error("missing-field", field, "no \"\(field)\" field", hint: "preference records need chosen and rejected answers")
            return
        }
        guard let message = value.objectValue else {
            context.error("answer-not-message", field, "\"\(field)\" must be a message {\"\(tags.roleTag)\": \"\(tags.assistantTag)\", \"\(tags.contentTag)\": ...}, found \(value.typeName)")
            return
        }
        let role = message[tags.roleTag]?.stringValue
        if role != tags.assistantTag && role != tags.functionTag {
            context.error("answer-role", "\(field).\(tags.roleTag)", "\"\(field)\" must come from \"\(tags.assistantTag)\", found \(role.map { "\"\($0)\"" } ?? "no role")", hint: "LLaMA-Factory logs \"Invalid role tag\" and skips the record")
        }
        guard let content = message[tags.contentTag]?.stringValue else {
            context.error("content-not-string", "\(field).\(tags.contentTag)", "\"\(field)\" has no string \"\(tags.contentTag)\"")
            return
        }
        if content.isBlankForTrimming {
            context.warning("empty-response", "\(field).\(tags.contentTag)", "\"\(field)\" answer is empty")
        }
        context.text.append(content)
    }

    /// Identical preference answers: LLaMA-Factory trains on the pair, but it carries no preference.
    private func checkSameAnswers(_ chosen: String?, _ rejected: String?, path: String, _ context: inout Context) {
        guard let chosen, let rejected, chosen == rejected, !chosen.isBlankForTrimming else { return }
        context.warning("same-answers", path, "chosen and rejected are identical",
                        hint: "the pair teaches no preference; write a worse rejected answer or remove the record")
    }

    // MARK: Shared columns

    private func validateCommon(_ object: JSONObject, _ context: inout Context) {
        if let system = spec.columns.system, let value = object[system], !value.isNull, value.stringValue == nil {
            context.error("not-string", system, "\"\(system)\" must be a string, found \(value.typeName)")
        }
        for (column, placeholder) in mediaColumns {
            let media: Int
            switch object[column] {
            case nil, .null?: media = 0
            case .string?: media = 1
            case .array(let items)?:
                media = items.count
                if let bad = items.firstIndex(where: { $0.stringValue == nil }) {
                    context.error("media-not-string", "\(column)[\(bad)]", "media paths must be strings")
                }
            case let value?:
                context.error("media-not-string", column, "\"\(column)\" must be a list of paths, found \(value.typeName)")
                continue
            }
            let placeholders = context.text.reduce(0) { $0 + $1.occurrences(of: placeholder) }
            if placeholders != media {
                context.error("media-count", column, "\(placeholders) \(placeholder) placeholder(s) in the text but \(media) item(s) in \"\(column)\"", hint: "LLaMA-Factory requires one \(placeholder) per item (\"The number of images does not match the number of \(placeholder) tokens\")")
            }
        }
    }
}

/// The record's texts, kept only when a media column needs their placeholders counted
/// (perf: no array per record otherwise).
struct TextCollector {
    let enabled: Bool
    private var strings: [String] = []

    init(enabled: Bool) { self.enabled = enabled }

    mutating func append(_ text: String) {
        if enabled { strings.append(text) }
    }

    func reduce<T>(_ initial: T, _ next: (T, String) -> T) -> T { strings.reduce(initial, next) }
}

extension String {
    func occurrences(of needle: String) -> Int {
        guard !needle.isEmpty, contains(needle) else { return 0 }
        return components(separatedBy: needle).count - 1
    }
}

extension String {
    private static let trimmedSet = CharacterSet.whitespacesAndNewlines

    /// The same answer as `trimmingCharacters(in: .whitespacesAndNewlines).isEmpty` (every scalar
    /// is whitespace or a newline), without bridging through NSString: that bridge cost ~60% of
    /// validation time. Most strings stop at their first scalar.
    var isBlankForTrimming: Bool {
        for scalar in unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                if !(v == 0x20 || (0x09...0x0D).contains(v)) { return false }
            } else if !Self.trimmedSet.contains(scalar) {
                return false
            }
        }
        return true
    }
}
