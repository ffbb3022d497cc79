/// Where `mote simulate` runs a model.
public enum SimulationTarget: String, CaseIterable, Codable, Sendable {
    /// MoteCore in-process on this machine.
    case host
    /// Embedded Swift firmware on a Cortex-M4 (`qemu-system-arm -M mps2-an386`).
    case cortexM4 = "cortex-m4"
    /// A static aarch64 Linux program under `qemu-aarch64`.
    case aarch64Linux = "aarch64-linux"

    /// The QEMU program the target needs, nil for the host.
    public var emulator: String? {
        switch self {
        case .host: return nil
        case .cortexM4: return "qemu-system-arm"
        case .aarch64Linux: return "qemu-aarch64"
        }
    }

    /// The Debian package that provides `emulator`.
    public var emulatorPackage: String? {
        switch self {
        case .host: return nil
        case .cortexM4: return "qemu-system-arm"
        case .aarch64Linux: return "qemu-user"
        }
    }
}
