import XCTest
import MoteImage

/// Dataset listings on temporary folders made here: the Keras labeled-folder convention, train/val,
/// CelebA's list files, UTKFace names, seeded shuffles, splits and balanced samples.
final class DatasetTests: XCTestCase {
    private func touch(_ url: URL, _ contents: String = "x") throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    func testLabeledFolderConvention() throws {
        let root = try Fixtures.temporaryFolder(self)
        for name in ["male/b.jpg", "male/a.JPG", "female/z.jpeg", "female/y.jpg", "female/.hidden.jpg", "female/notes.txt", "stray.jpg"] {
            try touch(root.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".cache"), withIntermediateDirectories: true)
        let ds = try ImageDataset.labeledFolder(root.path)
        XCTAssertEqual(ds.classes, ["female", "male"])
        XCTAssertEqual(ds.items.map { ($0.path as NSString).lastPathComponent }, ["y.jpg", "z.jpeg", "a.JPG", "b.jpg"])
        XCTAssertEqual(ds.items.map(\.label), [0, 0, 1, 1])
        XCTAssertEqual(ds.classCounts, [2, 2])
        XCTAssertEqual(Set(ds.ignored.map { ($0.path as NSString).lastPathComponent }), ["notes.txt", "stray.jpg"])
    }

    func testLabeledFolderErrors() throws {
        let root = try Fixtures.temporaryFolder(self)
        XCTAssertThrowsError(try ImageDataset.labeledFolder(root.appendingPathComponent("missing").path)) { error in
            XCTAssertTrue("\(error)".hasSuffix("missing: no such folder"), "\(error)")
        }
        XCTAssertThrowsError(try ImageDataset.labeledFolder(root.path)) { error in
            XCTAssertTrue("\(error)".contains("no class folders"), "\(error)")
        }
        try touch(root.appendingPathComponent("cats/readme.txt"))
        XCTAssertThrowsError(try ImageDataset.labeledFolder(root.path)) { error in
            XCTAssertTrue("\(error)".contains("no image files"), "\(error)")
        }
    }

    func testTrainValRequiresTheSameClasses() throws {
        let root = try Fixtures.temporaryFolder(self)
        for name in ["train/a/1.jpg", "train/b/2.jpg", "val/a/3.jpg", "val/b/4.jpg"] { try touch(root.appendingPathComponent(name)) }
        let (train, val) = try ImageDataset.trainVal(root: root.path)
        XCTAssertEqual(train.classes, ["a", "b"]); XCTAssertEqual(val.count, 2)
        try touch(root.appendingPathComponent("val/c/5.jpg"))
        XCTAssertThrowsError(try ImageDataset.trainVal(root: root.path)) { error in
            XCTAssertTrue("\(error)".contains("differ"), "\(error)")
        }
    }

    func testCelebAListFiles() throws {
        let root = try Fixtures.temporaryFolder(self)
        try touch(root.appendingPathComponent("list_attr_celeba.txt"), """
        4
        5_o_Clock_Shadow Arched_Eyebrows Male Young
        000001.jpg -1  1 -1 1
        000002.jpg -1 -1  1 1
        000003.jpg  1 -1  1 -1
        000004.jpg -1  1 -1 1

        """)
        try touch(root.appendingPathComponent("list_eval_partition.txt"), "000001.jpg 0\n000002.jpg 0\n000003.jpg 1\n000004.jpg 2\n")
        let train = try ImageDataset.celebA(root: root.path, partition: 0)
        XCTAssertEqual(train.classes, ["female", "male"])
        XCTAssertEqual(train.items.map(\.label), [0, 1])
        XCTAssertTrue(train.items[0].path.hasSuffix("img_align_celeba/000001.jpg"))
        XCTAssertEqual(try ImageDataset.celebA(root: root.path, partition: 1).items.map(\.label), [1])
        XCTAssertEqual(try ImageDataset.celebA(root: root.path, partition: 2).items.map(\.label), [0])
        // Malformed lines are errors naming the line.
        try touch(root.appendingPathComponent("list_eval_partition.txt"), "000001.jpg 0\n000002.jpg seven\n")
        XCTAssertThrowsError(try ImageDataset.celebA(root: root.path, partition: 0)) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
        try touch(root.appendingPathComponent("list_eval_partition.txt"), "000009.jpg 0\n")
        XCTAssertThrowsError(try ImageDataset.celebA(root: root.path, partition: 0)) { error in
            XCTAssertTrue("\(error)".contains("000009.jpg is not in"), "\(error)")
        }
    }

