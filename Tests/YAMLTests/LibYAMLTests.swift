import Testing
@testable import YAML

@Test func linksLibYAML() {
    #expect(LibYAML.version.hasPrefix("0."))
}
