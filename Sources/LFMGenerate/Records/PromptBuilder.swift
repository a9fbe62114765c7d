import Foundation
import LFMCore

/// Builds the request for a chunk: built-in English and Chinese templates, or a user template
/// with `{text}`, `{heading}`, `{n}`, `{format}`, `{source}` placeholders.
public struct PromptBuilder: Sendable {
    public var format: GenerateFormat
    public var perChunk: Int
    public var language: PromptLanguage
    /// A user template (file contents); nil = built-in.
    public var userTemplate: String?

    public init(format: GenerateFormat, perChunk: Int, language: PromptLanguage = .auto, userTemplate: String? = nil) {
        self.format = format
        self.perChunk = perChunk
        self.language = language
        self.userTemplate = userTemplate
    }

    /// Loads and checks a `--prompt` file: it must contain `{text}`.
    public static func loadTemplate(path: String) throws(GenerateError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .promptTemplate("cannot read \(path)")
        }
        guard text.contains("{text}") else { throw .promptTemplate("\(path) has no {text} placeholder for the document text") }
        return text
    }

    /// Chinese when `.chinese`, or `.auto` and more than 30% of the text's letters are CJK.
    public func isChinese(_ text: String) -> Bool {
        switch language {
        case .english: return false
        case .chinese: return true
        case .auto: return TextNormalizer.cjkShare(text) > 0.3
        }
    }

    /// The JSON shape the model is asked for, as an example record.
    public func formatDescription(chinese: Bool) -> String {
        switch format.style {
        case .alpaca:
            return #"{"instruction": "...", "input": "", "output": "..."}"#
        case .sharegpt:
            return #"{"conversations": [{"from": "human", "value": "..."}, {"from": "gpt", "value": "..."}]}"#
        case .openai:
            return #"{"messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]}"#
        }
    }

    /// Messages asking for `perChunk` records grounded in the chunk.
    public func messages(for chunk: Chunk) -> [ChatMessage] {
        let chinese = isChinese(chunk.text)
        let shape = formatDescription(chinese: chinese)
        if let template = userTemplate {
            return [.user(fill(template, chunk: chunk, shape: shape))]
        }
        let heading = chunk.heading.isEmpty ? (chinese ? "（无）" : "(none)") : chunk.heading
        if chinese {
            return [
                .system("你是一名严谨的数据集编写助手。只输出 JSON，不要输出任何解释。"),
                .user("""
                请根据下面的文档片段，编写 \(perChunk) 条用于微调大语言模型的高质量问答数据。
                要求：
                - 问题必须能仅凭该片段回答，答案必须忠实于片段内容，不要编造；
                - 问题要多样（事实、步骤、原因、比较等），答案完整、自然；
                - "input" 一般留空；如需补充上下文可填写；
                - 只输出一个 JSON 数组，每个元素的格式为：\(shape)

                来源：\(chunk.source)
                章节：\(heading)

                文档片段：
                \"\"\"
                \(chunk.text)
                \"\"\"
                """),
            ]
        }
        return [
            .system("You are a careful dataset writer. You reply with JSON only, no explanations."),
            .user("""
            Write \(perChunk) high-quality examples for fine-tuning a language model, based on the document excerpt below.
            Rules:
            - Each question must be answerable from the excerpt alone; answers must be faithful to it, never invented.
            - Vary the questions (facts, procedures, reasons, comparisons); write complete, natural answers.
            - Leave "input" empty unless extra context is needed.
            - Reply with one JSON array only; each element looks like: \(shape)

            Source: \(chunk.source)
            Section: \(heading)

            Excerpt:
            \"\"\"
            \(chunk.text)
            \"\"\"
            """),
        ]
    }

    /// Messages asking to answer the same questions without the document (rejected side of preference pairs).
    public func rejectedMessages(for examples: [Example], chinese: Bool) -> [ChatMessage] {
        let questions = examples.map { JSONValue.string($0.prompt) }
        let list = JSONPrinter(indent: nil).string(.array(questions))
        if chinese {
            return [.user("""
            请直接回答下面每个问题（不提供任何参考资料），按顺序输出一个 JSON 字符串数组，每个元素是对应问题的回答，不要输出其他内容。
            Questions (JSON array):
            \(list)
            """)]
        }
        return [.user("""
        Answer each of the following questions from your own knowledge (no reference material is given). \
        Reply with one JSON array of strings, one answer per question, in the same order, and nothing else.
        Questions (JSON array):
        \(list)
        """)]
    }

    func fill(_ template: String, chunk: Chunk, shape: String) -> String {
        // One pass, so placeholders inside the document text are not substituted again.
        let values = ["text": chunk.text, "heading": chunk.heading, "n": String(perChunk), "format": shape, "source": chunk.source]
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] {
                out += value
                rest = after[after.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        out += rest
        return out
    }
}
