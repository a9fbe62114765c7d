import Glibc

private let systemWrite = Glibc.write
private let systemClose = Glibc.close

/// The one write-everything loop over a raw file descriptor (short writes and `EINTR` retried),
/// and `close` under a name that a type's own `write`/`close` methods do not shadow.
public enum FileDescriptorIO {
    /// Writes all of `bytes` to `fd`. Returns 0, or the `errno` of the write that failed
    /// (`EIO` when the descriptor accepts nothing).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            offset += n
        }
        return 0
    }

    /// `writeAll` of an array (or a string's UTF-8 bytes: `Array(text.utf8)`).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    /// Closes `fd`; the result of close(2).
    @discardableResult
    public static func close(_ fd: Int32) -> Int32 { systemClose(fd) }
}
