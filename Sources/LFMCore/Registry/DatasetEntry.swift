/// One entry of `dataset_info.json`, interpreted exactly as LLaMA-Factory's `DatasetAttr` does.
public struct DatasetEntry: Sendable, Equatable {
    /// Where LLaMA-Factory loads the dataset from (first match wins, REFERENCE a.2).
    public enum Source: Sendable, Equatable {
        case hub(hf: String?, ms: String?, om: String?)
        case script(String)
        case cloud(String)
        case file(String)
        case none

        public var isLocal: Bool {
            switch self {
            case .file, .script: return true
            default: return false
            }
        }

        /// A short description for tables: the file name or the hub id.
        public var label: String {
            switch self {
            case .hub(let hf, let ms, let om): return hf.map { "hf:\($0)" } ?? ms.map { "ms:\($0)" } ?? om.map { "om:\($0)" } ?? "hub"
            case .script(let path): return "script:\(path)"
            case .cloud(let path): return path
            case .file(let name): return name
            case .none: return "(none)"
            }
        }
    }

    /// Keys LLaMA-Factory reads from an entry; anything else is silently ignored by it.
    public static let knownKeys: Set<String> = [
        "hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name", "file_name",
        "formatting", "ranking", "subset", "split", "folder", "num_samples", "columns", "tags",
    ]

    /// lfm's own entry key: record fields whose drop the user accepted (`--allow-unmapped`), a
    /// list of names (`"id"`, `"conversations[].weight"`). LLaMA-Factory ignores unknown keys.
    public static let allowUnmappedKey = "lfm_allow_unmapped"

    public var name: String
    public var object: JSONObject
    public var source: Source
    public var spec: DatasetSpec
    /// Ways this entry would misbehave in LLaMA-Factory, found without reading its data.
    public var problems: [String]

    public init(name: String, object: JSONObject) {
        self.name = name
        self.object = object
        var problems: [String] = []

        func string(_ key: String) -> String? { object[key]?.stringValue }
        if string("hf_hub_url") != nil || string("ms_hub_url") != nil || string("om_hub_url") != nil {
            source = .hub(hf: string("hf_hub_url"), ms: string("ms_hub_url"), om: string("om_hub_url"))
        } else if let script = string("script_url") {
            source = .script(script)
        } else if let cloud = string("cloud_file_name") {
            source = .cloud(cloud)
        } else if let file = string("file_name") {
            source = .file(file)
        } else {
            source = .none
            problems.append("no file_name, hf_hub_url, ms_hub_url, om_hub_url, script_url or cloud_file_name: LLaMA-Factory fails with KeyError: 'file_name'")
        }

        var spec = DatasetSpec()
        if let value = object["formatting"] {
            if let raw = value.stringValue, let formatting = Formatting(rawValue: raw) {
                spec.formatting = formatting
            } else {
                problems.append("formatting \(JSONPrinter(indent: nil).string(value)) is not alpaca, sharegpt or openai: LLaMA-Factory fails with \"Dataset converter ... not found\"")
            }
        }
        if let value = object["ranking"] {
            if let ranking = value.boolValue { spec.ranking = ranking } else {
                spec.ranking = value.isTruthy
                problems.append("ranking should be true or false, found \(value.typeName)")
            }
        }
        if let columnsValue = object["columns"] {
            // LLaMA-Factory sets every column from this object: unlisted ones become None.
            var columns = ColumnMap()
            if let columnsObject = columnsValue.objectValue {
                for member in columnsObject {
                    guard ColumnMap.roles.contains(where: { $0.key == member.key }) else {
                        problems.append("columns.\(member.key) is not a column LLaMA-Factory knows (it is ignored)")
                        continue
                    }
                    if let field = member.value.stringValue { columns[role: member.key] = field }
                }
            } else {
                problems.append("columns should be an object, found \(columnsValue.typeName): LLaMA-Factory fails with AttributeError")
            }
            spec.columns = columns
            if spec.formatting == .alpaca, columns.prompt == nil, columns.query == nil {
                problems.append("columns maps neither prompt nor query: every record gets an empty prompt and LLaMA-Factory finds no valid samples (write the complete columns)")
            }
            if spec.formatting != .alpaca, columns.messages == nil {
                problems.append("columns has no messages mapping: LLaMA-Factory fails with KeyError: None (write the complete columns)")
            }
        }
        if let tagsValue = object["tags"], tagsValue.objectValue == nil {
            problems.append("tags should be an object, found \(tagsValue.typeName): LLaMA-Factory fails with AttributeError")
        }
        if let tagsValue = object["tags"], let tagsObject = tagsValue.objectValue {
            var tags = TagMap()
            var missing: [String] = []
            for key in TagMap.keys {
                if let value = tagsObject[key]?.stringValue {
                    tags[key: key] = value
                } else {
                    tags[key: key] = nil
                    if ["role_tag", "content_tag", "user_tag", "assistant_tag"].contains(key) { missing.append(key) }
                }
            }
            if !missing.isEmpty {
                problems.append("tags lacks \(missing.joined(separator: ", ")): LLaMA-Factory sets missing tags to None and fails (write all tags)")
            }
            spec.tags = tags
        }
        if spec.formatting == .openai, object["tags"] == nil {
            problems.append("formatting openai without tags: LLaMA-Factory still expects from/value and fails with KeyError: 'from'")
        }
        if let value = object[Self.allowUnmappedKey] {
            if let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count {
                spec.allowUnmapped = Set(names)
            } else {
                problems.append("\(Self.allowUnmappedKey) should be a list of field names, found \(value.typeName)")
            }
        }
        for key in object.keys where !Self.knownKeys.contains(key) && key != Self.allowUnmappedKey {
            let hint = key == "format" ? " (did you mean \"formatting\"?)" : ""
            problems.append("\"\(key)\" is not a key LLaMA-Factory reads; it is silently ignored\(hint)")
        }
        self.spec = spec
        self.problems = problems
    }

    public var kind: DatasetKind { spec.kind }

    /// The complete entry lfm writes for a local file: every column the data uses, all tags for
    /// message formats, and `ranking` for preference data (LLaMA-Factory drops defaults as soon
    /// as `columns` exists, REFERENCE a.3).
    public static func makeObject(fileName: String, spec: DatasetSpec) -> JSONObject {
        var object = JSONObject()
        object["file_name"] = .string(fileName)
        object["formatting"] = .string(spec.formatting.rawValue)
        if spec.ranking { object["ranking"] = .bool(true) }
        var columns = JSONObject()
        for (role, field) in spec.columns.mapped { columns[role] = .string(field) }
        object["columns"] = .object(columns)
        if spec.usesMessages {
            var tags = JSONObject()
            for key in TagMap.keys {
                if let value = spec.tags[key: key] { tags[key] = .string(value) }
            }
            object["tags"] = .object(tags)
        }
        if !spec.allowUnmapped.isEmpty {
            object[allowUnmappedKey] = .array(spec.allowUnmapped.sorted().map { .string($0) })
        }
        return object
    }
}
