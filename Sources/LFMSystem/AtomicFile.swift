import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces files so that a crash at any instant leaves either the old or the new content:
/// write a temporary file in the same directory, fsync it, rename it over the target, fsync
/// the directory.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically. The new file gets the old file's permissions
    /// (or 0644 for a new file).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let dirForTemp = directory.isEmpty ? "." : directory
        var template = Array("\(dirForTemp)/.\(name).lfm-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        let tempPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        defer {
            if !committed { unlink(tempPath) }
        }
        do {
            defer { close(fd) }
            var mode: mode_t = 0o644
            var info = stat()
            if stat(path, &info) == 0 { mode = info.st_mode & 0o7777 }
            fchmod(fd, mode)
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw FileError.cannotWrite(path: tempPath, reason: String(cString: strerror(errno)))
                    }
                    offset += n
                }
            }
            guard fsync(fd) == 0 else {
                throw FileError.cannotWrite(path: tempPath, reason: String(cString: strerror(errno)))
            }
        }
        guard rename(tempPath, path) == 0 else {
            throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        committed = true
        let dirFD = open(dirForTemp, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Copies `source` to `destination` atomically (the destination never holds a partial copy).
    public static func copy(_ source: String, to destination: String) throws {
        let directory = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        let temp = "\(directory.isEmpty ? "." : directory)/.\(name).lfm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temp)
            let fd = open(temp, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            guard rename(temp, destination) == 0 else {
                throw FileError.cannotWrite(path: destination, reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temp)
            if let fileError = error as? FileError { throw fileError }
            throw FileError.cannotWrite(path: destination, reason: error.localizedDescription)
        }
    }
}
