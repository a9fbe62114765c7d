import Foundation

/// `eval.md` and `eval.html`: the same content twice, the metrics side by side with their
/// deltas and a few questions with the reference, base and adapter answers. Every text from
/// the data or the models is escaped; answers longer than ``foldAt`` characters are folded.
public struct EvalReport: Sendable {
    public struct Sample: Sendable, Equatable {
        public var question: String
        public var reference: String
        public var base: String?
        public var adapter: String
        public init(question: String, reference: String, base: String?, adapter: String) {
            self.question = question
            self.reference = reference
            self.base = base
            self.adapter = adapter
        }
    }

    public var runID: String
    public var model: String
    public var template: String?
    public var record: EvalRecord
    public var samples: [Sample]
    public var settings: [(String, String)]
    public static let foldAt = 280

    public init(runID: String, model: String, template: String?, record: EvalRecord, samples: [Sample], settings: [(String, String)]) {
        self.runID = runID
        self.model = model
        self.template = template
        self.record = record
        self.samples = samples
        self.settings = settings
    }

    /// Pairs the adapter's predictions with the base model's (same dataset, same order) and
    /// takes the first `count`; `question` finds the dataset's question for a reference answer.
    public static func samples(adapter: [Prediction], base: [Prediction]?, count: Int,
                               question: (Prediction) -> String?) -> [Sample] {
        adapter.prefix(count).enumerated().map { i, p in
            Sample(question: question(p) ?? p.plainPrompt, reference: p.label,
                   base: base.flatMap { i < $0.count ? $0[i].predict : nil }, adapter: p.predict)
        }
    }

    static let meaning = [
        "BLEU-4 and ROUGE are computed by LLaMA-Factory on 0-100 scales: they count words (ROUGE, after jieba "
            + "segmentation) and characters (BLEU-4) that the generated answer shares with the reference answer.",
        "They reward wording close to the reference, not correctness: a right answer in other words scores low, "
            + "and a fluent wrong one that reuses the reference's words scores high. Read the samples.",
        "On a few dozen questions a difference of a few points is noise; compare runs on the same held-out dataset "
            + "(same SHA-256) and decoding settings only.",
    ]

    var datasetLine: String {
        record.datasets.map { d in d.name + (d.sha256.map { " (sha256 \($0.prefix(12)))" } ?? "") }.joined(separator: ", ")
    }

