import Glibc

/// An advisory, exclusive lock on a lock file (flock(2)), held for a read-modify-write of a
/// file that other processes may edit at the same time. The lock file is separate from the data
/// file because the data file is replaced by rename, which would orphan a lock held on it.
public final class FileLock {
    public let path: String
    private var fd: Int32 = -1

    public init(path: String) {
        self.path = path
    }

    deinit { unlock() }

    /// Blocks until the lock is held.
    public func lock() throws {
        guard fd < 0 else { return }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw FileError.cannotOpen(path: path, reason: "cannot lock: \(reason)")
        }
        fd = descriptor
    }

    /// Takes the lock if no one holds it: false (and nothing held) when another holder has it.
    public func tryLock() throws -> Bool {
        guard fd < 0 else { return true }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            close(descriptor)
            return false
        }
        fd = descriptor
        return true
    }

    public func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    /// Runs `body` while holding the lock.
    public static func withLock<T>(at path: String, _ body: () throws -> T) throws -> T {
        let lock = FileLock(path: path)
        try lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
