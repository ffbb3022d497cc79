import Foundation
import MoteCore
import MoteModel

/// The int8 parameters chosen for one float activation tensor, with the ranges behind them.
public struct ActivationParameters: Equatable, Sendable {
    /// real = scale × (q − zeroPoint).
    public var scale: Float
    /// In −128...127.
    public var zeroPoint: Int32
    /// The real range the codes cover: `[(−128 − zp)·scale, (127 − zp)·scale]`.
    public var representable: (min: Float, max: Float) {
        (Float(-128 - Int(zeroPoint)) * scale, Float(127 - Int(zeroPoint)) * scale)
    }
    /// Why the range is what it is (`observer`, `fused RELU`, `fixed by LOGISTIC`, ...).
    public var reason: String

    /// Equal scale and zero point (the reason is not compared).
    public static func == (a: Self, b: Self) -> Bool { a.scale == b.scale && a.zeroPoint == b.zeroPoint }
}

/// Chooses the int8 parameters of every float activation tensor from calibration ranges and
/// the int8 spec's constraints:
/// 1. each tensor starts from its observer's range (the model input from the preprocessing
///    when the recipe says so and it is known);
/// 2. a fused activation narrows its output's range to the activation's interval;
/// 3. with `saturation_clipping`, a tensor read only by LOGISTIC (or only by TANH) is clipped to
///    the interval outside which the int8 output no longer changes (plus a 2% margin);
/// 4. tensors that must share parameters (pool, reshape, pad, slice in/out; concatenation and
///    pack inputs and output) are joined and get the union of their ranges, except that a
///    concatenation input whose parameters are fixed (a LOGISTIC output, ...) is given a
///    requantizing QUANTIZE instead;
/// 5. LOGISTIC/SOFTMAX outputs get 1/256, −128 and TANH outputs 1/128, 0, and so does every
///    tensor joined to them.
struct ParameterAssignment {
    var parameters: [Int: ActivationParameters] = [:]
    /// Concatenation/pack inputs that get a QUANTIZE: (operator index, input position).
    var requantized: [(op: Int, position: Int)] = []
    /// The range each tensor was given before joining (for the report).
    var ranges: [Int: (min: Float, max: Float)] = [:]

    /// The real interval beyond which int8 LOGISTIC (output 1/256, −128) or TANH (1/128, 0)
    /// saturates: the output code is `clamp(round(f(x)/s) + zp)`, so it stops changing once
    /// f(x)/s is within half a code of the end.
    static func saturationInterval(_ code: Int32) -> (min: Float, max: Float)? {
        let margin = 1.02
        if code == BuiltinOperator.logistic {
            // 256·σ(x) − 128 ≥ 126.5 ⇔ σ(x) ≥ 254.5/256; ≤ −127.5 ⇔ σ(x) ≤ 0.5/256.
            let hi = log(254.5 / 1.5), lo = log(0.5 / 255.5)
            return (Float(lo * margin), Float(hi * margin))
        }
        if code == BuiltinOperator.tanh {
            // 128·tanh(x) ≥ 126.5; 128·tanh(x) ≤ −127.5.
            let hi = atanh(126.5 / 128), lo = -atanh(127.5 / 128)
            return (Float(lo * margin), Float(hi * margin))
        }
        return nil
    }

