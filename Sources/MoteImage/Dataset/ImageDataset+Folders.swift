import Foundation

extension ImageDataset {
    /// File extensions listed as images (compared case-insensitively), as Keras'
    /// `flow_from_directory` white-lists them. Only JPEG decodes; other formats are listed so that
    /// decoding reports them instead of silently dropping them.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "jpe", "jfif", "png", "bmp", "gif", "ppm", "tif", "tiff", "webp"]

    /// The labeled folder `dir/CLASS/FILE` (Keras' convention): classes are the sub-folders, sorted
    /// by name (byte order), and the class index is the sorted position; files of each class
    /// sorted by name, items class by class. Hidden entries (names starting with ".") are skipped
    /// silently; files without an image extension and files outside the class folders go to
    /// `ignored`. Sub-folders of a class folder are not descended into (like Keras without
    /// `follow_links`). Throws when `dir` is missing, is not a folder, has no class folders, or
    /// holds no image at all.
    public static func labeledFolder(_ dir: String) throws -> ImageDataset {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir) else {
            throw ImageError(.unreadable, "no such folder", path: dir)
        }
        guard isDir.boolValue else { throw ImageError(.dataset, "not a folder (expected DIR/CLASS/*.jpg)", path: dir) }
        let entries: [String]
        do { entries = try fm.contentsOfDirectory(atPath: dir) } catch {
            throw ImageError(.unreadable, "cannot list the folder (\(error.localizedDescription))", path: dir)
        }
        var classes: [String] = []
        var ignored: [IgnoredFile] = []
        for name in entries.sorted(by: byteOrder) where !name.hasPrefix(".") {
            let path = join(dir, name)
            var sub: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &sub), sub.boolValue {
                classes.append(name)
            } else {
                ignored.append(IgnoredFile(path: path, reason: "not inside a class folder"))
            }
        }
        guard !classes.isEmpty else {
            throw ImageError(.dataset, "no class folders (expected DIR/CLASS/*.jpg)", path: dir)
        }
        var items: [LabeledImage] = []
        for (label, name) in classes.enumerated() {
            let classDir = join(dir, name)
            let files: [String]
            do { files = try fm.contentsOfDirectory(atPath: classDir) } catch {
                throw ImageError(.unreadable, "cannot list the class folder (\(error.localizedDescription))", path: classDir)
            }
            for file in files.sorted(by: byteOrder) where !file.hasPrefix(".") {
                let path = join(classDir, file)
                var sub: ObjCBool = false
                if fm.fileExists(atPath: path, isDirectory: &sub), sub.boolValue {
                    ignored.append(IgnoredFile(path: path, reason: "folder inside a class folder (not searched)"))
                } else if imageExtensions.contains(fileExtension(file)) {
                    items.append(LabeledImage(path: path, label: label))
                } else {
                    ignored.append(IgnoredFile(path: path, reason: "not an image file name (extension)"))
                }
            }
        }
        guard !items.isEmpty else {
            throw ImageError(.dataset, "no image files in the class folders \(classes.joined(separator: ", "))", path: dir)
        }
        return ImageDataset(classes: classes, items: items, ignored: ignored)
    }

    /// `root/train` and `root/val`, both labeled folders with the same classes (else an error
    /// naming both lists, since the class indices would disagree).
    public static func trainVal(root: String) throws -> (train: ImageDataset, val: ImageDataset) {
        let train = try labeledFolder(join(root, "train"))
        let val = try labeledFolder(join(root, "val"))
        guard train.classes == val.classes else {
            throw ImageError(.dataset, "train classes [\(train.classes.joined(separator: ", "))] differ from val classes [\(val.classes.joined(separator: ", "))]", path: root)
        }
        return (train, val)
    }

    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    /// Byte-wise (UTF-8) name order, the same on every platform and locale (Python's `sorted`).
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
