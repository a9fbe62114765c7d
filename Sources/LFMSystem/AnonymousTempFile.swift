import Glibc

/// A scratch file that has no name: opened with `O_TMPFILE` in `$TMPDIR` (else `/tmp`), so it
/// disappears with its descriptor, even when the process is killed with -9, and nothing is ever
/// written in the user's folders. Where the file system cannot make unnamed files (overlayfs
/// before Linux 6.6), a `mkstemp` file is unlinked right after it is created (a window of one
/// system call). Written at the end, read back at any offset; closed when the value goes away.
public final class AnonymousTempFile {
    public let fd: Int32
    /// Bytes written so far: the offset of the next `append`.
    public private(set) var size = 0

    /// A new empty file, or nil when none can be created anywhere (read-only or missing
    /// temporary folders). `directories` overrides `$TMPDIR` then `/tmp` (tests).
    public init?(directories: [String]? = nil) {
        var candidates = directories ?? []
        if directories == nil {
            if let tmp = getenv("TMPDIR"), tmp.pointee != 0 { candidates.append(String(cString: tmp)) }
            candidates.append("/tmp")
        }
        for directory in candidates {
            if let fd = Self.openUnnamed(in: directory) {
                self.fd = fd
                return
            }
        }
        return nil
    }

    deinit { _ = FileDescriptorIO.close(fd) }

    /// `__O_TMPFILE | O_DIRECTORY` (Glibc's `O_TMPFILE` macro is not imported).
    private static let tmpFileFlag: Int32 = 0o20000000 | O_DIRECTORY

    private static func openUnnamed(in directory: String) -> Int32? {
        let fd = open(directory, tmpFileFlag | O_RDWR | O_CLOEXEC, 0o600)
        if fd >= 0 { return fd }
        // EOPNOTSUPP/EISDIR/EINVAL: no unnamed files here; a named one, unlinked at once.
        guard errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL else { return nil }
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
            + Array(".lfm-scratch-XXXXXX".utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(named, F_SETFD, FD_CLOEXEC)
        return named
    }

    /// Appends `bytes`; 0 or the `errno` of the failed write (`ENOSPC`, `EIO`...).
    public func append(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let error = FileDescriptorIO.writeAll(fd, bytes)
        if error == 0 { size += bytes.count }
        return error
    }

    /// Reads up to `buffer.count` bytes at `offset` (fewer only at the end); the count, or -1.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
