import Foundation
import LFMSystem

/// The placement of one data file by `lfm register`, from just before the file appears in the
/// data directory until the registry holds the entry, made so that it can always be undone:
/// - a note `data/.FILE.lfm-pending-PID` records the entry's name, whether a previous file is
///   being replaced, and the entry as it was before (`-`: none);
/// - a replaced file is kept as `.FILE.lfm-pending-PID.previous` (a hard link, or the folder
///   moved aside) until the commit renames it to `FILE.bak`;
/// - `undo()` (on an error or a signal) puts the previous file back or removes the new one;
/// - `recover` (the next register, under the lock) finishes or undoes the placement of a
///   process that was killed with -9, so an orphaned copy never blocks registering a changed
///   file ("already exists and differs").
struct PendingPlacement: Sendable {
    let dataDir: String
    let fileName: String
    let replacing: Bool
    let pid: Int32

    private static let marker = ".lfm-pending-"

    init(dataDir: String, fileName: String, replacing: Bool, pid: Int32 = getpid()) {
        self.dataDir = dataDir
        self.fileName = fileName
        self.replacing = replacing
        self.pid = pid
    }

    var destination: String { dataDir + "/" + fileName }
    var notePath: String { dataDir + "/." + fileName + Self.marker + "\(pid)" }
    var previousPath: String { notePath + ".previous" }

    /// Writes the note; call before anything is placed.
    func begin(name: String, previousEntry: JSONObject?) throws {
        let previous = previousEntry.map { JSONPrinter(indent: nil).string(.object($0)) } ?? "-"
        try AtomicFile.write("\(name)\n\(replacing ? "replacing" : "new")\n\(previous)\n", to: notePath)
    }

    /// Keeps the file being replaced aside: a hard link, so the destination stays in place until
    /// the new file is renamed over it; a folder (or with `vacate`) is moved aside.
    func keepPrevious(vacate: Bool) throws {
        try? FileManager.default.removeItem(atPath: previousPath)
        let moveAside = vacate || (FileStatus.of(destination) == .directory && !FileStatus.isSymlink(destination))
        let moved = InterruptCleanup.critical { moveAside ? rename(destination, previousPath) : link(destination, previousPath) }
        guard moved == 0 else {
            throw FileError.cannotWrite(path: previousPath, reason: String(cString: strerror(errno)))
        }
    }

    /// The registry has the entry: the previous file becomes `FILE.bak`.
    func commit() {
        if FileStatus.occupied(previousPath) {
            try? FileManager.default.removeItem(atPath: destination + ".bak")
            _ = rename(previousPath, destination + ".bak")
        }
        unlink(notePath)
    }

    /// Back to before: the previous file in place, or no file when there was none.
    func undo() {
        if FileStatus.occupied(previousPath) {
            var kept = stat(), current = stat()
            if lstat(previousPath, &kept) == 0, lstat(destination, &current) == 0, kept.st_ino == current.st_ino, kept.st_dev == current.st_dev {
                unlink(previousPath)  // never replaced: the hard link is redundant
            } else {
                if FileStatus.of(destination) == .directory, !FileStatus.isSymlink(destination) {
                    try? FileManager.default.removeItem(atPath: destination)
                }
                _ = rename(previousPath, destination)
            }
        } else if !replacing, FileStatus.occupied(destination) {
            try? FileManager.default.removeItem(atPath: destination)
        }
        unlink(notePath)
    }

    /// Whether a dead process left a note for `fileName`.
    static func hasStaleNote(dataDir: String, fileName: String) -> Bool {
        let prefix = "." + fileName + marker
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dataDir)) ?? []
        return names.contains { name in
            name.hasPrefix(prefix) && Int32(name.dropFirst(prefix.count)).map { $0 != getpid() && !TempName.isAlive($0) } == true
        }
    }

    /// Finishes or undoes the placements of dead processes. Call under the registry lock with
    /// the current document. Returns the file names whose placement was undone.
    @discardableResult
    static func recover(dataDir: String, document: RegistryDocument) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dataDir) else { return [] }
        var undone: [String] = []
        for note in names where note.hasPrefix(".") {
            guard let range = note.range(of: marker, options: .backwards), let pid = Int32(note[range.upperBound...]),
                  pid != getpid(), !TempName.isAlive(pid) else { continue }
            let fileName = String(note[note.index(after: note.startIndex)..<range.lowerBound])
            guard !fileName.isEmpty, !fileName.contains("/"),
                  let text = try? String(contentsOfFile: dataDir + "/" + note, encoding: .utf8) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let placement = PendingPlacement(dataDir: dataDir, fileName: fileName, replacing: lines.count > 1 && lines[1] == "replacing", pid: pid)
            guard lines.count >= 3 else { unlink(placement.notePath); continue }
            let current = document.entry(named: lines[0]).map { JSONPrinter(indent: nil).string(.object($0.object)) } ?? "-"
            if current == lines[2] {
                // The registry says what it said before: the placement never reached it.
                placement.undo()
                undone.append(fileName)
            } else {
                placement.commit()
            }
        }
        return undone
    }
}
