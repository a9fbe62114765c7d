import Foundation
import Glibc

/// Replaces files so that a crash at any instant leaves either the old or the new content:
/// write a temporary file in the same directory, fsync it, rename it over the target, fsync
/// the directory.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically. The new file gets the old file's permissions
    /// (or 0644 for a new file).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        var info = stat()
        let mode: mode_t = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
        try replace(path, mode: mode) { fd, temp in
            let failed = FileDescriptorIO.writeAll(fd, bytes)
            if failed != 0 { throw FileError.cannotWrite(path: temp, reason: String(cString: strerror(failed))) }
        }
    }

    /// The one atomic replacement: a temporary file beside `path` (removed on failure or a
    /// signal) with `mode`, filled by `fill(fd, temporaryPath)`, fsynced, renamed over `path`,
    /// and the directory fsynced.
    private static func replace(_ path: String, mode: mode_t, fill: (Int32, String) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let dirForTemp = directory.isEmpty ? "." : directory
        let (fd, tempPath, cleanup) = try makeTemp(for: path, in: dirForTemp)
        var committed = false
        defer {
            if !committed { unlink(tempPath) }
            InterruptCleanup.remove(cleanup)
        }
        do {
            defer { close(fd) }
            fchmod(fd, mode)
            try fill(fd, tempPath)
            guard fsync(fd) == 0 else {
                throw FileError.cannotWrite(path: tempPath, reason: String(cString: strerror(errno)))
            }
        }
        guard InterruptCleanup.critical({ rename(tempPath, path) }) == 0 else {  // a signal waits for the rename
            throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        committed = true
        let dirFD = open(dirForTemp, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// Creates `DIR/.NAME.lfm-PID-XXXXXX` and registers its removal on a signal, as one step
    /// (a signal waits for it, so no temporary file can escape the cleanup).
    static func makeTemp(for path: String, in directory: String) throws -> (Int32, String, InterruptCleanup.Token) {
        let name = (path as NSString).lastPathComponent
        return try InterruptCleanup.critical {
            var template = Array("\(directory)/\(TempName.prefix(for: name))XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
            let temp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return (fd, temp, InterruptCleanup.add { _ = unlink(temp) })
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Copies the regular file `source` (symlinks followed) to `destination` atomically: the
    /// destination never holds a partial copy, and an interrupted copy leaves no temporary file.
    public static func copy(_ source: String, to destination: String) throws {
        let status = FileStatus.of(source)
        guard case .regular = status else {
            throw FileError.cannotRead(path: source, reason: status.problem ?? "is a folder, not a file")
        }
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard input >= 0 else { throw FileError.cannotOpen(path: source, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        try replace(destination, mode: 0o644) { fd, temp in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError.cannotRead(path: source, reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                let failed = buffer.withUnsafeBytes { FileDescriptorIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                if failed != 0 { throw FileError.cannotWrite(path: temp, reason: String(cString: strerror(failed))) }
            }
        }
    }
}
