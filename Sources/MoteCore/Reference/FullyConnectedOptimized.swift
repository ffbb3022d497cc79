/// The optimized int8 FULLY_CONNECTED: the same bytes as `FullyConnectedReference`. Input
/// rows are dotted with four filter rows per pass, two input rows at a time
/// (`ConvKernels.dotRows`); a single long row (depth 256 or more) goes one filter row at a
/// time. The input offset enters through the folded bias; a per-tensor weights offset (a
/// filter zero point, which TFLite's per-tensor kernel honours) adds
/// `weightsOffset * sum(x + inputOffset)` per row. Requantization uses the single-rounding lanes.
public enum FullyConnectedOptimized {
    /// Scratch bytes `run` needs: two rows of accumulators.
    public static func scratchBytes(_ s: FullyConnectedShape) -> Int? { ConvKernels.scratch(8, s.units) }

    public static func run(_ s: FullyConnectedShape, _ lanes: RequantizationLanes, inputOffset: Int32, weightsOffset: Int32,
                           input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                           scratch: UnsafeMutableRawPointer) {
        let acc = scratch.bindMemory(to: Int32.self, capacity: 2 &* s.units)
        var r = 0
        while r < s.rows {
            // Two rows at a time share each weight load.
            let n = min(2, s.rows &- r)
            let row = input + r &* s.depth
            if n == 1 && s.depth >= 256 && kernelTable.dotRows == nil {
                // One long dot product per unit: the single-reduction loop compiles to
                // multiply-add pairs (vpmaddwd), faster than four reductions at once.
                for u in 0..<s.units { acc[u] = ConvKernels.dot1(row, filter + u &* s.depth, count: s.depth) }
            } else {
                ConvKernels.dotRows(row, n == 2 ? row + s.depth : nil, filter, stride: s.depth, count: s.depth, rows: s.units,
                                    acc, outStride: s.units)
            }
            if weightsOffset != 0 {
                for i in 0..<n {
                    let x = row + i &* s.depth
                    var sum: Int32 = 0
                    for k in 0..<s.depth { sum &+= Int32(x[k]) &+ inputOffset }
                    let extra = weightsOffset &* sum
                    let a = acc + i &* s.units
                    for u in 0..<s.units { a[u] &+= extra }
                }
            }
            ConvKernels.requantize(lanes, acc, accStride: s.units, rows: n, first: 0, count: s.units, out: output + r &* s.units, outStride: s.units)
            r &+= n
        }
    }
}
