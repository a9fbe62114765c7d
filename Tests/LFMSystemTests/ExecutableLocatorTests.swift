import Foundation
import Testing
@testable import LFMSystem

@Suite struct ExecutableLocatorTests {
    @Test func findsFirstExecutableInPathOrderSkippingNonExecutables() throws {
        let scratch = try TempDir()
        for dir in ["a", "b", "c"] {
            try FileManager.default.createDirectory(
                atPath: scratch.path(dir), withIntermediateDirectories: true)
        }
        try scratch.script("a/conda", "#!/bin/sh\n", mode: 0o644)  // not executable
        try FileManager.default.createDirectory(
            atPath: scratch.path("b/conda"), withIntermediateDirectories: true)  // a directory
        try scratch.script("c/conda", "#!/bin/sh\n")
        let path = ["a", "b", "c"].map { scratch.path($0) }.joined(separator: ":")
        let locator = ExecutableLocator(searchPath: path)
        #expect(locator.locate("conda")?.path == scratch.path("c/conda"))
        #expect(locator.locate("mamba") == nil)
        #expect(locator.locateFirst(of: ["mamba", "conda"])?.path == scratch.path("c/conda"))
        #expect(ExecutableLocator(searchPath: "").locate("sh") == nil)
    }

    @Test func nameWithSlashIsCheckedDirectly() {
        let locator = ExecutableLocator(searchPath: "/nonexistent")
        #expect(locator.locate("/bin/sh")?.path == "/bin/sh")
        #expect(locator.locate("/nonexistent/sh") == nil)
    }
}
