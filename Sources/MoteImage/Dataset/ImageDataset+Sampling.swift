extension ImageDataset {
    /// The items in a seeded random order (Fisher–Yates with `SplitMix64(seed:)`).
    public func shuffled(seed: UInt64) -> ImageDataset {
        var rng = SplitMix64(seed: seed)
        return with(items: ImageDataset.shuffle(items, &rng))
    }

    /// A seeded, stratified split: in each class, `round(valFraction × class count)` items drawn
    /// at random go to `val`, the rest to `train`; both keep the dataset's order.
    /// `valFraction` must be in [0, 1].
    public func split(valFraction: Double, seed: UInt64) throws -> (train: ImageDataset, val: ImageDataset) {
        guard valFraction >= 0, valFraction <= 1 else {
            throw ImageError(.invalidArgument, "valFraction must be in [0, 1], not \(valFraction)")
        }
        var rng = SplitMix64(seed: seed)
        var inVal = [Bool](repeating: false, count: items.count)
        for members in indicesByClass() {
            let take = Int((valFraction * Double(members.count)).rounded())
            for i in ImageDataset.shuffle(members, &rng).prefix(take) { inVal[i] = true }
        }
        let train = items.indices.filter { !inVal[$0] }.map { items[$0] }
        let val = items.indices.filter { inVal[$0] }.map { items[$0] }
        return (with(items: train), with(items: val))
    }

    /// A seeded, class-balanced draw without replacement of `min(count, self.count)` items (the
    /// quantizer's calibration set): each class gets `count / classes` items, the remainder going
    /// to the first classes; a class with too few items gives all it has and the shortfall is
    /// drawn from the classes that still have items, in class order. Within a class the draw is a
    /// `SplitMix64(seed:)` shuffle. The result interleaves classes (class 0, 1, …, 0, 1, …) so any
    /// prefix is balanced too.
    public func balancedSample(count: Int, seed: UInt64) -> ImageDataset {
        var rng = SplitMix64(seed: seed)
        let pools = indicesByClass().map { ImageDataset.shuffle($0, &rng) }
        let k = pools.count
        guard k > 0, count > 0 else { return with(items: []) }
        let target = min(count, items.count)
        var quota = (0..<k).map { target / k + ($0 < target % k ? 1 : 0) }
        // Move the quota a small class cannot fill to the classes that can, until it fits.
        var spare = 0
        for c in 0..<k where quota[c] > pools[c].count { spare += quota[c] - pools[c].count; quota[c] = pools[c].count }
        while spare > 0 {
            var moved = false
            for c in 0..<k where spare > 0 && quota[c] < pools[c].count { quota[c] += 1; spare -= 1; moved = true }
            if !moved { break }
        }
        var chosen: [LabeledImage] = []
        chosen.reserveCapacity(target)
        for round in 0..<(quota.max() ?? 0) {
            for c in 0..<k where round < quota[c] { chosen.append(items[pools[c][round]]) }
        }
        return with(items: chosen)
    }

    /// Item indices of each class, in dataset order, indexed by label.
    func indicesByClass() -> [[Int]] {
        var result = [[Int]](repeating: [], count: classes.count)
        for (i, item) in items.enumerated() where item.label >= 0 && item.label < classes.count { result[item.label].append(i) }
        return result
    }

    /// Fisher–Yates from the last element down, j uniform in 0...i.
    static func shuffle<T>(_ array: [T], _ rng: inout SplitMix64) -> [T] {
        var a = array
        var i = a.count - 1
        while i > 0 {
            let j = rng.below(i + 1)
            a.swapAt(i, j)
            i -= 1
        }
        return a
    }
}
