import Foundation
import LFMSystem

/// `lfm register`: validate a data file, put it in the data directory, and merge a complete entry
/// into `dataset_info.json`. Any error leaves the data directory and the registry as they were.
public struct Registrar {
    public enum Placement: String, Sendable, Codable {
        /// Copy the file into the data directory (the default).
        case copy
        /// Symlink it from the data directory.
        case link
        /// The file is already in the data directory: register it where it is.
        case inPlace = "in-place"
    }

    public struct Request: Sendable {
        public var source: String
        public var name: String?
        public var family: DataFormat.Family?
        public var kind: DatasetKind?
        public var columns: [String: String] = [:]
        public var tags: [String: String] = [:]
        public var placement: Placement = .copy
        public var force = false
        public var dryRun = false
        public var dropInvalid = false
        /// Record fields whose drop is accepted (stored in the entry as `lfm_allow_unmapped`).
        public var allowUnmapped: Set<String> = []

        /// The directory a relative `source` is resolved from (the command's current directory).
        public var currentDirectory: String

        public init(source: String, currentDirectory: String) {
            self.source = source
            self.currentDirectory = currentDirectory
        }
    }

    /// Name and placement of a registration, worked out from values only (``plan(source:name:placement:isDirectory:force:dataDir:registered:registryPath:)``).
    public struct Plan: Sendable, Equatable {
        public var name: String
        /// The entry's `file_name`: relative to the data directory.
        public var fileName: String
        /// Where the data will live.
        public var destination: String
        /// `.inPlace` for a file already in the data directory, whatever was asked.
        public var placement: Placement
        /// Whether an entry of that name exists (and is replaced: `force` was given).
        public var replaces: Bool
    }

    public struct Outcome: Sendable {
        public var name: String
        public var fileName: String
        public var destination: String
        public var entry: JSONObject
        public var format: DataFormat?
        public var notes: [String]
        public var report: ValidationReport?
        public var dropped: Int
        public var placement: Placement
        public var replaced: Bool
        public var dryRun: Bool
        /// False for csv/parquet/arrow files and folders, whose records lfm cannot read.
        public var checked: Bool
    }

    public let workspace: Workspace
    public var onProgress: ((Int, Int) -> Void)?

    public init(workspace: Workspace, onProgress: ((Int, Int) -> Void)? = nil) {
        self.workspace = workspace
        self.onProgress = onProgress
    }

