import MoteModel

/// Pairs the operators of an int8 model with those of the float model it was quantized from.
///
/// Tensor indices differ between the two files, and the int8 file may have QUANTIZE and
/// DEQUANTIZE operators (at a float boundary) that the float file lacks, and vice versa
/// (DEQUANTIZE of fp16 weights). The rule:
/// 1. from each model, keep the operators that compute something, i.e. drop QUANTIZE and
///    DEQUANTIZE, in execution order;
/// 2. align the two sequences of operator names (CONV_2D, MAX_POOL_2D, ...) by a longest common
///    subsequence, preferring, among equally long alignments, the one that pairs operators at
///    the earliest positions (so equal sequences pair one to one, index by index);
/// 3. pair the outputs of aligned operators by output position; compare a pair when the int8
///    output is an int8 tensor with per-tensor quantization, the float output is float32, and
///    their element counts agree.
/// Names are a cross-check only: `namesAgree` says whether the short names match (converters
/// rename tensors, so a disagreement is reported, never used to re-pair). Everything left over is
/// listed in `unmatched` with the reason.
public struct LayerMatcher {
    /// The compared pairs, in the int8 model's execution order.
    public private(set) var matches: [LayerMatch] = []
    /// Operators of either model left out, with the reason.
    public private(set) var unmatched: [UnmatchedLayer] = []

    /// Operators that only move a tensor across the int8/float boundary.
    public static let boundaryOps: Set<String> = ["QUANTIZE", "DEQUANTIZE"]

    /// Pairs the operators of `q` (int8) with those of `f` (float) by the rule above.
    public init(int8 q: TFLiteModel, float f: TFLiteModel) {
        let qs = ModelSummary(q), fs = ModelSummary(f)
        let qOps = qs.operators.filter { !LayerMatcher.boundaryOps.contains($0.opName) }
        let fOps = fs.operators.filter { !LayerMatcher.boundaryOps.contains($0.opName) }
        for op in qs.operators where LayerMatcher.boundaryOps.contains(op.opName) {
            unmatched.append(UnmatchedLayer(model: "int8", operatorIndex: op.index, opName: op.opName, reason: "boundary operator (int8 <-> float), nothing to compare"))
        }
        for op in fs.operators where LayerMatcher.boundaryOps.contains(op.opName) {
            unmatched.append(UnmatchedLayer(model: "float", operatorIndex: op.index, opName: op.opName, reason: "boundary operator, nothing to compare"))
        }
        let pairs = LayerMatcher.align(qOps.map(\.opName), fOps.map(\.opName))
        var pairedQ = Set<Int>(), pairedF = Set<Int>()
        for (i, j) in pairs {
            let a = qOps[i], b = fOps[j]
            pairedQ.insert(i)
            pairedF.insert(j)
            for (k, out) in a.outputs.enumerated() {
                guard k < b.outputs.count else {
                    unmatched.append(UnmatchedLayer(model: "int8", operatorIndex: a.index, opName: a.opName, reason: "output \(k) has no float counterpart"))
                    continue
                }
                let fo = b.outputs[k]
                guard out.type == .int8, let qp = out.quantization, qp.scale.count == 1 else {
                    // int32 shape tensors (SHAPE, STRIDED_SLICE) carry no quantization error.
                    continue
                }
                guard fo.type == .float32 else {
                    unmatched.append(UnmatchedLayer(model: "int8", operatorIndex: a.index, opName: a.opName,
                                                    reason: "output \(k): float counterpart #\(b.index) is \(fo.type.map { "\($0)" } ?? "missing"), not float32"))
                    continue
                }
                let qn = out.shape.reduce(1) { $0 * max($1, 0) }, fn = fo.shape.reduce(1) { $0 * max($1, 0) }
                guard qn == fn else {
                    unmatched.append(UnmatchedLayer(model: "int8", operatorIndex: a.index, opName: a.opName,
                                                    reason: "output \(k) has \(qn) elements, float #\(b.index) has \(fn)"))
                    continue
                }
                let qName = LayerMatcher.shortName(out.name), fName = LayerMatcher.shortName(fo.name)
                matches.append(LayerMatch(int8Operator: a.index, int8Output: k, int8Tensor: out.index,
                                          floatOperator: b.index, floatOutput: k, floatTensor: fo.index,
                                          opName: a.opName, name: qName.isEmpty ? "\(a.opName.lowercased())_\(a.index)" : qName,
                                          int8TensorName: out.name, floatTensorName: fo.name, namesAgree: qName == fName,
                                          shape: out.shape, macs: a.macs))
            }
        }
        for (i, op) in qOps.enumerated() where !pairedQ.contains(i) {
            unmatched.append(UnmatchedLayer(model: "int8", operatorIndex: op.index, opName: op.opName, reason: "no float operator aligns with it"))
        }
        for (j, op) in fOps.enumerated() where !pairedF.contains(j) {
            unmatched.append(UnmatchedLayer(model: "float", operatorIndex: op.index, opName: op.opName, reason: "no int8 operator aligns with it"))
        }
        unmatched.sort { ($0.model, $0.operatorIndex) < ($1.model, $1.operatorIndex) }
    }

    /// Longest common subsequence of `a` and `b` as index pairs, in order; ties go to the
    /// earliest positions.
    static func align(_ a: [String], _ b: [String]) -> [(Int, Int)] {
        let n = a.count, m = b.count
        // suffix[i][j] = LCS length of a[i...] and b[j...]: walking forward greedily takes the
        // earliest pairs among the longest alignments.
        var suffix = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    suffix[i][j] = a[i] == b[j] ? suffix[i + 1][j + 1] + 1 : max(suffix[i + 1][j], suffix[i][j + 1])
                }
            }
        }
        var pairs: [(Int, Int)] = []
        var i = 0, j = 0
        while i < n && j < m {
            if a[i] == b[j] && suffix[i][j] == suffix[i + 1][j + 1] + 1 {
                pairs.append((i, j)); i += 1; j += 1
            } else if suffix[i + 1][j] >= suffix[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return pairs
    }

    /// A layer's short name from a converter's tensor name: the first `;`-separated part,
    /// without a `:N` suffix; of its `/`-separated path, the component before the last (the
    /// Keras layer: `seed_1/conv2d_1/Relu` gives `conv2d_1`), or the whole name when it has no
    /// `/`. Empty for an empty name.
    public static func shortName(_ name: String) -> String {
        var first = String(name.split(separator: ";", omittingEmptySubsequences: false).first ?? "")
        if let colon = first.lastIndex(of: ":"), first[first.index(after: colon)...].allSatisfy(\.isNumber) {
            first = String(first[..<colon])
        }
        let parts = first.split(separator: "/").map(String.init)
        return parts.count >= 2 ? parts[parts.count - 2] : (parts.first ?? "")
    }
}
