// PLACEHOLDER: replaced by the real kernel in this session.
public enum LogisticKernel: OperatorKernel {
    public struct Params {}
    public static var maxVersion: Int32 { 0 }
    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        throw ctx.error(.unsupportedOperator, "not implemented yet")
    }
    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {}
}