    init(model: TFLiteModel, statistics: [Int: TensorStatistics], recipe: CalibrationRecipe,
         inputRange: (min: Float, max: Float)?) {
        let g = model.subgraphs[0]
        let consumers = model.consumers()
        let activations = Self.activationTensors(model)
        var reason: [Int: String] = [:]
        for t in activations {
            ranges[t] = statistics[t]?.observer.range() ?? statistics[t]?.observedRange ?? (0, 0)
            reason[t] = recipe.observer.rawValue
        }
        if let inputRange, recipe.inputRange == .preprocessing {
            for t in g.inputs where activations.contains(t) {
                ranges[t] = inputRange
                reason[t] = "preprocessing"
            }
        }
        for op in g.operators {
            let act = op.builtinOptions.fusedActivation
            guard act != .none, let out = op.outputs.first, let r = ranges[out] else { continue }
            let (lo, hi) = act.outputInterval
            ranges[out] = (max(r.min, lo), min(r.max, hi))
            reason[out] = (reason[out] ?? "") + ", fused \(act)"
        }
        if recipe.saturationClipping {
            for t in activations where !g.outputs.contains(t) && !consumers[t].isEmpty {
                let codes = Set(consumers[t].map { model.builtin(g.operators[$0]) })
                guard codes.count == 1, let code = codes.first, let s = Self.saturationInterval(code), let r = ranges[t] else { continue }
                let clipped = (max(r.min, s.min), min(r.max, s.max))
                if clipped != r {
                    ranges[t] = clipped
                    reason[t] = (reason[t] ?? "") + ", clipped to \(model.opName(g.operators[consumers[t][0]])) saturation"
                }
            }
        }

        var sets = UnionFind(count: g.tensors.count)
        var pinned: [Int: (Float, Int32, String)] = [:]
        for op in g.operators {
            guard case .fixed(let s, let z)? = OperatorRule.of(model.builtin(op)), let out = op.outputs.first else { continue }
            pinned[out] = (s, z, "fixed by \(model.opName(op))")
        }
        func pinnedOf(_ t: Int) -> (Float, Int32, String)? {
            let root = sets.find(t)
            return pinned.first { sets.find($0.key) == root }?.value
        }
        for op in g.operators where OperatorRule.of(model.builtin(op)) == .sameAsInput {
            guard let i = op.inputs.first, let o = op.outputs.first, activations.contains(i), activations.contains(o) else { continue }
            sets.union(i, o)
        }
        for (k, op) in g.operators.enumerated() where OperatorRule.of(model.builtin(op)) == .joined {
            guard let o = op.outputs.first, activations.contains(o) else { continue }
            for (p, i) in op.inputs.enumerated() where i >= 0 && activations.contains(i) {
                if pinnedOf(i) != nil && pinnedOf(o) == nil {
                    requantized.append((k, p))
                } else {
                    sets.union(i, o)
                }
            }
        }
        var groupRange: [Int: (min: Float, max: Float)] = [:]
        for t in activations {
            let root = sets.find(t)
            let r = ranges[t] ?? (0, 0)
            if let u = groupRange[root] { groupRange[root] = (min(u.min, r.min), max(u.max, r.max)) } else { groupRange[root] = r }
        }
        for t in activations {
            if let (s, z, why) = pinnedOf(t) {
                parameters[t] = ActivationParameters(scale: s, zeroPoint: z, reason: why)
            } else {
                let r = groupRange[sets.find(t)]!
                let (s, z) = QuantizationMath.activationParameters(min: r.min, max: r.max)
                let joined = (0..<g.tensors.count).contains { $0 != t && activations.contains($0) && sets.find($0) == sets.find(t) }
                parameters[t] = ActivationParameters(scale: s, zeroPoint: z, reason: (reason[t] ?? "") + (joined ? ", shared" : ""))
            }
        }
    }

    /// The non-constant float32 tensors of subgraph 0 that are graph inputs or operator outputs.
    static func activationTensors(_ model: TFLiteModel) -> Set<Int> {
        let g = model.subgraphs[0]
        var out = Set<Int>()
        for t in g.inputs + g.operators.flatMap(\.outputs) where t >= 0 && t < g.tensors.count {
            if g.tensors[t].type == .float32 && !model.isConstant(t) { out.insert(t) }
        }
        return out
    }
}

/// Disjoint sets of tensor indices (union by size, path halving).
struct UnionFind {
    private var parent: [Int]
    private var size: [Int]
    init(count: Int) { parent = Array(0..<count); size = [Int](repeating: 1, count: count) }
    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
        return x
    }
    mutating func union(_ a: Int, _ b: Int) {
        var ra = find(a), rb = find(b)
        guard ra != rb else { return }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = ra
        size[ra] += size[rb]
    }
}
