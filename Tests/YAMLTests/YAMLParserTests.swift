import Testing
@testable import YAML

@Test func parsesNestedDocumentInOrder() throws {
    let text = """
    model_name_or_path: Qwen/Qwen3-4B-Instruct-2507
    trust_remote_code: true
    zeta: 1
    alpha: [a, "b", 'c']
    nested:
      lr: 1.0e-4
      epochs: 3.0
      flag: no
      empty:
      tilde: ~
    list:
      - x: 1
      - y
    """
    let node = try YAMLParser.parse(text)
    #expect(node.mapping?.keys == ["model_name_or_path", "trust_remote_code", "zeta", "alpha", "nested", "list"])
    #expect(node["model_name_or_path"]?.stringValue == "Qwen/Qwen3-4B-Instruct-2507")
    #expect(node["trust_remote_code"]?.boolValue == true)
    #expect(node["zeta"]?.intValue == 1)
    #expect(node["alpha"] == ["a", "b", "c"])
    #expect(node["alpha"]?[1]?.scalar?.style == .doubleQuoted)
    #expect(node["alpha"]?[2]?.scalar?.style == .singleQuoted)
    let nested = try #require(node["nested"])
    #expect(nested.mapping?.keys == ["lr", "epochs", "flag", "empty", "tilde"])
    #expect(nested["lr"]?.doubleValue == 1.0e-4)
    #expect(nested["lr"]?.scalar?.text == "1.0e-4")
    #expect(nested["epochs"]?.doubleValue == 3.0)
    #expect(nested["flag"]?.boolValue == false)
    #expect(nested["flag"]?.stringValue == nil)
    #expect(nested["empty"]?.isNull == true)
    #expect(nested["tilde"]?.isNull == true)
    #expect(node["list"]?[0]?["x"]?.intValue == 1)
    #expect(node["list"]?[1]?.stringValue == "y")
    #expect(node["missing"] == nil)
}

@Test func emptyStreamIsNull() throws {
    #expect(try YAMLParser.parse("") == .null)
    #expect(try YAMLParser.parse("# only a comment\n") == .null)
    #expect(try YAMLParser.parseAll("").isEmpty)
    #expect(try YAMLParser.parse("---\n") == .null)  // an explicit empty document is an empty plain scalar
}

@Test func multipleDocuments() throws {
    let docs = try YAMLParser.parseAll("a: 1\n---\n- b\n---\nplain\n...\n")
    #expect(docs == [["a": 1], ["b"], "plain"])
    #expect(try YAMLParser.parse("a: 1\n---\nb: 2\n") == ["a": 1])
}

@Test func anchorsAndAliases() throws {
    let text = """
    base: &base
      lr: 0.1
      name: &n hello
    copy: *base
    name2: *n
    derived:
      <<: *base
      lr: 0.2
      extra: true
    multi:
      <<: [{a: 1}, {a: 2, b: 3}]
    """
    let node = try YAMLParser.parse(text)
    #expect(node["copy"] == node["base"])
    #expect(node["name2"]?.stringValue == "hello")
    #expect(node["derived"]?.mapping?.keys == ["lr", "name", "extra"])
    #expect(node["derived"]?["lr"]?.doubleValue == 0.2)
    #expect(node["derived"]?["name"]?.stringValue == "hello")
    // PyYAML: the first mapping in a merge list wins.
    #expect(node["multi"]?["a"]?.intValue == 1)
    #expect(node["multi"]?["b"]?.intValue == 3)
}

@Test func undefinedAndRecursiveAliasesFail() {
    #expect(throws: YAMLError.self) { try YAMLParser.parse("a: *nope\n") }
    do {
        _ = try YAMLParser.parse("a: &x\n  b: *x\n")
        Issue.record("recursive alias accepted")
    } catch let error as YAMLError {
        #expect(error.kind == .composer)
        #expect(error.problem.contains("recursive"))
    } catch {
        Issue.record("unexpected \(error)")
    }
}

@Test func syntaxErrorHasLineAndColumn() {
    let text = "a: 1\nb: 2\nc: d: e\n"
    do {
        _ = try YAMLParser.parse(text)
        Issue.record("malformed YAML accepted")
    } catch let error as YAMLError {
        #expect(error.kind == .syntax)
        #expect(error.line == 3)
        #expect(error.column == 5)
        #expect(error.problem == "mapping values are not allowed in this context")
        #expect(error.description == "line 3, column 5: mapping values are not allowed in this context")
    } catch {
        Issue.record("unexpected \(error)")
    }
}

