/// Hand-assembled TFLite flatbuffers for tests that need a graph the fixtures do not have
/// (several inputs and outputs). A forward writer: every table is preceded by its vtable and
/// followed by its children, so every offset points forward as the format requires.
enum TinyModel {
    indirect enum Node {
        /// A table; element `k` is field slot `k` (nil = absent).
        case table([Field?])
        case int32s([Int32])
        case tables([Node])
        case string(String)
    }

    enum Field {
        case u8(UInt8)
        case i32(Int32)
        case u32(UInt32)
        case node(Node)
    }

    /// A model with two int32 inputs of shape [1, 4] (tensors 0, 1) and two outputs:
    /// output 0 is tensor 3 = input 0 - input 1 (SUB), output 1 is tensor 2 = input 0 + input 1 (ADD).
    static func addAndSubtract() -> [UInt8] {
        func tensor(_ name: String) -> Node {
            .table([.node(.int32s([1, 4])), .u8(2 /* INT32 */), .u32(0), .node(.string(name))])
        }
        func opcode(_ builtin: Int32) -> Node { .table([.u8(UInt8(builtin)), nil, .i32(1), .i32(builtin)]) }
        func op(_ opcode: UInt32, _ inputs: [Int32], _ outputs: [Int32]) -> Node {
            .table([.u32(opcode), .node(.int32s(inputs)), .node(.int32s(outputs))])
        }
        let subgraph = Node.table([
            .node(.tables([tensor("a"), tensor("b"), tensor("sum"), tensor("difference")])),
            .node(.int32s([0, 1])),
            .node(.int32s([3, 2])),
            .node(.tables([op(0, [0, 1], [2]), op(1, [0, 1], [3])])),
        ])
        let model = Node.table([
            .u32(3),
            .node(.tables([opcode(0 /* ADD */), opcode(41 /* SUB */)])),
            .node(.tables([subgraph])),
            .node(.string("two inputs, two outputs")),
            .node(.tables([.table([])])),
        ])
        var out: [UInt8] = [0, 0, 0, 0] + Array("TFL3".utf8)
        let root = place(model, into: &out)
        patch(&out, at: 0, UInt32(root))
        return out
    }

    /// Writes `node` at the end of `out` (4-byte aligned) and returns where the object starts
    /// (for a table: the table itself, after its vtable).
    static func place(_ node: Node, into out: inout [UInt8]) -> Int {
        while out.count % 4 != 0 { out.append(0) }
        switch node {
        case .int32s(let values):
            let start = out.count
            append(&out, UInt32(values.count))
            for v in values { append(&out, UInt32(bitPattern: v)) }
            return start
        case .string(let s):
            let start = out.count
            append(&out, UInt32(s.utf8.count))
            out += Array(s.utf8) + [0]
            return start
        case .tables(let items):
            let start = out.count
            append(&out, UInt32(items.count))
            out += [UInt8](repeating: 0, count: 4 * items.count)
            for (k, item) in items.enumerated() {
                let target = place(item, into: &out)
                patch(&out, at: start + 4 + 4 * k, UInt32(target - (start + 4 + 4 * k)))
            }
            return start
        case .table(let fields):
            // vtable: its size, the table's inline size, one 16-bit offset per slot (0 = absent);
            // every present field takes 4 inline bytes after the 4-byte vtable offset.
            let vtable = out.count
            var offsets: [UInt16] = []
            var next: UInt16 = 4
            for f in fields {
                if f == nil { offsets.append(0) } else { offsets.append(next); next += 4 }
            }
            append16(&out, UInt16(4 + 2 * fields.count))
            append16(&out, next)
            for o in offsets { append16(&out, o) }
            while out.count % 4 != 0 { out.append(0) }
            let table = out.count
            append(&out, UInt32(table - vtable))  // soffset: vtable = table - soffset
            var children: [(Int, Node)] = []
            for f in fields {
                switch f {
                case nil: break
                case .u8(let v): out += [v, 0, 0, 0]
                case .i32(let v): append(&out, UInt32(bitPattern: v))
                case .u32(let v): append(&out, v)
                case .node(let child):
                    children.append((out.count, child))
                    append(&out, 0)
                }
            }
            for (field, child) in children {
                let target = place(child, into: &out)
                patch(&out, at: field, UInt32(target - field))
            }
            return table
        }
    }

    static func append(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
    }

    static func append16(_ out: inout [UInt8], _ v: UInt16) {
        out += [UInt8(v & 0xFF), UInt8(v >> 8)]
    }

    static func patch(_ out: inout [UInt8], at position: Int, _ v: UInt32) {
        for k in 0..<4 { out[position + k] = UInt8(v >> (8 * UInt32(k)) & 0xFF) }
    }
}
