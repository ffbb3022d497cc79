import CMoteDSP
import MoteCore

/// x86-64 SIMD versions of MoteCore's int8 inner loops (AVX2, AVX-512 VNNI), chosen for the
/// running CPU and plugged into MoteCore's `kernelTable`. Outputs are byte-identical to the
/// portable Swift loops whatever the variant; only the speed differs.
public enum MoteCoreDSP {
    /// Names of the variants this CPU can run, best first ("avx512vnni", "avx2"); empty on a
    /// CPU with neither, or outside x86-64.
    public static var available: [String] {
        (0..<Int(MOTE_DSP_VARIANTS)).compactMap { v in mote_dsp_variant(Int32(v)).map { String(cString: $0.pointee.name) } }
    }

    /// Fills `kernelTable` with the best variant for this CPU and returns its name:
    /// "avx512vnni", "avx2", or "portable" (the table cleared: MoteCore's Swift loops). The
    /// environment variable `MOTE_KERNELS` caps the choice: `portable`, `avx2` or `avx512vnni`.
    /// Call it before any interpreter is prepared (the table is read without synchronization,
    /// and CONV_2D packs its weights at prepare in the layout of the installed variant; an
    /// interpreter prepared under another table runs those convolutions with the reference
    /// routine: the same bytes, slower).
    @discardableResult
    public static func install() -> String {
        install(mote_dsp_select())
    }

    /// Installs the variant named `name` (one of `available`, or "portable"), ignoring
    /// `MOTE_KERNELS`; returns false, leaving the table as it was, when this CPU cannot run it.
    @discardableResult
    public static func install(variant name: String) -> Bool {
        if name == "portable" {
            install(nil)
            return true
        }
        for v in 0..<Int(MOTE_DSP_VARIANTS) {
            if let k = mote_dsp_variant(Int32(v)), String(cString: k.pointee.name) == name {
                install(k)
                return true
            }
        }
        return false
    }

    /// The variant whose functions are in `kernelTable` now ("portable" when none).
    public private(set) static var installed = "portable"

    @discardableResult
    private static func install(_ kernels: UnsafePointer<mote_dsp_kernels>?) -> String {
        var table = KernelTable()
        if let k = kernels?.pointee {
            table.dotRows = k.dot_rows
            table.panel4 = k.panel4
            table.depthwiseRun = k.dw_run
            table.depthwisePixel = k.dw_pixel
            table.requantize = k.requantize
            table.maxPool = k.max_pool
            table.averagePool = k.average_pool
            table.depthwisePack = k.dw_pack
            table.depthwiseRow = k.dw_row
            table.panelPack = k.panel_pack
            table.panelRun = k.panel_run
            table.panelRunRequantize = k.panel_run_requantize
            table.stripPack = k.strip_pack
            table.stripImage = k.strip_image
            table.depthwiseImage = k.dw_image
            table.requantizationLanes = k.requant_lanes
            installed = String(cString: k.name)
        } else {
            installed = "portable"
        }
        kernelTable = table
        return installed
    }
}