@Test func unclosedQuoteAndBadIndentationFail() {
    for text in ["a: \"open\nb: 2\n", "a:\n  - 1\n - 2\n", "[1, 2\n", "a: 1\n\tb: 2\n"] {
        #expect(throws: YAMLError.self, "\(text)") { try YAMLParser.parse(text) }
    }
}

@Test func duplicateKeyIsAnError() {
    do {
        _ = try YAMLParser.parse("a: 1\nb: 2\na: 3\n")
        Issue.record("duplicate key accepted")
    } catch let error as YAMLError {
        #expect(error.kind == .composer)
        #expect(error.line == 3)
        #expect(error.column == 1)
    } catch {
        Issue.record("unexpected \(error)")
    }
}

@Test func nonScalarKeyIsAnError() {
    #expect(throws: YAMLError.self) { try YAMLParser.parse("? [a, b]\n: c\n") }
}

@Test func escapedNulAndUnicodeSurvive() throws {
    let node = try YAMLParser.parse("a: \"x\\0y\"\nb: 你好，世界\nc: \"\\u00e9\\U0001F600\"\n")
    let a = try #require(node["a"]?.stringValue)
    #expect(Array(a.utf8) == [0x78, 0x00, 0x79])
    #expect(node["b"]?.stringValue == "你好，世界")
    #expect(node["c"]?.stringValue == "é😀")
}

@Test func blockScalars() throws {
    let node = try YAMLParser.parse("lit: |\n  line1\n  line2\nfold: >-\n  a\n  b\nkeep: |+\n  x\n\n")
    #expect(node["lit"]?.stringValue == "line1\nline2\n")
    #expect(node["lit"]?.scalar?.style == .literal)
    #expect(node["fold"]?.stringValue == "a b")
    #expect(node["fold"]?.scalar?.style == .folded)
    #expect(node["keep"]?.stringValue == "x\n\n")
}

@Test func tagsAreKept() throws {
    let node = try YAMLParser.parse("a: !!str 123\nb: !!int \"7\"\nc: !custom x\n")
    #expect(node["a"]?.stringValue == "123")
    #expect(node["a"]?.scalar?.tag == YAMLTag.str)
    #expect(node["b"]?.intValue == 7)
    #expect(node["c"]?.scalar?.tag == "!custom")
}

@Test func deepNestingIsRejected() {
    let deep = String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000)
    #expect(throws: YAMLError.self) { try YAMLParser.parse(deep) }
}

@Test func invalidInputBytesAreReported() {
    do {
        _ = try YAMLParser.parse("a: \u{7}\n")
        Issue.record("control character accepted")
    } catch let error as YAMLError {
        #expect(error.kind == .reader)
        #expect(!error.problem.isEmpty)
    } catch {
        Issue.record("unexpected \(error)")
    }
}

@Test func mappingKeepsOrderAndReplacesInPlace() {
    var m: YAMLMapping = ["b": 1, "a": 2, "c": 3]
    m["a"] = "x"
    m["d"] = 4
    #expect(m.keys == ["b", "a", "c", "d"])
    #expect(m["a"] == "x")
    #expect(m.removeValue(forKey: "b") == 1)
    #expect(m.removeValue(forKey: "zz") == nil)
    #expect(m.keys == ["a", "c", "d"])
    #expect(m["c"] == 3)
    m["c"] = nil
    #expect(m.keys == ["a", "d"])
    #expect(m.entries.map(\.key) == ["a", "d"])
    #expect(m != ["d": 4, "a": "x"])
}

@Test func concurrentParseAndEmit() async throws {
    let text = "a: 1\nb: [x, 'no', 2.5]\nc:\n  d: 你好\n"
    let expected = try YAMLParser.parse(text)
    let results = try await withThrowingTaskGroup(of: YAMLNode.self) { group in
        for _ in 0..<32 {
            group.addTask { try YAMLParser.parse(try YAMLEmitter.emit(try YAMLParser.parse(text))) }
        }
        var all: [YAMLNode] = []
        for try await node in group { all.append(node) }
        return all
    }
    #expect(results.count == 32)
    #expect(results.allSatisfy { $0 == expected })
}
