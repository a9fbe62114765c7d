import ArgumentParser
import Foundation
import LFMCore

/// `--format`, `--columns` and `--tags`: how to read a data file when detection needs help.
struct FormatOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Data format; detected when omitted.", discussion: "One of: \(DataFormat.names.joined(separator: ", "))."))
    var format: String?

    @Option(help: ArgumentHelp("Column mapping, role=field pairs.", discussion: "Roles: prompt, query, response, history, messages, system, tools, images, videos, audios, chosen, rejected, kto_tag.", valueName: "role=field,..."))
    var columns: String?

    @Option(help: ArgumentHelp("Message tags for ShareGPT data, key=value pairs.", discussion: "Keys: role_tag, content_tag, user_tag, assistant_tag, observation_tag, function_tag, system_tag.", valueName: "tag=value,..."))
    var tags: String?

    @Option(name: .customLong("allow-unmapped"), help: ArgumentHelp("Accept that LLaMA-Factory drops this record field.", discussion: "A field the records carry but the entry does not map is an error when it holds training text (a warning for ids and metadata). Name it here (repeat, or comma-separate; message keys as conversations[].KEY) to accept the drop; register stores the list in the entry as \"lfm_allow_unmapped\".", valueName: "field"))
    var allowUnmapped: [String] = []

    /// The `--allow-unmapped` names, comma lists split.
    var allowedUnmapped: Set<String> {
        Set(allowUnmapped.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty })
    }

    func validate() throws {
        if let format, DataFormat.parse(format) == nil {
            throw ValidationError("unknown format \"\(format)\"; use one of: \(DataFormat.names.joined(separator: ", "))")
        }
        let known = Set(ColumnMap.roles.map(\.key))
        for role in try columnPairs().keys where !known.contains(role) {
            throw ValidationError("unknown column role \"\(role)\" in --columns; roles are \(ColumnMap.roles.map(\.key).joined(separator: ", "))")
        }
        for key in try tagPairs().keys where !TagMap.keys.contains(key) {
            throw ValidationError("unknown tag \"\(key)\" in --tags; tags are \(TagMap.keys.joined(separator: ", "))")
        }
    }

    /// The requested family and kind (nil: detect).
    var parsed: (family: DataFormat.Family?, kind: DatasetKind?)? { format.flatMap(DataFormat.parse) }

    func columnPairs() throws -> [String: String] { try parsePairs(columns, option: "--columns") }
    func tagPairs() throws -> [String: String] { try parsePairs(tags, option: "--tags") }

    /// A detector that applies these overrides.
    func detector() throws -> FormatDetector {
        FormatDetector(columnOverrides: try columnPairs(), tagOverrides: try tagPairs(), family: parsed?.family, kind: parsed?.kind)
    }
}
