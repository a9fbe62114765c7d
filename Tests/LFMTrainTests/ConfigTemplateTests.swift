import Foundation
import Testing
import LFMCore
import YAML
@testable import LFMTrain

@Test func configEmbeddedTemplatesEqualTemplatesFolder() throws {
    let folder = ConfigFixture.packageRoot + "/templates"
    var onDisk: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: folder)
    while let relative = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isDirectory)
        if isDirectory.boolValue || (relative as NSString).lastPathComponent.hasPrefix(".") { continue }
        onDisk[relative] = try String(contentsOfFile: folder + "/" + relative, encoding: .utf8)
    }
    #expect(!onDisk.isEmpty)
    #expect(Set(TemplateLibrary.builtInFiles.keys) == Set(onDisk.keys), "rebuild: the EmbedTemplates plugin regenerates the embedded copy on `swift build`")
    for (path, text) in onDisk {
        #expect(TemplateLibrary.builtInFiles[path] == text, "\(path) differs from the embedded copy; run `swift build`")
    }
}

@Test func configBuiltInTemplatesAreComplete() throws {
    let library = TemplateLibrary()
    let all = library.all()
    let byKind = Dictionary(grouping: all, by: \.kind)
    #expect(Set(byKind[.train]!.map(\.name)) == ["sft", "dpo", "kto", "pt", "rm"])
    #expect(Set(byKind[.method]!.map(\.name)) == ["lora", "qlora", "full"])
    #expect(byKind[.export]!.map(\.name) == ["merge_lora"])
    #expect(byKind[.chat]!.map(\.name) == ["chat"])
    #expect(Set(byKind[.deepspeed]!.map(\.name)) == ["ds_z0", "ds_z2", "ds_z3", "ds_z2_offload", "ds_z3_offload"])
    for t in byKind[.train]! {
        #expect(t.stage == t.name)
        #expect(t.method == "lora")
        #expect(t.summary != nil)
        #expect(t.source == .builtIn)
    }
    #expect(try library.template(named: "qlora").mapping()["quantization_bit"]?.intValue == 4)
    for t in byKind[.deepspeed]! {
        #expect((try? JSONSerialization.jsonObject(with: Data(t.text.utf8))) != nil, "\(t.name) is not JSON")
    }
    let typo = ConfigFixture.error { try library.template(named: "dppo") }
    #expect(typo?.message == "no template named dppo; did you mean dpo?")
    #expect(typo?.hint == "`lfm templates` lists them")
}

@Test func configUserTemplatesWinByName() throws {
    let workspace = try ConfigFixture.workspace()
    let workspaceDir = TemplateLibrary.workspaceDirectory(root: workspace.root)
    let configHome = ProcessScratch.path("lfm-conf")
    let userDir = configHome + "/lfm/templates"
    try FileManager.default.createDirectory(atPath: userDir + "/methods", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: workspaceDir, withIntermediateDirectories: true)
    // user: a changed sft and qlora, a new model; workspace: another sft (wins over the user's).
    let builtInSFT = try TemplateLibrary().template(named: "sft").text
    try builtInSFT.replacingOccurrences(of: "cutoff_len: 2048", with: "cutoff_len: 512").write(toFile: userDir + "/sft.yaml", atomically: true, encoding: .utf8)
    try builtInSFT.replacingOccurrences(of: "cutoff_len: 2048", with: "cutoff_len: 4096").write(toFile: workspaceDir + "/sft.yaml", atomically: true, encoding: .utf8)
    try "quantization_bit: 8\nquantization_method: bnb\n".write(toFile: userDir + "/methods/qlora.yaml", atomically: true, encoding: .utf8)
    try "my-tiny:\n  hf: me/tiny-chat\n  template: chatml\nllama3:\n  hf: meta-llama/Llama-3.1-8B-Instruct\n  template: llama3\n"
        .write(toFile: userDir + "/models.yaml", atomically: true, encoding: .utf8)
    try "# a new stage variant\nstage: sft\nfinetuning_type: lora\nlearning_rate: 3.0e-5\n".write(toFile: workspaceDir + "/sft-small.yaml", atomically: true, encoding: .utf8)

    let library = TemplateLibrary.standard(workspaceRoot: workspace.root, environment: ["XDG_CONFIG_HOME": configHome])
    #expect(try library.template(named: "sft").source == .workspace(path: workspaceDir + "/sft.yaml"))
    #expect(try library.template(named: "qlora").source == .user(path: userDir + "/methods/qlora.yaml"))
    #expect(try library.template(named: "dpo").source == .builtIn)
    let catalog = try library.modelCatalog()
    #expect(catalog.entry(named: "my-tiny")?.hfID == "me/tiny-chat")
    #expect(catalog.entry(named: "llama3")?.hfID == "meta-llama/Llama-3.1-8B-Instruct")
    #expect(catalog.entry(named: "qwen2.5-7b") != nil)

    let builder = TrainConfigBuilder(workspace: workspace, catalog: catalog, templates: library, currentDirectory: workspace.root, now: ConfigFixture.fixedNow)
    var request = ConfigFixture.request("my-tiny", ["chat_sft"], method: .qlora)
    let rendered = try builder.render(request)
    #expect(rendered.mapping["cutoff_len"]?.intValue == 4096)
    #expect(rendered.mapping["quantization_bit"]?.intValue == 8)
    #expect(rendered.mapping["template"]?.scalarText == "chatml")
    request.baseTemplate = "sft-small"
    request.method = .lora
    #expect(try builder.render(request).mapping["learning_rate"]?.doubleValue == 3e-5)
    request.baseTemplate = "dpo"
    #expect(try builder.render(request).stage == "sft")  // the data decides; dpo's keys come along
}

@Test func configTemplateCopyRefusesToOverwrite() throws {
    let workspace = try ConfigFixture.workspace()
    let library = TemplateLibrary()
    let dir = TemplateLibrary.workspaceDirectory(root: workspace.root)
    let dry = try library.copy("qlora", to: dir, dryRun: true)
    #expect(dry.path == dir + "/methods/qlora.yaml")
    #expect(!FileManager.default.fileExists(atPath: dry.path))
    let first = try library.copy("qlora", to: dir)
    #expect(!first.replaced)
    #expect(try String(contentsOfFile: first.path, encoding: .utf8) == library.template(named: "qlora").text)
    let again = ConfigFixture.error { try library.copy("qlora", to: dir) }
    #expect(again?.kind == .exists)
    #expect(again?.message == "\(dir)/methods/qlora.yaml already exists")
    #expect(again?.hint == "pass --force to replace it")
    #expect(try library.copy("qlora", to: dir, force: true).replaced)
    #expect(try library.copy("models", to: dir).path == dir + "/models.yaml")
    #expect(try library.copy("ds_z3", to: dir).path == dir + "/deepspeed/ds_z3.json")
    // The copy is now what the workspace uses.
    #expect(try TemplateLibrary.standard(workspaceRoot: workspace.root, environment: [:]).template(named: "qlora").source == .workspace(path: dir + "/methods/qlora.yaml"))
}