    public func register(_ request: Request) throws -> Outcome {
        let registry = workspace.registry
        let source = Workspace.absolute(request.source, from: request.currentDirectory)
        let file: DataFile
        do { file = try DataFile(path: source) } catch let error as DataFileError { throw RegisterError.badFile(error) }
        let document = try registry.read()
        let dataDir = workspace.dataDir
        let plan = try Self.plan(source: source, name: request.name, placement: request.placement, isDirectory: file.isDirectory,
                                 force: request.force, dataDir: dataDir, registered: Set(document.names), registryPath: registry.path)
        let (name, fileName, destination, placement, exists) = (plan.name, plan.fileName, plan.destination, plan.placement, plan.replaces)
        let dataDirectory = DataDirectory(registry: registry)
        let location = dataDirectory.locate(fileName: fileName)
        if dataDirectory.isRegistryFile(location.entryPath) || location.target.map(dataDirectory.isRegistryFile) == true
            || dataDirectory.isRegistryFile(FileStatus.realPath(source) ?? source) {
            throw RegisterError.badName("\(fileName) would be the registry's own file (\(registry.path), its backup, lock or temporary files); pass --name with another name")
        }

        // Detect and validate.
        var format: DataFormat?
        var notes: [String] = []
        var report: ValidationReport?
        var spec: DatasetSpec
        let checked = file.type.isCheckable && !file.isDirectory
        if checked {
            let result: ValidationReport
            do {
                let check = try DatasetCheck(request.check, onProgress: onProgress).run(path: source)
                (spec, format, notes, result) = (check.detection.spec, check.detection.format, check.detection.notes, check.report)
            } catch DatasetCheckError.invalid(let report) {
                throw RegisterError.invalid(report)
            } catch DatasetCheckError.undetectable(let path, let message) {
                throw RegisterError.undetectable(path: path, message: message)
            }
            report = result
            // Dropped fields are lost from every record, valid or not: --drop-invalid cannot help.
            let fieldsDropped = result.counts["field-dropped"] != nil
            if result.hasErrors && (fieldsDropped || !(request.dropInvalid && result.counts["syntax"] == nil && result.validRecords > 0)) {
                throw RegisterError.invalid(result)
            }
            if request.dropInvalid && !result.invalidRecords.isEmpty {
                // The cleaned copy may lose optional fields; mapping them would raise KeyError.
                spec = spec.restricted(toFields: result.fieldsInValidRecords)
            }
        } else {
            spec = try Self.uncheckedSpec(request)
            spec.allowUnmapped = request.allowUnmapped
            format = DataFormat(family: request.family ?? .alpaca, kind: spec.kind)
            notes.append("records in \(file.isDirectory ? "folders" : ".\(file.type.rawValue) files") are not checked by lfm; the columns assume the \(format!) defaults")
        }

        let entry = DatasetEntry.makeObject(fileName: fileName, spec: spec)
        let dropped = (request.dropInvalid ? report?.invalidRecords.count : nil) ?? 0
        var outcome = Outcome(name: name, fileName: fileName, destination: destination, entry: entry, format: format, notes: notes,
                              report: report, dropped: dropped, placement: placement, replaced: exists, dryRun: request.dryRun, checked: checked)
        if request.dryRun { return outcome }

        /// Whether the data must be placed (nil: already there) and whether that replaces a file;
        /// throws when it may not be replaced. Checked before the lock (a refusal creates not even
        /// the lock file) and again under it.
        func destinationState(_ document: RegistryDocument) throws -> Bool? {
            guard placement != .inPlace else { return nil }
            let fm = FileManager.default
            let existingLink = try? fm.destinationOfSymbolicLink(atPath: destination)
            // Already linked to this very file (e.g. registered again after `lfm remove`): nothing to do.
            if placement == .link && existingLink == source && dropped == 0 { return nil }
            // A dangling symlink occupies the path too (lstat, not stat).
            guard FileStatus.occupied(destination) else { return false }
            let existing = FileStatus.of(destination)
            if case .special = existing, existingLink == nil {
                throw RegisterError.badPlacement("\(destination) \(existing.problem ?? "is not a regular file"); lfm will not replace it. Pass --name NEW")
            }
            if case .regular = existing, dropped == 0, placement == .copy, !file.isDirectory,
               fm.contentsEqual(atPath: destination, andPath: source) {
                return nil
            }
            // --force replaces this name's entry, never a file another entry uses.
            let users = dataDirectory.users(of: fileName, in: document, except: name)
            if !users.isEmpty { throw RegisterError.fileInUse(destination, by: users) }
            if !request.force { throw RegisterError.fileExists(destination) }
            return true
        }
        do { _ = try destinationState(document) } catch RegisterError.fileExists(let path) {
            // Maybe the orphaned copy of a register killed with -9: recovered under the lock.
            guard PendingPlacement.hasStaleNote(dataDir: dataDir, fileName: fileName) else { throw RegisterError.fileExists(path) }
        }

        // Put the data in place and merge the entry under the registry lock, so that concurrent
        // registrations of one name cannot both place data (the loser used to delete the winner's
        // file when it undid its own copy). Undo the data step if the merge fails.
        // What a signal (Ctrl-C, SIGTERM) undoes until the registry has the entry.
        var undo: InterruptCleanup.Token?
        var pending: PendingPlacement?
        let fm = FileManager.default
        defer { InterruptCleanup.remove(undo) }
        do {
            try registry.update({ document -> (bytes: [UInt8]?, result: Void) in
                // A register killed with -9 may have left a half-done placement: finish or undo it.
                PendingPlacement.recover(dataDir: dataDir, document: document)
                let taken = document.entry(named: name) != nil
                if taken && !request.force { throw RegistryError.nameTaken(name: name, path: registry.path) }
                switch placement {
                case .inPlace:
                    if dropped > 0 { throw RegisterError.badPlacement("--drop-invalid with --in-place would rewrite your file; copy it instead") }
                case .copy, .link:
                    guard let occupied = try destinationState(document) else { break }
                    let placing = PendingPlacement(dataDir: dataDir, fileName: fileName, replacing: occupied)
                    // Registered first: undoing a placement that has not begun removes nothing.
                    undo = InterruptCleanup.add { placing.undo() }
                    pending = placing
                    try placing.begin(name: name, previousEntry: document.entry(named: name)?.object)
                    if occupied {
                        // --force on a different file: the old one becomes NAME.ext.bak at the commit.
                        try placing.keepPrevious(vacate: file.isDirectory)
                        outcome.notes.append("the previous \(fileName) was kept as \(fileName).bak")
                    }
                    if dropped > 0, let report {
                        try CleanCopy.write(source: source, layout: report.layout ?? .jsonArray, dropping: Set(report.invalidRecords), to: destination)
                    } else if placement == .link {
                        try Self.placeTemporary(at: destination) { try fm.createSymbolicLink(atPath: $0, withDestinationPath: source) }
                    } else if file.isDirectory {
                        try Self.placeTemporary(at: destination) { try fm.copyItem(atPath: source, toPath: $0) }
                    } else {
                        try AtomicFile.copy(source, to: destination)
                    }
                }
                return (taken ? document.replacing(name, with: entry) : document.adding(name, entry), ())
            }, committed: { _ in
                pending?.commit()
                InterruptCleanup.remove(undo)
                undo = nil
            })
        } catch {
            pending?.undo()
            throw error
        }
        return outcome
    }

