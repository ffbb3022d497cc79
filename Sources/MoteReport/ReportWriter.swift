import Foundation

/// Writes `report.json`, `report.md` and `report.html` into a folder, each atomically
/// (Foundation's `.atomic` option: a temporary file in the same folder renamed over the target).
public enum ReportWriter {
    /// The file names written, in order.
    public static let fileNames = ["report.json", "report.md", "report.html"]

    /// The report as JSON: pretty-printed, keys sorted.
    public static func json(_ r: Report) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(r)
    }

    /// Creates `directory` when missing and writes the three files; returns their paths.
    @discardableResult
    public static func write(_ r: Report, to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let contents = [try json(r), Data(MarkdownRenderer.render(r).utf8), Data(HTMLRenderer.render(r).utf8)]
        var urls: [URL] = []
        for (name, data) in zip(fileNames, contents) {
            let url = directory.appendingPathComponent(name)
            try data.write(to: url, options: .atomic)
            urls.append(url)
        }
        return urls
    }
}
