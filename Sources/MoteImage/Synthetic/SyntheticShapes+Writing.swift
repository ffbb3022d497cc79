import Foundation

extension SyntheticShapes {
    /// How many images were written where, by `writeDataset`.
    public struct WrittenDataset: Sendable {
        public var root: String
        public var train: Int
        public var val: Int
    }

    /// Writes the dataset as a labeled folder tree, `ROOT/train/CLASS/NNNNN.jpg` and
    /// `ROOT/val/CLASS/NNNNN.jpg` (JPEG quality 92), images `0..<train` and `train..<train+val`.
    /// The tree is built beside `root` and renamed into place, so an interrupted run never
    /// leaves a half-written dataset behind; an existing `root` is replaced.
    /// Rendering and compression run on `threads` threads; the files do not depend on them.
    public func writeDataset(root: String, train: Int, val: Int, threads: Int = 2,
                             progress: ((Int, Int) -> Void)? = nil) throws -> WrittenDataset {
        precondition(train >= 0 && val >= 0, "SyntheticShapes: negative image count")
        let fm = FileManager.default
        let staging = root + ".partial-\(getpid())"
        try? fm.removeItem(atPath: staging)
        for split in ["train", "val"] {
            for name in Self.classes {
                try fm.createDirectory(atPath: "\(staging)/\(split)/\(name)", withIntermediateDirectories: true)
            }
        }
        let total = train + val
        let lock = NSLock()
        var done = 0
        var failure: Error?
        let workers = max(1, min(threads, 8))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < total {
                let split = index < train ? "train" : "val"
                let path = "\(staging)/\(split)/\(Self.classes[label(of: index)])/\(String(format: "%05d", index)).jpg"
                do {
                    let jpeg = try JPEG.encode(samples: render(index), width: width, height: height, components: 3, quality: 92)
                    try Data(jpeg).write(to: URL(fileURLWithPath: path))
                } catch {
                    lock.lock(); failure = failure ?? error; lock.unlock()
                    return
                }
                lock.lock()
                done += 1
                let count = done
                lock.unlock()
                if worker == 0 { progress?(count, total) }
                index += workers
            }
        }
        if let failure {
            try? fm.removeItem(atPath: staging)
            throw failure
        }
        progress?(total, total)
        if fm.fileExists(atPath: root) { try fm.removeItem(atPath: root) }
        try fm.moveItem(atPath: staging, toPath: root)
        return WrittenDataset(root: root, train: train, val: val)
    }
}