    func cell(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
    func deltaCell(_ value: Double?) -> String { value.map(EvalRecord.signed) ?? "-" }

    // MARK: Markdown

    public func markdown() -> String {
        var lines: [String] = []
        lines.append("# Evaluation of run \(Self.mdEscape(runID))")
        lines.append("")
        lines.append("- model: \(Self.mdEscape(model))" + (template.map { " (template \(Self.mdEscape($0)))" } ?? ""))
        lines.append("- adapter: \(Self.mdEscape(record.adapter.adapter ?? record.adapter.model))")
        lines.append("- dataset: \(Self.mdEscape(datasetLine)), \(record.adapter.samples) answers scored")
        for (k, v) in settings { lines.append("- \(k): \(Self.mdEscape(v))") }
        if record.usesTrainingData { lines.append("- **warning: this dataset is training data of the run; the scores overstate what it learned**") }
        lines.append("")
        lines.append("## Scores")
        lines.append("")
        lines.append("| metric | base | adapter | delta |")
        lines.append("| --- | ---: | ---: | ---: |")
        let base = record.base?.metrics
        for row in record.adapter.metrics.rows {
            let b = base?.rows.first { $0.key == row.key }?.value
            let d = record.delta?.rows.first { $0.key == row.key }?.value
            lines.append("| \(row.label) | \(cell(b)) | \(cell(row.value)) | \(deltaCell(d)) |")
        }
        lines.append("")
        for m in Self.meaning { lines.append("- \(m)") }
        lines.append("")
        lines.append("## Sample answers (\(samples.count) of \(record.adapter.samples))")
        for (i, s) in samples.enumerated() {
            lines.append("")
            lines.append("### \(i + 1). \(Self.mdEscape(Self.oneLine(s.question, limit: 160)))")
            lines.append("")
            if s.question.count > 160 { lines += Self.mdAnswer("Question", s.question) }
            lines += Self.mdAnswer("Reference", s.reference)
            if let b = s.base { lines += Self.mdAnswer("Base", b) }
            lines += Self.mdAnswer("Adapter", s.adapter)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func mdAnswer(_ label: String, _ text: String) -> [String] {
        if text.count <= foldAt {
            return ["**\(label):** " + mdEscape(oneLine(text, limit: foldAt + 1)), ""]
        }
        return ["<details><summary><b>\(label):</b> " + htmlEscape(oneLine(text, limit: 120)) + "</summary>", "",
                "<pre>" + htmlEscape(text) + "</pre>", "", "</details>", ""]
    }

    static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }

    /// Markdown: HTML-escaped (markdown renders raw HTML) and markdown punctuation backslashed.
    static func mdEscape(_ text: String) -> String {
        var out = ""
        for c in htmlEscape(text) {
            if "\\`*_[]#|!".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func htmlEscape(_ text: String) -> String { MarkupEscape.escape(text) }

    // MARK: HTML

    public func html() -> String {
        let e = Self.htmlEscape
        var h = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
                 "<title>Evaluation of run \(e(runID))</title>",
                 "<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}"
                    + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;vertical-align:top}"
                    + "td.n{text-align:right;font-variant-numeric:tabular-nums}pre{white-space:pre-wrap;margin:0}"
                    + ".warn{color:#a40}</style>",
                 "</head><body>", "<h1>Evaluation of run \(e(runID))</h1>", "<ul>"]
        h.append("<li>model: \(e(model))" + (template.map { " (template \(e($0)))" } ?? "") + "</li>")
        h.append("<li>adapter: \(e(record.adapter.adapter ?? record.adapter.model))</li>")
        h.append("<li>dataset: \(e(datasetLine)), \(record.adapter.samples) answers scored</li>")
        for (k, v) in settings { h.append("<li>\(e(k)): \(e(v))</li>") }
        if record.usesTrainingData {
            h.append("<li class=\"warn\"><b>warning: this dataset is training data of the run; the scores overstate what it learned</b></li>")
        }
        h.append("</ul>")
        h.append("<h2>Scores</h2>")
        h.append("<table><tr><th>metric</th><th>base</th><th>adapter</th><th>delta</th></tr>")
        let base = record.base?.metrics
        for row in record.adapter.metrics.rows {
            let b = base?.rows.first { $0.key == row.key }?.value
            let d = record.delta?.rows.first { $0.key == row.key }?.value
            h.append("<tr><td>\(row.label)</td><td class=\"n\">\(cell(b))</td><td class=\"n\">\(cell(row.value))</td><td class=\"n\">\(deltaCell(d))</td></tr>")
        }
        h.append("</table>")
        h.append("<ul>" + Self.meaning.map { "<li>\(e($0))</li>" }.joined() + "</ul>")
        h.append("<h2>Sample answers (\(samples.count) of \(record.adapter.samples))</h2>")
        h.append("<table><tr><th>#</th><th>question</th><th>reference</th>" + (record.base != nil ? "<th>base</th>" : "") + "<th>adapter</th></tr>")
        for (i, s) in samples.enumerated() {
            var row = "<tr><td class=\"n\">\(i + 1)</td>" + Self.htmlCell(s.question) + Self.htmlCell(s.reference)
            if record.base != nil { row += Self.htmlCell(s.base ?? "") }
            row += Self.htmlCell(s.adapter) + "</tr>"
            h.append(row)
        }
        h.append("</table>")
        h.append("</body></html>")
        return h.joined(separator: "\n") + "\n"
    }

    static func htmlCell(_ text: String) -> String {
        if text.count <= foldAt { return "<td><pre>\(htmlEscape(text))</pre></td>" }
        return "<td><details><summary>\(htmlEscape(oneLine(text, limit: 120)))</summary><pre>\(htmlEscape(text))</pre></details></td>"
    }
}
