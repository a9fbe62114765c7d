import Foundation
import LFMCore
@testable import LFMGenerate
import ZIPFoundation
@_exported import TestSupport

enum Fixtures {
    static let mockScript: String = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return here.appendingPathComponent("Fixtures/mock_openai.py").path
    }()

    static func server(_ dir: TempDir, config: JSONObject = JSONObject()) async throws -> MockOpenAIServer {
        try await MockOpenAIServer.start(script: mockScript, directory: dir.file("server"), config: config)
    }

    /// Options pointing at the mock, fast retries, a fake key.
    static func options(_ dir: TempDir, server: MockOpenAIServer, inputs: [String], out: String = "out.json") -> GenerateOptions {
        var options = GenerateOptions(inputs: inputs, outputPath: dir.file(out))
        options.baseURL = server.baseURL
        options.model = "mock-model"
        options.environment = ["OPENAI_API_KEY": testKey]
        options.retryBaseDelay = 0.05
        options.retryMaxDelay = 2
        options.requestTimeout = 5
        return options
    }

    static let testKey = "sk-test-SECRET-0123456789abcdef"

    /// A minimal valid .docx with the given document.xml body.
    static func docx(at path: String, body: String, styles: String? = nil) throws {
        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        func add(_ name: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try add("[Content_Types].xml", """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
        <Default Extension="xml" ContentType="application/xml"/>
        <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
        </Types>
        """)
        try add("_rels/.rels", """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
        </Relationships>
        """)
        try add("word/document.xml", """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>\(body)</w:body></w:document>
        """)
        if let styles {
            try add("word/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">\(styles)</w:styles>
            """)
        }
    }

    static func p(_ text: String, style: String? = nil) -> String {
        let props = style.map { "<w:pPr><w:pStyle w:val=\"\($0)\"/></w:pPr>" } ?? ""
        return "<w:p>\(props)<w:r><w:t xml:space=\"preserve\">\(text)</w:t></w:r></w:p>"
    }

    /// Every file under `path`, recursively.
    static func allFiles(_ path: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        while let name = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = path + "/" + name
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { files.append(full) }
        }
        return files
    }

    static func records(_ path: String) throws -> [JSONValue] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONParser.parse([UInt8](data)).arrayValue ?? []
    }
}
