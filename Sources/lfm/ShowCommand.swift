import ArgumentParser
import Foundation
import LFMCore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a dataset's entry, its file, and its first records.",
        discussion: "  lfm show alpaca_en_demo -n 3")

    @Argument(help: "Registered dataset name.")
    var name: String

    @Option(name: [.customShort("n"), .long], help: "How many records to show.")
    var count = 2

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if count < 0 { throw ValidationError("-n must be 0 or more") }
    }

    func run() throws {
        let details = try DatasetDetails.load(name: name, workspace: try workspaceOptions.workspace(), count: count)
        if output.json {
            try Terminal.json(details)
            return
        }
        let entry = details.entry
        Terminal.out(Terminal.paint(DisplayText.escaped(entry.name), .bold) + "  (\(entry.spec.formatting.rawValue), \(entry.kind.rawValue))")
        Terminal.out(JSONPrinter(indent: 2).string(.object(entry.object)))
        if let path = details.path { Terminal.out("file: \(DisplayText.escaped(path))\(FileManager.default.fileExists(atPath: path) ? "" : "  (missing)")") }
        for problem in entry.problems { Terminal.warning(problem) }
        for (i, record) in details.records.enumerated() {
            Terminal.out("\n" + Terminal.paint("record \(i)", .bold))
            Terminal.out(RecordRenderer.render(record, spec: entry.spec))
        }
    }
}

/// Renders a record as a conversation people can read.
enum RecordRenderer {
    /// One label per role whatever the data calls it: `human` (ShareGPT) and `user` (OpenAI) both
    /// show as `user`, `gpt` and `assistant` as `assistant`.
    static func label(role: String?, _ tags: TagMap) -> String {
        guard let role else { return "?" }
        let labels: [(String?, String)] = [(tags.userTag, "user"), (tags.assistantTag, "assistant"), (tags.systemTag, "system"),
                                           (tags.observationTag, "tool"), (tags.functionTag, "function")]
        return labels.first { $0.0 == role }?.1 ?? role
    }

    static func render(_ record: JSONValue, spec: DatasetSpec) -> String {
        guard let object = record.objectValue else { return JSONPrinter(indent: 2).string(record) }
        var lines: [String] = []
        func add(_ label: String, _ text: String?) {
            guard let text, !text.isEmpty else { return }
            let clipped = text.count > 600 ? String(text.prefix(600)) + " …" : text
            lines.append(Terminal.paint(label.padding(toLength: 10, withPad: " ", startingAt: 0), .cyan) + clipped.replacingOccurrences(of: "\n", with: "\n          "))
        }
        let c = spec.columns
        if let system = c.system { add("system", object[system]?.stringValue) }
        if spec.usesMessages, let messages = c.messages {
            for message in object[messages]?.arrayValue ?? [] {
                add(label(role: message[spec.tags.roleTag]?.stringValue, spec.tags), message[spec.tags.contentTag]?.stringValue)
            }
            if let chosen = c.chosen { add("chosen", object[chosen]?[spec.tags.contentTag]?.stringValue) }
            if let rejected = c.rejected { add("rejected", object[rejected]?[spec.tags.contentTag]?.stringValue) }
        } else {
            if let history = c.history {
                for pair in object[history]?.arrayValue ?? [] {
                    add("user", pair.arrayValue?.first?.stringValue)
                    add("assistant", pair.arrayValue?.last?.stringValue)
                }
            }
            let prompt = [c.prompt, c.query].compactMap { $0 }.compactMap { object[$0]?.stringValue }.filter { !$0.isEmpty }.joined(separator: "\n")
            add(spec.kind == .pretrain ? "text" : "user", prompt)
            if let response = c.response { add("assistant", object[response]?.stringValue) }
            if let chosen = c.chosen { add("chosen", object[chosen]?.stringValue) }
            if let rejected = c.rejected { add("rejected", object[rejected]?.stringValue) }
        }
        if let tag = c.ktoTag, let value = object[tag] { add("kto_tag", JSONPrinter(indent: nil).string(value)) }
        return lines.isEmpty ? JSONPrinter(indent: 2).string(record) : lines.joined(separator: "\n")
    }
}
