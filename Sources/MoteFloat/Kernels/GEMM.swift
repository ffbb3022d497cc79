import COpenBLAS

/// Single-precision matrix multiply on row-major matrices, backed by OpenBLAS's `cblas_sgemm`.
///
/// Computes `C = alpha · op(A) · op(B) + beta · C`, where `op(X)` is `X` or its transpose.
/// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb` and `ldc` are the row
/// strides (in elements) of the matrices as stored. With `beta == 0`, `C` is not read (NaNs in it
/// do not propagate).
public enum GEMM {
    /// Multiplies `op(A) · op(B)` into `C` (see the type's documentation for the exact formula).
    /// The pointers must cover the matrices as described by the dimensions and strides.
    @inlinable
    public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension")
        if m == 0 || n == 0 { return }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }

    /// Matrix-vector multiply on a row-major matrix (`cblas_sgemv`):
    /// `y = alpha · op(A) · x + beta · y`, where `A` is stored `m × n` with row stride `lda`,
    /// `op(A)` is `A` (x has `n` values, y has `m`) or its transpose (x has `m`, y has `n`).
    /// With `beta == 0`, `y` is not read.
    @inlinable
    public static func multiplyVector(
        transposeA: Bool = false, m: Int, n: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
        beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        precondition(m >= 0 && n >= 0, "GEMM: negative dimension")
        if m == 0 || n == 0 {
            // An empty product: y = beta · y, but beta == 0 must not read y.
            let count = transposeA ? n : m
            if beta == 0 { y.update(repeating: 0, count: count) } else { for i in 0..<count { y[i] *= beta } }
            return
        }
        if beta == 0 { y.update(repeating: 0, count: transposeA ? n : m) }
        cblas_sgemv(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
                    alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// The number of threads OpenBLAS uses for one multiply. Callers that parallelize across
    /// images themselves set this to 1 so the two levels do not oversubscribe the cores.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
