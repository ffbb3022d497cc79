import MoteCore

/// Typed reads of an options table's fields, for the typed `BuiltinOptions` values. A field
/// that the typed value cannot hold (an undefined enum value, a bool other than 0 or 1, a slot
/// beyond the schema's) throws `Unrepresentable`, and the table is kept as `GenericOptions`.
struct OptionsReader {
    /// The table does not fit its typed value.
    struct Unrepresentable: Error {}

    /// The table, or nil when the union type is set but the table is absent (all defaults).
    let table: FBTable?

    /// A reader that returns every field's default.
    static let absent = OptionsReader(table: nil)

    /// Throws `Unrepresentable` when a slot at or beyond `count` is present.
    func requireSlots(_ count: Int) throws {
        guard let t = table else { return }
        if TableLayout(t).presentFields.contains(where: { $0.slot >= count }) { throw Unrepresentable() }
    }

    private func offset(_ slot: Int, _ size: Int) throws -> Int? {
        guard let t = table, t.has(slot) else { return nil }
        guard let o = t.field(slot, size: size) else {
            throw TFLiteModelError.malformed("options field \(slot) lies outside its table")
        }
        return o
    }

    func int(_ slot: Int, _ d: Int) throws -> Int {
        guard let o = try offset(slot, 4) else { return d }
        return Int(table!.buffer.i32(o))
    }

    func bool(_ slot: Int, _ d: Bool) throws -> Bool {
        guard let o = try offset(slot, 1) else { return d }
        switch table!.buffer.u8(o) {
        case 0: return false
        case 1: return true
        default: throw Unrepresentable()
        }
    }

    func float(_ slot: Int, _ d: Float) throws -> Float {
        guard let o = try offset(slot, 4) else { return d }
        return table!.buffer.f32(o)
    }

    func enumeration<E: RawRepresentable>(_ slot: Int, _ d: E) throws -> E where E.RawValue == Int8 {
        guard let o = try offset(slot, 1) else { return d }
        guard let e = E(rawValue: table!.buffer.i8(o)) else { throw Unrepresentable() }
        return e
    }

    func tensorType(_ slot: Int, _ d: TensorType) throws -> TensorType {
        guard let o = try offset(slot, 1) else { return d }
        guard let e = TensorType(rawValue: table!.buffer.u8(o)) else { throw Unrepresentable() }
        return e
    }

    func optionalIntVector(_ slot: Int) throws -> [Int]? {
        guard let t = table, t.has(slot) else { return nil }
        guard let v = t.vector(slot, elementSize: 4) else {
            throw TFLiteModelError.malformed("options vector field \(slot) out of bounds")
        }
        return (0..<v.count).map { Int(v.i32($0)) }
    }

    func intVector(_ slot: Int) throws -> [Int] { try optionalIntVector(slot) ?? [] }
}
