import Foundation
import PackagePlugin

/// Embeds the package's top-level `templates/` folder into the target that uses this plugin
/// (LFMTrain), so the built `lfm` binary carries its templates wherever it is installed.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let templates = context.package.directoryURL.appending(path: "templates")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedTemplateFiles.swift")
        // Every file is an input, so editing, adding or removing a template re-runs the generator.
        var inputs: [URL] = []
        if let enumerator = FileManager.default.enumerator(
            at: templates, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        {
            for case let url as URL in enumerator
            where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                inputs.append(url)
            }
        }
        inputs.sort { $0.path < $1.path }
        return [
            .buildCommand(
                displayName: "Embedding templates/ (\(inputs.count) files)",
                executable: try context.tool(named: "lfm-embed-templates").url,
                arguments: [templates.path, output.path],
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
