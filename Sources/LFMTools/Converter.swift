import Foundation
import LFMCore

/// `lfm convert` and `lfm merge`: read records in one format, write them in another,
/// and account for everything that could not be carried over.
public struct Converter {
    public struct Options: Sendable {
        public var keepHistory = true
        public var force = false
        /// Validate the output with the core validator (on by default).
        public var validate = true
        /// Read and convert everything, count what would be written, write nothing
        /// (the output is not validated: there is no file to read back).
        public var dryRun = false
        public init() {}
    }

    public struct Report: Sendable {
        public var output: String
        public var format: OutputFormat
        /// The entry LLaMA-Factory needs for the output (columns and tags).
        public var spec: DatasetSpec
        public var read = 0
        public var written = 0
        /// Records left out, by reason.
        public var skipped = LossLedger()
        /// Records written with something changed or dropped, by what.
        public var lossy = LossLedger()
        public var validation: ValidationReport?
        public var layout: RecordLayout
    }

    public var options: Options
    public var onProgress: ((Int, Int) -> Void)?

    public init(options: Options = Options(), onProgress: ((Int, Int) -> Void)? = nil) {
        self.options = options
        self.onProgress = onProgress
    }

    /// Converts `input` to `family` (the kind is kept) and writes `output`.
    public func convert(_ input: DatasetInput, to family: DataFormat.Family, output: String) throws -> Report {
        guard input.kind != .pretrain else { throw ToolError.failed("\(input.path) is pretraining text: there is no conversation to convert") }
        guard family != .pretrain else { throw ToolError.usage("converting to pretraining text is not supported; use --to alpaca, sharegpt or openai") }
        return try transcode([input], to: OutputFormat(family: family, kind: input.kind), output: output)
    }

    /// Writes the records of all `inputs`, in order, in `format`.
    public func transcode(_ inputs: [DatasetInput], to format: OutputFormat, output: String) throws -> Report {
        for input in inputs where input.kind != format.kind {
            throw ToolError.failed("\(input.path) is \(input.format) data but the output is \(format): records of different kinds (SFT, preference, KTO) cannot be mixed")
        }
        let writer = try RecordWriter(path: output, force: options.force, protecting: inputs.map(\.path), dryRun: options.dryRun)
        var report = Report(output: output, format: format, spec: DatasetSpec(), layout: writer.layout)
        var fields: Set<String> = []
        var losses: [String] = []
        let totalBytes = inputs.reduce(0) { $0 + $1.fileSize }
        var doneBytes = 0
        for input in inputs {
            let codec = RecordCodec(spec: input.spec)
            let sourceFamily = input.family
            let ktoField = input.spec.columns.ktoTag
            var index = 0
            try input.forEach { location, record in
                index = location.index
                report.read += 1
                let conversation: Conversation
                do { conversation = try codec.decode(record) } catch let error as CodecIssue {
                    report.skipped.add(error.message, record: report.read - 1)
                    return
                }
                losses.removeAll(keepingCapacity: true)
                let encoded: JSONValue
                do {
                    encoded = try RecordCodec.encode(conversation, as: format, keepHistory: options.keepHistory, losses: &losses)
                } catch let error as CodecIssue {
                    report.skipped.add(error.message, record: report.read - 1)
                    return
                }
                for loss in losses { report.lossy.add(loss, record: report.read - 1) }
                if sourceFamily == .alpaca, format.family != .alpaca, let query = input.spec.columns.query,
                   let text = record[query]?.stringValue, !text.isEmpty {
                    report.lossy.add("instruction and input joined into one user message (as LLaMA-Factory joins them; the split cannot be restored)", record: report.read - 1)
                }
                if let ktoField, ktoField != "kto_tag" {
                    report.lossy.add("KTO label field \"\(ktoField)\" renamed to \"kto_tag\"", record: report.read - 1)
                }
                if let object = encoded.objectValue { for key in object.keys { fields.insert(key) } }
                try writer.write(encoded)
                report.written += 1
            }
            _ = index
            doneBytes += input.fileSize
            onProgress?(doneBytes, totalBytes)
        }
        try writer.commit()
        report.spec = RecordCodec.spec(for: format, fields: fields)
        if options.validate && !options.dryRun {
            report.validation = try DatasetCheck().validate(path: output, spec: report.spec)
        }
        return report
    }
}

/// Registers a file lfm wrote, with the exact columns and tags it was written with.
public enum OutputRegistrar {
    /// What a registration did, or would do in a dry run.
    public struct Registration: Sendable {
        public var name: String
        /// The data file's path in the data directory.
        public var destination: String
        public var entry: JSONObject
        public var replaced: Bool
        public var dryRun: Bool
    }

    /// Registers `path` (see `register`), or with `dryRun` says what would be registered without
    /// reading `path` (a dry run did not write it) or touching the registry.
    public static func registration(path: String, name: String?, spec: DatasetSpec, format: OutputFormat, workspace: Workspace,
                                    force: Bool, dryRun: Bool) throws -> Registration {
        guard dryRun else {
            let outcome = try register(path: path, name: name, spec: spec, format: format, workspace: workspace, force: force)
            return Registration(name: outcome.name, destination: outcome.destination, entry: outcome.entry, replaced: outcome.replaced, dryRun: false)
        }
        let registry = workspace.registry
        let plan = try Registrar.plan(source: path, name: name, placement: .copy, isDirectory: false, force: force, dataDir: workspace.dataDir,
                                      registered: Set(try registry.read().names), registryPath: registry.path)
        return Registration(name: plan.name, destination: plan.destination,
                            entry: DatasetEntry.makeObject(fileName: plan.fileName, spec: spec), replaced: plan.replaces, dryRun: true)
    }

    public static func register(path: String, name: String?, spec: DatasetSpec, format: OutputFormat, workspace: Workspace, force: Bool) throws -> Registrar.Outcome {
        // `path` is absolute: lfm resolved it when it wrote the file.
        var request = Registrar.Request(source: path, currentDirectory: "/")
        request.name = name
        request.family = format.family
        request.kind = format.kind
        for (role, field) in spec.columns.mapped { request.columns[role] = field }
        if spec.usesMessages {
            for key in TagMap.keys { if let value = spec.tags[key: key] { request.tags[key] = value } }
        }
        request.allowUnmapped = spec.allowUnmapped
        request.force = force
        return try Registrar(workspace: workspace).register(request)
    }
}