    /// Name and placement of registering `source` (absolute): the name (from `name` or the file
    /// name), whether it is free (`registered`: the names in the registry), the entry's
    /// `file_name` and the data's destination. No I/O: `register` and every dry run that says
    /// what would be registered take their answer from here.
    public static func plan(source: String, name requested: String?, placement: Placement, isDirectory: Bool, force: Bool,
                            dataDir: String, registered: Set<String>, registryPath: String) throws -> Plan {
        let name = requested ?? DatasetName.from(fileName: source)
        if let problem = DatasetName.problem(with: name) {
            throw RegisterError.badName(problem + (requested == nil ? "; pass --name NAME" : ""))
        }
        let exists = registered.contains(name)
        if exists && !force { throw RegistryError.nameTaken(name: name, path: registryPath) }
        let insideDataDir = source.hasPrefix(dataDir + "/")
        // A file already in the data directory is registered where it is: copying or linking it
        // onto its own path would replace it with a self-referential symlink.
        let placement = insideDataDir ? .inPlace : placement
        let fileName: String
        switch placement {
        case .inPlace:
            guard insideDataDir else {
                throw RegisterError.badPlacement("\(source) is not inside the data directory \(dataDir); drop --in-place to copy it there, or use --link")
            }
            fileName = String(source.dropFirst(dataDir.count + 1))
        case .copy, .link:
            let ext = isDirectory ? "" : "." + (source as NSString).pathExtension
            fileName = requested.map { $0 + ext } ?? (source as NSString).lastPathComponent
        }
        return Plan(name: name, fileName: fileName, destination: dataDir + "/" + fileName, placement: placement, replaces: exists)
    }

    /// Makes `destination` with `make` under a temporary name (removed on a signal), then
    /// renames it into place.
    static func placeTemporary(at destination: String, _ make: (String) throws -> Void) throws {
        let directory = (destination as NSString).deletingLastPathComponent
        let temp = directory + "/" + TempName.prefix(for: (destination as NSString).lastPathComponent) + "\(UInt32.random(in: 0...UInt32.max))"
        let cleanup = try InterruptCleanup.critical { () throws -> InterruptCleanup.Token in
            try make(temp)
            return InterruptCleanup.add { try? FileManager.default.removeItem(atPath: temp) }
        }
        defer { InterruptCleanup.remove(cleanup) }
        guard InterruptCleanup.critical({ rename(temp, destination) }) == 0 else {  // a signal waits for the rename
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temp)
            throw FileError.cannotWrite(path: destination, reason: reason)
        }
    }

    /// Columns for files lfm cannot read: the documented defaults of the requested format.
    static func uncheckedSpec(_ request: Request) throws -> DatasetSpec {
        let family = request.family ?? .alpaca
        var spec = DatasetSpec.defaults(family: family, kind: request.kind ?? (family == .pretrain ? .pretrain : .sft))
        var columns = spec.columns
        for (role, field) in request.columns { columns[role: role] = field }
        for (key, value) in request.tags { spec.tags[key: key] = value }
        spec.columns = columns
        return spec
    }
}

public enum RegisterError: Error, Sendable, CustomStringConvertible {
    case badFile(DataFileError)
    case badName(String)
    case badPlacement(String)
    case fileExists(String)
    case fileInUse(String, by: [String])
    case undetectable(path: String, message: String)
    case invalid(ValidationReport)

    public var description: String {
        switch self {
        case .badFile(let error): return error.description
        case .badName(let message): return "invalid dataset name: \(message)"
        case .badPlacement(let message): return message
        case .fileExists(let path): return "\(path) already exists and differs from the file being registered; pass --name NEW to store it under another name, or --force to replace it (the old file is kept as .bak)"
        case .fileInUse(let path, let users):
            return "\(path) is the file of \(users.map { "\"\($0)\"" }.joined(separator: ", ")); --force replaces this name's entry, never another entry's data. Pass --name NEW to store it under another name"
        case .undetectable(let path, let message): return "\(path): \(message)"
        case .invalid(let report): return "\(report.path): \(Plural.count(report.errorCount, "error")) in \(report.invalidRecords.count) of \(Plural.count(report.records, "record")); nothing was registered"
        }
    }
}

extension Registrar.Request {
    /// The format, columns and tags asked for, as the dataset check takes them.
    public var check: DatasetCheck.Request {
        var check = DatasetCheck.Request(family: family, kind: kind)
        check.columns = columns
        check.tags = tags
        check.allowUnmapped = allowUnmapped
        return check
    }
}
