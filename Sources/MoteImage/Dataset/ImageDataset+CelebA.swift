import Foundation

extension ImageDataset {
    /// The class names of the gender datasets: `female` = 0, `male` = 1 (sorted, as a labeled
    /// folder `female/`, `male/` would give).
    public static let genderClasses = ["female", "male"]

    /// CelebA for gender: `root/img_align_celeba/` with `root/list_attr_celeba.txt` (first line the
    /// image count, second line the 40 attribute names, then `NAME v1 … v40` with values 1 / -1)
    /// and `root/list_eval_partition.txt` (`NAME P`, P = 0 train, 1 val, 2 test). Kaggle's CSV
    /// versions (`list_attr_celeba.csv`, `list_eval_partition.csv`, header `image_id,...`) are read
    /// when the .txt files are absent. Attribute `Male` 1 → "male" (1), -1 → "female" (0).
    /// Items are the images of `partition`, in partition-file order. Image files are not opened here;
    /// missing ones are reported when decoded. Throws for missing files, a missing `Male` column,
    /// malformed lines (naming file and line) and names missing from the attribute file.
    public static func celebA(root: String, partition: Int) throws -> ImageDataset {
        guard (0...2).contains(partition) else {
            throw ImageError(.invalidArgument, "CelebA partition must be 0 (train), 1 (val) or 2 (test), not \(partition)")
        }
        let imageDir = join(root, "img_align_celeba")
        let attrPath = try firstExisting([join(root, "list_attr_celeba.txt"), join(root, "list_attr_celeba.csv")])
        let partPath = try firstExisting([join(root, "list_eval_partition.txt"), join(root, "list_eval_partition.csv")])

        // Attribute file: the Male column for every image name.
        let attrLines = try lines(of: attrPath)
        var male: [String: Bool] = [:]
        let csv = attrPath.hasSuffix(".csv")
        var headerIndex = 0
        if !csv {
            guard let first = attrLines.first, Int(first.trimmingCharacters(in: .whitespaces)) != nil else {
                throw ImageError(.dataset, "line 1: expected the image count", path: attrPath)
            }
            headerIndex = 1
        }
        guard attrLines.count > headerIndex else { throw ImageError(.dataset, "no attribute names line", path: attrPath) }
        var names = fields(attrLines[headerIndex], csv: csv)
        if csv { names.removeFirst() }  // "image_id"
        guard let maleColumn = names.firstIndex(of: "Male") else {
            throw ImageError(.dataset, "no \"Male\" attribute among \(names.count) names", path: attrPath)
        }
        for (n, line) in attrLines.enumerated().dropFirst(headerIndex + 1) {
            let f = fields(line, csv: csv)
            if f.isEmpty { continue }
            guard f.count == names.count + 1 else {
                throw ImageError(.dataset, "line \(n + 1): \(f.count - 1) values for \(names.count) attributes", path: attrPath)
            }
            switch f[maleColumn + 1] {
            case "1": male[f[0]] = true
            case "-1": male[f[0]] = false
            case let v: throw ImageError(.dataset, "line \(n + 1): Male is \"\(v)\", expected 1 or -1", path: attrPath)
            }
        }

        var items: [LabeledImage] = []
        let partLines = try lines(of: partPath)
        for (n, line) in partLines.enumerated() {
            let f = fields(line, csv: partPath.hasSuffix(".csv"))
            if f.isEmpty || (n == 0 && f.first == "image_id") { continue }
            guard f.count == 2, let p = Int(f[1]), (0...2).contains(p) else {
                throw ImageError(.dataset, "line \(n + 1): expected \"NAME 0|1|2\", got \"\(line)\"", path: partPath)
            }
            guard p == partition else { continue }
            guard let isMale = male[f[0]] else {
                throw ImageError(.dataset, "line \(n + 1): \(f[0]) is not in \(attrPath)", path: partPath)
            }
            items.append(LabeledImage(path: join(imageDir, f[0]), label: isMale ? 1 : 0))
        }
        guard !items.isEmpty else {
            throw ImageError(.dataset, "no images in partition \(partition)", path: partPath)
        }
        return ImageDataset(classes: genderClasses, items: items)
    }

    static func firstExisting(_ paths: [String]) throws -> String {
        if let p = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) { return p }
        throw ImageError(.unreadable, "missing (also looked for \(paths.dropFirst().joined(separator: ", ")))", path: paths[0])
    }

    static func lines(of path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError(.unreadable, "cannot read the file", path: path)
        }
        return String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
    }

    static func fields(_ line: Substring, csv: Bool) -> [String] { fields(String(line), csv: csv) }

    static func fields(_ line: String, csv: Bool) -> [String] {
        if csv { return line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
}
