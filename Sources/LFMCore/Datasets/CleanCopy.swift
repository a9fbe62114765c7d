import Foundation
import LFMSystem

/// Writes a copy of a data file without some records (`--drop-invalid`), streaming, in the same
/// layout as the source.
enum CleanCopy {
    static func write(source: String, layout: RecordLayout, dropping: Set<Int>, to destination: String) throws {
        let directory = (destination as NSString).deletingLastPathComponent
        let temp = directory + "/" + TempName.prefix(for: (destination as NSString).lastPathComponent) + "\(UInt32.random(in: 0...UInt32.max))"
        // Created and registered for removal as one step: a signal waits for it.
        let (handle, cleanup) = try InterruptCleanup.critical { () throws -> (FileHandle, InterruptCleanup.Token) in
            guard FileManager.default.createFile(atPath: temp, contents: nil), let handle = FileHandle(forWritingAtPath: temp) else {
                throw FileError.cannotWrite(path: temp, reason: "cannot create")
            }
            return (handle, InterruptCleanup.add { _ = unlink(temp) })
        }
        var ok = false
        defer {
            try? handle.close()
            if !ok { unlink(temp) }
            InterruptCleanup.remove(cleanup)
        }
        let reader = try RecordReader(path: source, layoutHint: layout == .text ? .text : nil)
        let printer = JSONPrinter(indent: layout == .jsonArray ? 2 : nil)
        var out: [UInt8] = []
        var first = true
        if layout == .jsonArray { out.append(UInt8(ascii: "[")) }
        try reader.forEach { location, record in
            guard !dropping.contains(location.index) else { return }
            switch layout {
            case .jsonArray:
                out.append(contentsOf: first ? "\n  ".utf8 : ",\n  ".utf8)
                printer.write(record, level: 1, into: &out)
            case .jsonLines:
                printer.write(record, level: 0, into: &out)
                out.append(0x0A)
            case .text:
                out.append(contentsOf: (record["text"]?.stringValue ?? "").utf8)
                out.append(0x0A)
            }
            first = false
            if out.count > 1 << 20 {
                handle.write(Data(out))
                out.removeAll(keepingCapacity: true)
            }
        }
        if layout == .jsonArray { out.append(contentsOf: first ? "]\n".utf8 : "\n]\n".utf8) }
        handle.write(Data(out))
        try handle.synchronize()
        guard InterruptCleanup.critical({ rename(temp, destination) }) == 0 else {  // a signal waits for the rename
            throw FileError.cannotWrite(path: destination, reason: String(cString: strerror(errno)))
        }
        ok = true
    }
}
