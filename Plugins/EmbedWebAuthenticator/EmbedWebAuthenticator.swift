import Foundation
import PackagePlugin

/// Build-tool plugin: turns the web authenticator's files (`Sources/TandemServer/Authenticator/`,
/// plain HTML, CSS, ES modules and icons) into one generated Swift file, so `tandem` stays a
/// single binary with no resource bundle beside it (decision 0024). The files are the build
/// command's inputs: editing one re-runs the embedding.
@main
struct EmbedWebAuthenticator: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let folder = module.directoryURL.appending(path: "Authenticator")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path(percentEncoded: false))
            .filter { !$0.hasPrefix(".") }.sorted()
        let output = context.pluginWorkDirectoryURL.appending(path: "WebAuthenticatorFiles.swift")
        return [.buildCommand(
            displayName: "Embedding the web authenticator (\(names.count) files)",
            executable: try context.tool(named: "tandem-embed").url,
            arguments: [folder.path(percentEncoded: false), output.path(percentEncoded: false)],
            inputFiles: names.map { folder.appending(path: $0) },
            outputFiles: [output])]
    }
}
