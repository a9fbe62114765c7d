import Foundation

// MARK: Reading a file as two halves, one per core, for results that merge exactly

/// Runs per-record work over the two halves of a large JSON array or JSON Lines file on two
/// threads, split where ``FileValidator/validateInParts(path:layoutHint:minimumSize:)`` splits
/// (at a record boundary near the middle). Each half gets its own `Part` (record indexes and
/// lines count from the half's start); the caller merges the two parts in order.
///
/// For commands whose results do not depend on anything but the records' order (`lfm stats`,
/// `lfm dedupe`): any doubt — a syntax error, a half that did not end between records, an error
/// thrown by `body` — returns nil, and the caller reads the file in one pass, which reports
/// exactly what it always did.
public enum TwoPartReader {
    /// Files smaller than this are read in one pass by default.
    public static var minimumSize: Int { FileValidator.partsMinimumSize }

    /// CPUs this process may run on (its affinity mask).
    public static var usableCPUs: Int { RecordReader.usableCPUs() }

    /// The two parts after `body` ran on every record of each half, or nil (not split, or a
    /// failure: read in one pass). `progress` (bytes read by both halves, file size) is called on
    /// the calling thread while it waits.
    public static func run<Part: AnyObject>(path: String, layoutHint: RecordLayout?, minimumSize: Int = minimumSize,
                                            makePart: (_ isHead: Bool) -> Part,
                                            body: @escaping (Part, RecordLocation, JSONValue) throws -> Void,
                                            progress: ((Int, Int) -> Void)? = nil) -> (head: Part, tail: Part)? {
        guard case .success(let split) = FileValidator.findSplit(path: path, layoutHint: layoutHint, minimumSize: minimumSize),
              let first = try? RecordReader(path: path, range: 0..<split.offset, layout: split.layout, startsBetweenRecords: false,
                                            chunkSize: FileValidator.partChunkSize),
              let second = try? RecordReader(path: path, range: split.offset..<Int.max, layout: split.layout, startsBetweenRecords: true,
                                             chunkSize: FileValidator.partChunkSize)
        else { return nil }
        let head = makePart(true), tail = makePart(false)
        let shared = TwoPartShared()
        let group = DispatchGroup()
        for (isHead, reader, part) in [(true, first, head), (false, second, tail)] {
            let box = TwoPartBox(reader: reader, part: part, body: body, shared: shared, isHead: isHead)
            group.enter()
            let thread = Thread {
                box.run()
                group.leave()
            }
            thread.stackSize = 16 << 20  // the parser recurses up to JSONParser.maxDepth levels
            thread.start()
        }
        _ = shared.wait(for: group, size: first.fileSize, progress: progress)
        guard !shared.cancelled else { return nil }
        if split.layout == .jsonArray, !first.endedBetweenRecords { return nil }
        return (head, tail)
    }
}

/// State shared by the two halves of a file (here and in ``FileValidator/validateInParts``):
/// their progress, and a stop request.
final class TwoPartShared: @unchecked Sendable {
    private let lock = NSLock()
    private var headBytes = 0, tailBytes = 0
    private var stop = false

    /// Bytes read by both halves.
    var bytes: Int { lock.lock(); defer { lock.unlock() }; return headBytes + tailBytes }
    func setBytes(_ value: Int, head: Bool) {
        lock.lock()
        if head { headBytes = value } else { tailBytes = value }
        lock.unlock()
    }
    var cancelled: Bool { lock.lock(); defer { lock.unlock() }; return stop }
    func cancel() { lock.lock(); stop = true; lock.unlock() }

    /// Waits for both halves, reporting progress every 8 MiB; returns the bytes last reported.
    func wait(for group: DispatchGroup, size: Int, progress: ((Int, Int) -> Void)?) -> Int {
        var last = 0
        guard let progress else {
            group.wait()
            return last
        }
        while group.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            let total = bytes
            if total - last > (8 << 20) {
                last = total
                progress(total, size)
            }
        }
        return last
    }
}

/// One half's thread: its reader, its part, and the shared state. Each part is touched by its
/// own thread only until both have finished.
private struct TwoPartBox<Part: AnyObject>: @unchecked Sendable {
    let reader: RecordReader
    let part: Part
    let body: (Part, RecordLocation, JSONValue) throws -> Void
    let shared: TwoPartShared
    let isHead: Bool

    private struct Stopped: Error {}

    func run() {
        var last = 0
        do {
            try reader.forEach { location, value in
                try body(part, location, value)
                if reader.bytesRead - last > (8 << 20) {
                    last = reader.bytesRead
                    shared.setBytes(last, head: isHead)
                    if shared.cancelled { throw Stopped() }
                }
            }
            shared.setBytes(reader.bytesRead, head: isHead)
        } catch {
            shared.cancel()
        }
    }
}