    func testCelebAKaggleCSV() throws {
        let root = try Fixtures.temporaryFolder(self)
        try touch(root.appendingPathComponent("list_attr_celeba.csv"), "image_id,Bald,Male\n000001.jpg,-1,1\n000002.jpg,1,-1\n")
        try touch(root.appendingPathComponent("list_eval_partition.csv"), "image_id,partition\n000001.jpg,0\n000002.jpg,0\n")
        XCTAssertEqual(try ImageDataset.celebA(root: root.path, partition: 0).items.map(\.label), [1, 0])
    }

    func testUTKFaceNames() throws {
        let root = try Fixtures.temporaryFolder(self)
        for name in ["25_0_1_20170116.jpg", "3_1_2_20161219.jpg.chip.jpg", "61_1_0.jpg", "x_0_1_2017.jpg", "30_2_1_2017.jpg", "40.jpg", "list.txt"] {
            try touch(root.appendingPathComponent(name))
        }
        let ds = try ImageDataset.utkFace(dir: root.path)
        XCTAssertEqual(ds.classes, ["female", "male"])
        XCTAssertEqual(ds.items.map { ($0.path as NSString).lastPathComponent }, ["25_0_1_20170116.jpg", "3_1_2_20161219.jpg.chip.jpg", "61_1_0.jpg"])
        XCTAssertEqual(ds.items.map(\.label), [1, 0, 0])  // gender 0 = male = class 1
        let reasons = Dictionary(uniqueKeysWithValues: ds.ignored.map { (($0.path as NSString).lastPathComponent, $0.reason) })
        XCTAssertEqual(reasons.count, 4)
        XCTAssertTrue(reasons["x_0_1_2017.jpg"]!.contains("age"))
        XCTAssertTrue(reasons["30_2_1_2017.jpg"]!.contains("gender"))
        XCTAssertTrue(reasons["40.jpg"]!.contains("malformed"))
    }

    private func synthetic(_ counts: [Int]) -> ImageDataset {
        var items: [LabeledImage] = []
        for (label, n) in counts.enumerated() { for i in 0..<n { items.append(LabeledImage(path: "c\(label)/\(i).jpg", label: label)) } }
        return ImageDataset(classes: counts.indices.map { "c\($0)" }, items: items)
    }

    func testShuffleIsASeededPermutation() {
        let ds = synthetic([50, 30])
        let a = ds.shuffled(seed: 1), b = ds.shuffled(seed: 1), c = ds.shuffled(seed: 2)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.items, c.items)
        XCTAssertNotEqual(a.items, ds.items)
        XCTAssertEqual(Set(a.items), Set(ds.items))
    }

    func testSplitIsStratifiedAndSeeded() throws {
        let ds = synthetic([100, 41])
        let (train, val) = try ds.split(valFraction: 0.2, seed: 3)
        XCTAssertEqual(val.classCounts, [20, 8])  // round(0.2·41) = 8
        XCTAssertEqual(train.classCounts, [80, 33])
        XCTAssertTrue(Set(train.items).isDisjoint(with: val.items))
        XCTAssertEqual(try ds.split(valFraction: 0.2, seed: 3).val, val)
        XCTAssertNotEqual(try ds.split(valFraction: 0.2, seed: 4).val, val)
        XCTAssertThrowsError(try ds.split(valFraction: 1.5, seed: 0))
    }

    func testBalancedSample() {
        let ds = synthetic([1000, 300, 40])
        let s = ds.balancedSample(count: 301, seed: 5)
        XCTAssertEqual(s.count, 301)
        XCTAssertEqual(s.classCounts, [131, 130, 40])  // 101/100/100 asked; class 2 has 40, the 120 left go 60/60 to classes 0 and 1 (0 first)
        XCTAssertEqual(Set(s.items).count, 301)
        XCTAssertEqual(s, ds.balancedSample(count: 301, seed: 5))
        XCTAssertNotEqual(s.items, ds.balancedSample(count: 301, seed: 6).items)
        // Interleaved: any prefix is balanced.
        XCTAssertEqual(s.with(items: Array(s.items.prefix(30))).classCounts, [10, 10, 10])
        let two = synthetic([500, 500]).balancedSample(count: 500, seed: 1)
        XCTAssertEqual(two.classCounts, [250, 250])
        XCTAssertEqual(synthetic([3, 2]).balancedSample(count: 100, seed: 1).count, 5)
    }

    /// SplitMix64's published first outputs for seed 0 (the reference C implementation).
    func testSplitMix64ReferenceValues() {
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(rng.next(), 0x06C4_5D18_8009_454F)
    }
}
