import Foundation

extension ImageDataset {
    /// UTKFace for gender: the JPEG files of `dir` named `AGE_GENDER_RACE_DATE.jpg` (also the
    /// original `…jpg.chip.jpg`), gender 0 = male → "male" (1), 1 = female → "female" (0), classes
    /// `genderClasses`. Files sorted by name. Names that do not parse (AGE not an integer in
    /// 0...150, GENDER not 0 or 1, fewer than three fields) go to `ignored` with the reason, as do
    /// non-image files. Throws when `dir` is missing or yields no image.
    public static func utkFace(dir: String) throws -> ImageDataset {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw ImageError(.unreadable, "no such folder", path: dir)
        }
        let files: [String]
        do { files = try fm.contentsOfDirectory(atPath: dir) } catch {
            throw ImageError(.unreadable, "cannot list the folder (\(error.localizedDescription))", path: dir)
        }
        var items: [LabeledImage] = []
        var ignored: [IgnoredFile] = []
        for name in files.sorted(by: byteOrder) where !name.hasPrefix(".") {
            let path = join(dir, name)
            guard imageExtensions.contains(fileExtension(name)) else {
                ignored.append(IgnoredFile(path: path, reason: "not an image file name (extension)"))
                continue
            }
            switch utkGender(name) {
            case .success(let isMale): items.append(LabeledImage(path: path, label: isMale ? 1 : 0))
            case .failure(let reason): ignored.append(IgnoredFile(path: path, reason: reason.message))
            }
        }
        guard !items.isEmpty else {
            throw ImageError(.dataset, "no UTKFace images (AGE_GENDER_RACE_DATE.jpg); \(ignored.count) files ignored", path: dir)
        }
        return ImageDataset(classes: genderClasses, items: items, ignored: ignored)
    }

    /// Parses a UTKFace name: true for male (gender field 0), false for female (1).
    static func utkGender(_ name: String) -> Result<Bool, ImageError> {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count >= 3 else {
            return .failure(ImageError(.dataset, "malformed UTKFace name (expected AGE_GENDER_RACE_DATE.jpg)"))
        }
        guard let age = Int(parts[0]), (0...150).contains(age) else {
            return .failure(ImageError(.dataset, "malformed UTKFace name: age \"\(parts[0])\" is not an integer in 0...150"))
        }
        switch parts[1] {
        case "0": return .success(true)
        case "1": return .success(false)
        default: return .failure(ImageError(.dataset, "malformed UTKFace name: gender \"\(parts[1])\" is not 0 (male) or 1 (female)"))
        }
    }
}
