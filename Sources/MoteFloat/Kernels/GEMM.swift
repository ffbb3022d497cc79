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

    /// The number of threads OpenBLAS uses for one multiply. Callers that parallelize across
    /// images themselves set this to 1 so the two levels do not oversubscribe the cores.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
