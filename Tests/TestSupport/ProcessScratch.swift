import Foundation

/// One folder per test process for fixtures that are not tied to one `TempDir` value (a fixture
/// function returns a path or a `Workspace`): removed, with all inside, when the process exits.
public enum ProcessScratch {
    /// The folder, created on first use.
    public static let root: String = {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("lfm-tests-\(getpid())-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let path = (base.path as NSString).resolvingSymlinksInPath
        removedAtExit = path
        atexit {
            if let path = removedAtExit { try? FileManager.default.removeItem(atPath: path) }
        }
        return path
    }()

    /// A fresh path `<root>/<label>-<uuid>` (not created).
    public static func path(_ label: String) -> String {
        root + "/\(label)-\(UUID().uuidString)"
    }
}

/// Read by the `atexit` handler, which cannot capture.
nonisolated(unsafe) private var removedAtExit: String?
