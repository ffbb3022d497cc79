import XCTest
@testable import MoteFloat

/// GEMM against a float64 triple loop written here, for every transpose combination,
/// padded row strides, alpha/beta, and beta == 0 ignoring NaNs already in C.
final class GEMMTests: XCTestCase {
    private func reference(_ tA: Bool, _ tB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                           a: [Float], lda: Int, b: [Float], ldb: Int, beta: Double, c: [Float], ldc: Int) -> [Double] {
        var out = [Double](repeating: 0, count: m * ldc)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = tA ? a[p * lda + i] : a[i * lda + p]
                    let bv = tB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(av) * Double(bv)
                }
                let prior = beta == 0 ? 0 : beta * Double(c[i * ldc + j])
                out[i * ldc + j] = alpha * sum + prior
            }
        }
        return out
    }

    func testAllTransposesAgainstFloat64() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 500
        }
        let m = 7, n = 5, k = 9
        for tA in [false, true] {
            for tB in [false, true] {
                let lda = (tA ? m : k) + 3, ldb = (tB ? k : n) + 2, ldc = n + 1
                let a = (0..<((tA ? k : m) * lda)).map { _ in next() }
                let b = (0..<((tB ? n : k) * ldb)).map { _ in next() }
                for beta in [0.0, 0.5] {
                    var c = (0..<(m * ldc)).map { _ in beta == 0 ? Float.nan : next() }
                    let expected = reference(tA, tB, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb,
                                             beta: beta, c: c, ldc: ldc)
                    GEMM.multiply(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 1.5,
                                  a: a, lda: lda, b: b, ldb: ldb, beta: Float(beta), c: &c, ldc: ldc)
                    for i in 0..<m {
                        for j in 0..<n {
                            XCTAssertEqual(Double(c[i * ldc + j]), expected[i * ldc + j], accuracy: 1e-4,
                                           "tA \(tA) tB \(tB) beta \(beta) at (\(i), \(j))")
                        }
                    }
                }
            }
        }
    }
}
