import Foundation
import Testing
import TestSupport
@testable import LFMSystem

@Suite struct AnonymousTempFileTests {
    @Test("an anonymous temporary file reads back what was written and has no name in its folder")
    func roundTrip() throws {
        let dir = try TempDir("lfm-anon")
        let file = try #require(AnonymousTempFile(directories: [dir.path]))
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(bytes.withUnsafeBytes { file.append($0) } == 0)
        #expect(bytes.withUnsafeBytes { file.append($0) } == 0)
        #expect(file.size == 200_000)
        var back = [UInt8](repeating: 0, count: 1000)
        let n = back.withUnsafeMutableBytes { file.read(into: $0, at: 100_000 + 500) }
        #expect(n == 1000)
        #expect(back == Array(bytes[500..<1500]))
        // Past the end: a short read.
        let tail = back.withUnsafeMutableBytes { file.read(into: $0, at: 199_500) }
        #expect(tail == 500)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("no temporary file where the folder does not exist")
    func missingFolder() throws {
        let dir = try TempDir("lfm-anon")
        #expect(AnonymousTempFile(directories: [dir.path + "/missing"]) == nil)
        // The next candidate is used.
        #expect(AnonymousTempFile(directories: [dir.path + "/missing", dir.path]) != nil)
    }

    @Test("the descriptor is not inherited by children")
    func closeOnExec() throws {
        let dir = try TempDir("lfm-anon")
        let file = try #require(AnonymousTempFile(directories: [dir.path]))
        #expect(fcntl(file.fd, F_GETFD) & FD_CLOEXEC != 0)
    }
}
