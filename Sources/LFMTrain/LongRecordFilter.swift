import Foundation
import LFMCore
import LFMTools

/// `lfm train --drop-long`: a copy of a dataset without the examples longer than `cutoff_len`
/// tokens (prompt + longest response, counted as the truncation report counts them), written
/// next to the original and registered as `NAME_maxCUTOFF`. LLaMA-Factory itself can only cut
/// them; this trains on the examples that fit, whole.
public struct LongRecordFilter {
    public struct Outcome: Sendable, Encodable {
        public var source: String
        public var name: String
        public var path: String
        public var kept: Int
        public var dropped: Int
        public var dryRun: Bool

        enum CodingKeys: String, CodingKey { case source, name, path, kept, dropped, dryRun = "dry_run" }
    }

    public let counter: TokenCounter
    public let cutoffLen: Int
    public init(counter: TokenCounter, cutoffLen: Int) {
        self.counter = counter
        self.cutoffLen = cutoffLen
    }

    /// The registry name of the filtered copy of `name`.
    public func filteredName(_ name: String) -> String { "\(name)_max\(cutoffLen)" }

    /// Writes and registers the filtered copy of registered dataset `name` (replacing an earlier
    /// copy of the same name); with `dryRun` only counts.
    public func filter(_ name: String, workspace: Workspace, dryRun: Bool) throws -> Outcome {
        let input = try DatasetInput.registered(name, in: workspace)
        let ext = input.layoutHint == .text ? "jsonl" : ((input.path as NSString).pathExtension.isEmpty ? "json" : (input.path as NSString).pathExtension)
        let newName = filteredName(name)
        let path = workspace.dataDir + "/" + newName + "." + ext
        let writer = try RecordWriter(path: path, force: true, protecting: [input.path], dryRun: dryRun)
        let codec = RecordCodec(spec: input.spec)
        var fields: Set<String> = []
        var pending: [(record: JSONValue, texts: Int)] = []
        var texts: [String] = []
        var dropped = 0

        func flush() throws {
            guard !pending.isEmpty else { return }
            let counts = try counter.count(texts)
            var i = 0
            for item in pending {
                let slice = counts[i..<(i + item.texts)]
                i += item.texts
                // prompt + the longest response, as StatsCollector's "total".
                let total = (slice.first ?? 0) + (slice.dropFirst().max() ?? 0)
                if item.texts > 0, total > cutoffLen {
                    dropped += 1
                    continue
                }
                if let object = item.record.objectValue { fields.formUnion(object.keys) }
                try writer.write(item.record)
            }
            pending.removeAll(keepingCapacity: true)
            texts.removeAll(keepingCapacity: true)
        }

        try input.forEach { _, record in
            let value: JSONValue = input.layoutHint == .text ? .object(JSONObject([JSONMember("text", record["text"] ?? .string(""))])) : record
            if let conversation = try? codec.decode(value) {
                texts.append(conversation.promptText)
                texts.append(contentsOf: conversation.responses)
                pending.append((value, 1 + conversation.responses.count))
            } else {
                pending.append((value, 0))  // not measurable: kept, as the report does not count it
            }
            if pending.count >= 1024 { try flush() }
        }
        try flush()
        guard writer.count > 0 else {
            throw ToolError.failed("every example of \(name) is longer than cutoff_len \(cutoffLen); raise --cutoff-len instead of --drop-long")
        }
        try writer.commit()
        if !dryRun {
            let spec = input.layoutHint == .text ? input.spec : input.spec.restricted(toFields: fields)
            _ = try OutputRegistrar.register(path: path, name: newName, spec: spec, format: OutputFormat(family: input.family, kind: input.kind),
                                             workspace: workspace, force: true)
        }
        return Outcome(source: name, name: newName, path: path, kept: writer.count, dropped: dropped, dryRun: dryRun)
    }
}
