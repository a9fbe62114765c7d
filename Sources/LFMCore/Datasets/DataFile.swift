import Foundation
import LFMSystem

/// A data file or folder as LLaMA-Factory will load it (REFERENCE a.4): its type comes from the
/// extension, folders must hold files of one type.
public struct DataFile: Sendable, Equatable {
    public enum FileType: String, Sendable, CaseIterable {
        case json, jsonl, txt, csv, parquet, arrow

        /// lfm reads these records itself; the others are registered unchecked.
        public var isCheckable: Bool { self == .json || self == .jsonl || self == .txt }
    }

    public var path: String
    public var isDirectory: Bool
    public var type: FileType
    public var size: Int

    /// Inspects `path`; throws a message LLaMA-Factory users recognise for unsupported types.
    public init(path: String) throws {
        let status = FileStatus.of(path)
        if status == .missing, FileStatus.isSymlink(path) {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            throw DataFileError(path: path, message: "is a symbolic link to \(target), which does not exist")
        }
        if let problem = status.problem { throw DataFileError(path: path, message: problem) }
        self.path = path
        self.isDirectory = status == .directory
        if isDirectory {
            let items = (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? []
            if let hidden = items.first(where: { $0.hasPrefix(".") }) {
                throw DataFileError(path: path, message: "the folder holds \(hidden); LLaMA-Factory loads every file in a dataset folder, so remove hidden files first")
            }
            guard let first = items.first else {
                throw DataFileError(path: path, message: "the folder is empty")
            }
            for item in items {
                let status = FileStatus.of(path + "/" + item)
                if status != .directory, let problem = status.problem { throw DataFileError(path: path + "/" + item, message: problem) }
            }
            let types = try items.map { try Self.fileType(of: $0, in: path) }
            if Set(types).count > 1 {
                throw DataFileError(path: path, message: "the folder mixes file types (\(Set(types).map(\.rawValue).sorted().joined(separator: ", "))); LLaMA-Factory requires one type (\"File types should be identical.\")")
            }
            type = try Self.fileType(of: first, in: path)
            size = items.reduce(0) { total, item in total + Self.size(FileStatus.of(path + "/" + item)) }
        } else {
            type = try Self.fileType(of: path, in: nil)
            size = Self.size(status)
        }
    }

    /// stat(2)'s size; not FileManager's attributes, which also look up the owner's user and group
    /// names (/etc/passwd, /etc/group, nsswitch) for every file `lfm list` shows.
    private static func size(_ status: FileStatus) -> Int {
        if case .regular(let size, _) = status { return size }
        return 0
    }

    static func fileType(of name: String, in folder: String?) throws -> FileType {
        let ext = (name as NSString).pathExtension.lowercased()
        guard let type = FileType(rawValue: ext) else {
            throw DataFileError(path: folder.map { $0 + "/" + name } ?? name,
                message: "unsupported file type \".\(ext)\" (LLaMA-Factory: \"Allowed file types: arrow,csv,json,jsonl,parquet,txt.\")")
        }
        return type
    }
}

public struct DataFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}
