import Glibc

/// What is at a path, found with stat(2) (symlinks followed) without opening it, so that a FIFO,
/// a device or a socket is recognised before anything blocks on it.
public enum FileStatus: Sendable, Equatable {
    case regular(size: Int, mode: UInt32)
    case directory
    /// A FIFO, socket, character or block device: opening or reading it can block forever.
    case special(String)
    case missing
    /// Too many levels of symbolic links (a loop).
    case symlinkLoop
    /// stat failed for another reason (permissions on a parent, name too long...).
    case inaccessible(String)

    public static func of(_ path: String) -> FileStatus {
        var info = stat()
        guard stat(path, &info) == 0 else {
            switch errno {
            case ENOENT, ENOTDIR: return .missing
            case ELOOP: return .symlinkLoop
            default: return .inaccessible(String(cString: strerror(errno)))
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int(info.st_size), mode: UInt32(info.st_mode & 0o7777))
        case S_IFDIR: return .directory
        case S_IFIFO: return .special("a FIFO (named pipe)")
        case S_IFSOCK: return .special("a socket")
        case S_IFCHR: return .special("a character device")
        case S_IFBLK: return .special("a block device")
        default: return .special("not a regular file")
        }
    }

    /// Whether lstat(2) sees a symbolic link at `path` (dangling or not).
    public static func isSymlink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// Whether anything (a dangling symlink included) occupies `path`.
    public static func occupied(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// realpath(3): every symlink component, `.` and `..` resolved; nil when some component is
    /// missing or loops.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A message for a path that is not a readable regular file or folder, or nil when it is one.
    public var problem: String? {
        switch self {
        case .regular, .directory: return nil
        case .special(let kind): return "is \(kind), not a regular file; lfm does not open it (reading it could block forever)"
        case .missing: return "no such file or directory"
        case .symlinkLoop: return "is a symbolic link loop (too many levels of symbolic links)"
        case .inaccessible(let reason): return "cannot be examined: \(reason)"
        }
    }
}
