import Foundation
import Testing
@testable import LFMSystem

@Suite("Temporary names")
struct TempNameTests {
    @Test("the writer's pid is read back from lfm temporary names only")
    func writerPID() {
        #expect(TempName.writerPID(of: TempName.prefix(for: "data.json", pid: 4242) + "Ab12Cd") == 4242)
        #expect(TempName.writerPID(of: ".dataset_info.json.lfm-17-XyZ123") == 17)
        #expect(TempName.writerPID(of: ".x.json.lfm-pending-17") == nil)
        #expect(TempName.writerPID(of: ".x.json.lfm-abc") == nil)
        #expect(TempName.writerPID(of: "x.json.lfm-17-abc") == nil)
        #expect(TempName.writerPID(of: "data.json") == nil)
    }

    @Test("FileStatus sees FIFOs, loops and dangling links without opening them")
    func fileStatus() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfm-status-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/pipe", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir + "/a", withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(atPath: dir + "/b", withDestinationPath: "a")
        try FileManager.default.createSymbolicLink(atPath: dir + "/gone", withDestinationPath: "nothing")
        #expect(FileStatus.of(dir + "/pipe") == .special("a FIFO (named pipe)"))
        #expect(FileStatus.of(dir + "/a") == .symlinkLoop)
        #expect(FileStatus.of(dir + "/gone") == .missing)
        #expect(FileStatus.occupied(dir + "/gone"))
        #expect(FileStatus.of("/dev/null") == .special("a character device"))
        #expect(FileStatus.of(dir) == .directory)
    }
}
