import Foundation
import LFMCore
import Testing

/// Start-up (docs/performance.md, "Start-up"): what `lfm` loads before it does anything.
@Suite("start-up", .enabled(if: binaryAvailable))
struct StartupTests {
    /// The HTTP stack (FoundationNetworking → libcurl, OpenSSL, Kerberos, LDAP...) and libxml2
    /// (FoundationXML) are not loaded by commands that do not use them: libcurl is dlopen'd by
    /// `lfm generate` when it sends its first request, and .docx XML is read without libxml2.
    @Test func commandsThatDoNotTalkHTTPLoadNeitherLibcurlNorLibxml2() async throws {
        let dir = try TempDir()
        for arguments in [["--version"], ["list", "--help"]] {
            let result = try await lfm(arguments, cwd: dir.path, environment: ["LD_DEBUG": "libs"])
            #expect(result.status == 0)
            // The loader logs every library it maps: "find library=NAME" / "calling init: PATH".
            let loaded = result.stderr.split(separator: "\n").filter { $0.contains("calling init:") }
            #expect(!loaded.isEmpty, "LD_DEBUG=libs printed nothing: \(result.stderr.prefix(300))")
            for library in ["libcurl", "libxml2", "FoundationNetworking", "FoundationXML", "libssl", "libgssapi"] {
                #expect(!loaded.contains { $0.contains(library) }, "\(arguments) loaded \(library)")
            }
        }
    }

    /// `--version` is answered before the command tree is built; the output is ArgumentParser's.
    @Test func versionIsTheLibraryVersionOnOneLine() async throws {
        let dir = try TempDir()
        let result = try await lfm(["--version"], cwd: dir.path)
        #expect(result.status == 0)
        #expect(result.stdout == LFMVersion.current + "\n")
        #expect(result.stderr.isEmpty)
    }
}
